"""Initiatives (``part_of``): the parts on the initiative's page with a roll-up, each part's card
linking its initiative, the register's initiative filter, exports, and `cir renumber`."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

from cirtest.contrib import run
from cirtest.planning import Unseen, identified, read_records
from cirtest.site import link_target, page_file


def _card(unseen: Unseen, rid: str) -> tuple[str, str]:
    record = next(r for r in read_records(unseen.project) if r.id == rid)
    return record.rel, unseen.tree.pages[record.rel].card


def _people(project: Path) -> dict[str, str]:
    import yaml

    data = yaml.safe_load((project / "site_config" / "people.yml").read_text(encoding="utf-8"))
    names = {}
    for p in data["people"]:
        name = p["name"]
        names[p["id"]] = name if isinstance(name, str) else name.get("zh") or next(iter(name.values()))
    return names


def test_two_parts_are_on_the_initiative_page_with_a_rollup(unseen: Unseen) -> None:
    records = read_records(unseen.project)
    parts = [r for r in records if r.front_matter.get("part_of") == "IMP-0401"]
    assert sorted(r.id for r in parts) == ["IMP-0402", "IMP-0403"]
    _, card = _card(unseen, "IMP-0401")
    section = card[card.index('<section class="cir-section cir-initiative"'):]
    section = section[:section.index("</section>") + 10]
    assert 'data-parts="2"' in section
    listing = section[:section.index("</table>")]
    rows = re.findall(r"<tr>(.*?)</tr>", listing)[1:]
    assert len(rows) == 2
    names = _people(unseen.project)
    for part in parts:
        row = next(r for r in rows if f">{part.id} " in r)
        assert str(part.front_matter["target_date"]) in row
        assert names[part.front_matter["owner"]] in row
        assert f"cir-status--{part.front_matter['status']}" in row
    # roll-up: none finished, planned costs 300 + 200, one actual cost
    assert 'data-rollup="finished">0 / 2<' in section
    planned = sum(float(p.front_matter["planned_cost"]) for p in parts)
    # the sums, and how many of the two parts have each cost (site language zh: "2 个部分中 1 个")
    assert re.search(rf'data-rollup="planned_cost">{planned:g} <small>\(2 个部分中 2 个', section)
    assert re.search(r'data-rollup="actual_cost">120.5 <small>\(2 个部分中 1 个', section)
    # the diagram: the initiative and its two parts, both linked
    assert 'data-nodes="3" data-edges="2"' in section
    for part in parts:
        assert f'data-node="{part.id}"' in section


def test_each_part_links_its_initiative(unseen: Unseen) -> None:
    parent_rel, _ = _card(unseen, "IMP-0401")
    for rid in ("IMP-0402", "IMP-0403"):
        rel, card = _card(unseen, rid)
        row = re.search(r'<dt>所属举措</dt><dd><a href="([^"]+)">([^<]+)</a></dd>', card)
        assert row is not None, rid
        assert link_target(page_file(rel), row.group(1), "") == page_file(parent_rel)
        assert row.group(2) == "IMP-0401 Rebuild onboarding"
    _, card = _card(unseen, "IMP-0404")
    assert "所属举措" not in card


def test_a_part_whose_initiative_failed_validation_is_still_published(make_project: Callable[..., Path]) -> None:
    """A part of a record that is left out (it has errors) shows the initiative's id as text."""
    from cir_portal.core.config import Project
    from cir_portal.core.pipeline import load_register
    from cir_portal.views.tree import build_tree

    project = make_project({
        "content/improvements/IMP-0501-broken.md": identified("IMP-0501", "Broken", owner="nobody.known"),
        "content/improvements/IMP-0502-part.md": identified("IMP-0502", "Part of a broken record", part_of="IMP-0501"),
    })
    result = load_register(Project(project), use_cache=False)
    assert result.register is not None
    assert result.register.get("IMP-0501") is None and result.register.get("IMP-0502") is not None
    tree = build_tree(result.register, Project(project))
    assert "<dt>所属举措</dt><dd>IMP-0501</dd>" in tree.pages["improvements/IMP-0502-part.md"].card


def test_register_filters_by_initiative(unseen: Unseen) -> None:
    page = unseen.tree.pages["register.md"].content
    select = re.search(r'<select name="initiative" data-filter="initiative">(.*?)</select>', page)
    assert select is not None
    assert re.findall(r'<option value="(IMP-\d+)">', select.group(1)) == ["IMP-0401"]
    index = json.loads(unseen.tree.files["assets/cir/register-index.json"])
    col, sup = index["columns"].index("part_of"), index["columns"].index("supporters")
    by_id = {row[0]: row for row in index["rows"]}
    files = {r.id: r.front_matter for r in read_records(unseen.project) if r.kind == "improvement"}
    assert {rid: row[col] for rid, row in by_id.items()} == {rid: f.get("part_of", "") for rid, f in files.items()}
    assert {rid: row[sup] for rid, row in by_id.items()} == {rid: len(f.get("supporters", [])) for rid, f in files.items()}


def test_exports_carry_part_of_and_supporters(unseen: Unseen) -> None:
    files = {r.id: r.front_matter for r in read_records(unseen.project) if r.kind == "improvement"}
    rows = list(csv.DictReader(io.StringIO(unseen.tree.files["register.csv"].decode("utf-8-sig"))))
    assert {r["id"]: r["part_of"] for r in rows} == {rid: f.get("part_of", "") for rid, f in files.items()}
    assert {r["id"]: r["supporters"] for r in rows} == {rid: "; ".join(f.get("supporters", [])) for rid, f in files.items()}
    records = json.loads(unseen.tree.files["register.json"])["records"]
    assert {r["id"]: r.get("part_of") for r in records if r["kind"] == "improvement"} == \
        {rid: f.get("part_of") for rid, f in files.items()}


def test_renumber_rewrites_part_of(unseen: Unseen, tmp_path: Path) -> None:
    project = tmp_path / "copy"
    shutil.copytree(unseen.project, project)
    result = run("renumber", "IMP-0401", project=project)
    assert result.exit_code == 0, result.output
    new_id = re.search(r"IMP-0401 -> (IMP-\d+)", result.output)
    assert new_id is not None
    parts = {r.id: r.front_matter.get("part_of") for r in read_records(project) if r.front_matter.get("part_of")}
    assert parts == {"IMP-0402": new_id.group(1), "IMP-0403": new_id.group(1)}
    assert run("validate", str(project), "--no-cache").exit_code == 0
