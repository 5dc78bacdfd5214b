"""Supporters: `cir support` edits a record in place (every other byte kept), the card shows how
many people back it and who, and support is a priority factor once portal.yml weighs it.
Also the command-line side of initiatives: `cir new --part-of`, and `cir validate` on a cycle."""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cir_portal.core.priority import priority, support_points
from cir_portal.views import metrics, priorities
from cir_portal.views.context import Site
from cir_portal.views.page import by_src
from cirtest.contrib import run
from cirtest.planning import Unseen, active, identified, read_records, register_with, unseen_files


@pytest.fixture
def project(make_project: Callable[..., Path]) -> Path:
    """The unseen register, a copy of its own for the test."""
    return make_project(unseen_files())


@pytest.fixture(autouse=True)
def no_git_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No user or system git configuration: who runs `cir support` is what the test says."""
    empty = tmp_path / "gitconfig"
    empty.write_text("", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    yield


def _path(project: Path, rid: str) -> Path:
    return next(r.path for r in read_records(project) if r.id == rid)


def _changed(before: bytes, after: bytes) -> tuple[list[str], list[str]]:
    a, b = before.decode("utf-8-sig").splitlines(keepends=True), after.decode("utf-8-sig").splitlines(keepends=True)
    removed: list[str] = []
    added: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op != "equal":
            removed += a[i1:i2]
            added += b[j1:j2]
    return removed, added


def _valid(project: Path) -> bool:
    return run("validate", str(project), "--no-cache").exit_code == 0


@pytest.mark.parametrize(("rid", "person", "before_line", "after_lines"), [
    ("IMP-0401", "chen.jie", "supporters: [li.na, wang.wei, zhang.min]\n",
     ["supporters: [li.na, wang.wei, zhang.min, chen.jie]\n"]),
    ("IMP-0402", "李娜", None, ["supporters: [li.na]\n"]),  # a name of people.yml; the record had no supporters
])
def test_support_edits_in_place(project: Path, rid: str, person: str, before_line: str | None,
                                after_lines: list[str]) -> None:
    path = _path(project, rid)
    before = path.read_bytes()
    result = run("support", rid, "--person", person, project=project)
    assert result.exit_code == 0, result.output
    removed, added = _changed(before, path.read_bytes())
    assert removed == ([before_line] if before_line else []) and added == after_lines
    assert _valid(project)


def test_support_keeps_a_block_list_crlf_and_bom(project: Path) -> None:
    path = _path(project, "IMP-0408")
    text = path.read_text(encoding="utf-8").replace("supporters: [chen.jie]\n", "supporters:   # who backs it\n  - chen.jie\n")
    raw = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")
    path.write_bytes(raw)
    result = run("support", "IMP-0408", "--person", "wang.wei", project=project)
    assert result.exit_code == 0, result.output
    after = path.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf") and b"\n" not in after.replace(b"\r\n", b"")
    assert after == raw.replace(b"  - chen.jie\r\n", b"  - chen.jie\r\n  - wang.wei\r\n")
    assert _valid(project)


@pytest.mark.parametrize("empty", ["supporters:", "supporters: ~  # nobody yet", "supporters: []"])
def test_support_fills_an_empty_key(project: Path, empty: str) -> None:
    path = _path(project, "IMP-0408")
    path.write_text(path.read_text(encoding="utf-8").replace("supporters: [chen.jie]", empty), encoding="utf-8")
    assert run("support", "IMP-0408", "--person", "wang.wei", project=project).exit_code == 0
    line = next(x for x in path.read_text(encoding="utf-8").splitlines() if x.startswith("supporters"))
    assert line == "supporters: [wang.wei]" + ("  # nobody yet" if "#" in empty else "")
    assert _valid(project)


def test_support_twice_changes_nothing(project: Path) -> None:
    path = _path(project, "IMP-0401")
    before = path.read_bytes()
    result = run("support", "IMP-0401", "--person", "wang.wei", project=project)
    assert result.exit_code == 0 and "already" in result.output
    assert path.read_bytes() == before


def test_support_refuses_with_a_reason(project: Path) -> None:
    before = {r.path: r.path.read_bytes() for r in read_records(project)}
    unknown = run("support", "IMP-0401", "--person", "wangwei", project=project)
    assert unknown.exit_code == 1 and "did you mean 'wang.wei'" in unknown.output and "Traceback" not in unknown.output
    lesson = run("support", "LL-0402", "--person", "li.na", project=project)
    assert lesson.exit_code == 1 and "only improvements have supporters" in lesson.output
    missing = run("support", "IMP-0999", "--person", "li.na", project=project)
    assert missing.exit_code == 1 and "no record has the id 'IMP-0999'" in missing.output
    nobody = run("support", "IMP-0401", project=project)
    assert nobody.exit_code == 1 and "cannot tell who you are" in nobody.output
    assert {r.path: r.path.read_bytes() for r in read_records(project)} == before


def test_support_defaults_to_the_git_user(project: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    subprocess.run(["git", "config", "user.email", "li.na@example.com"], cwd=project, check=True)  # li.na's in people.yml
    path = _path(project, "IMP-0403")
    result = run("support", "IMP-0403", project=project)
    assert result.exit_code == 0, result.output
    assert "li.na supports IMP-0403 (1 supporter)" in result.output
    assert "supporters: [li.na]" in path.read_text(encoding="utf-8")


def test_card_shows_the_count_and_the_names(unseen: Unseen) -> None:
    for record in read_records(unseen.project):
        card = unseen.tree.pages[record.rel].card
        backers = record.front_matter.get("supporters") or []
        found = re.search(r'<dt>支持者</dt><dd><span class="cir-supporters">'
                          r'<strong data-supporters="(\d+)">\d+</strong> · (.*?)</span></dd>', card)
        if not backers:
            assert found is None, record.id
            continue
        assert found is not None and int(found.group(1)) == len(backers), record.id
        assert len(re.findall(r"<a href=", found.group(2))) == len(backers)


def _weighted(site: Site, support: float) -> Site:
    weights = {**site.config.portal.priority_weights, "support": support}
    config = dataclasses.replace(site.config, portal=dataclasses.replace(site.config.portal, priority_weights=weights))
    return Site(register_with(config, site.register.all()), site.project, epoch=site.epoch)


def test_support_counts_in_the_priority_only_when_weighted(unseen: Unseen) -> None:
    initiative = unseen.site.register.get("IMP-0401")
    assert initiative is not None
    backers = len(next(r for r in read_records(unseen.project) if r.id == "IMP-0401").front_matter["supporters"])
    plain = priority(initiative, unseen.site.config.portal.priority_weights)  # type: ignore[arg-type]
    assert plain is not None and [p.factor for p in plain.parts] == ["urgency", "value", "cost"]
    site = _weighted(unseen.site, 0.5)
    scored = priority(initiative, site.config.portal.priority_weights)  # type: ignore[arg-type]
    assert scored is not None and scored.parts[-1].factor == "support"
    assert scored.parts[-1].points == support_points(backers) == 2
    assert scored.score == pytest.approx(plain.score + 2 * 0.5)
    assert [support_points(n) for n in (0, 1, 2, 3, 5, 6, 40)] == [0, 1, 1, 2, 2, 3, 3]
    # the card's breakdown and the priorities page say so
    card = metrics.priority_section(site, initiative)  # type: ignore[arg-type]
    assert "支持度（支持者人数） 3 (2 × 0.5 = 1)" in card
    page = by_src(priorities.pages(site))["priorities.md"].content
    assert "<td>支持度（支持者人数）</td><td>0.5</td>" in page and "支持度分值 × 支持度权重" in page


def test_new_writes_part_of_and_supporters(project: Path) -> None:
    result = run("new", "improvement", "Status page drill", "--requester", "li.na", "--affects", "service/identity",
                 "--part-of", "IMP-0401", "--supporter", "王伟", "--supporter", "zhang.min", project=project)
    assert result.exit_code == 0, result.output
    created = project / result.output.strip().splitlines()[-1]
    record = next(r for r in read_records(project) if r.path == created)
    assert record.front_matter["part_of"] == "IMP-0401" and record.front_matter["supporters"] == ["wang.wei", "zhang.min"]
    assert _valid(project)
    bad = run("new", "improvement", "Part of nothing", "--requester", "li.na", "--affects", "service/identity",
              "--part-of", "IMP-0999", project=project)
    assert bad.exit_code == 1 and "part_of" in bad.output


def test_validate_names_part_of_and_the_cycle(project: Path) -> None:
    path = _path(project, "IMP-0401")
    path.write_text(active("IMP-0401", "Rebuild onboarding", "in_progress", target="2027-02-26", part_of="IMP-0403"),
                    encoding="utf-8")
    (project / "content/improvements/IMP-0409-own.md").write_text(identified("IMP-0409", "Own part", part_of="IMP-0409"),
                                                                    encoding="utf-8")
    result = run("validate", str(project), "--no-cache", "--format", "json")
    assert result.exit_code == 1
    cycles = [i for i in json.loads(result.stdout) if i["code"] == "ref.cycle"]
    assert {(Path(i["path"]).name[:8], i["key"]) for i in cycles} == {("IMP-0401", "part_of"), ("IMP-0403", "part_of"),
                                                                     ("IMP-0409", "part_of")}
    assert any("IMP-0401 -> IMP-0403 -> IMP-0401" in i["message"] for i in cycles)
    text = run("validate", str(project), "--no-cache")
    assert re.search(r"IMP-0403-part-b\.md:\d+:\d+: error: part_of: part_of forms a cycle", text.output)


def test_import_reads_supporters_by_id_or_name(unseen: Unseen) -> None:
    from cir_portal.authoring.importing import Mapping, RowConverter

    convert = RowConverter(unseen.site.config, Mapping()).convert
    assert convert("supporters", "李娜; wang.wei, Zhang Min") == ["li.na", "wang.wei", "zhang.min"]
    assert convert("part_of", " IMP-0401 ") == "IMP-0401"
