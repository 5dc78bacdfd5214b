"""Assessment gaps and improvements: the link both ways, and `cir gaps` (dry run, --write,
a second run, the assessment file edited in place and nothing else changed)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cir_portal.adapters.cli.main import cli
from cir_portal.authoring import gaps
from cir_portal.core.config import Project
from cir_portal.core.loading import read_source
from cir_portal.core.model import Assessment, Improvement
from cir_portal.core.pipeline import load_register
from cir_portal.views import maturity
from cir_portal.views.tree import record_page
from cirtest.learning import MakeProject, improvement, load_ok, site_of

ASM = "content/assessments/ASM-0001-incident-management-2025.md"

#: An assessment written the ways people write YAML: comments, a block scalar, a flow map,
#: a gap with an improvement already, odd indentation. Only the open gaps' lines may change.
TRICKY = """\
---
# Self-assessment of the service desk (comment kept)
id: ASM-0077
practice: service-desk
date: 2026-05-04
assessor: li.na
level: 2
target_level: 4
gaps:
    -   id: G1   # indented by four, item by four more
        description: >
          The knowledge base is not searched
          before tickets are escalated.

    -   id: G2
        description: Already addressed.
        improvement: IMP-0001
    - {id: G3, description: "Flow map: no owner for the call scripts"}
    - id: G4
      description: |
        Two lines,
        literal.
      # a trailing comment inside the gap
    - id: G5
      description: 服务台没有排班规则，高峰时段排队超过 10 分钟。
tags: [desk]   # last key
---

Body text that must stay.
"""
TRICKY_PATH = "content/assessments/ASM-0077-desk.md"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "content").rglob("*")) if p.is_file()}


def without_inserted(new: bytes, ids: list[str]) -> bytes:
    """The file with what `cir gaps` inserted for ``ids`` (lines or flow entries) taken out again."""
    for rid in ids:
        new, lines = re.subn(rb"(?m)^[ \t]*improvement: " + rid.encode() + rb"\r?\n", b"", new)
        new, entries = re.subn(rb", improvement: " + rid.encode() + rb"\}", b"}", new)
        assert lines + entries == 1, rid
    return new


# --- the link between gaps and improvements

def test_gap_improvement_key_links_the_gap(make_project: MakeProject) -> None:
    site = site_of(make_project())
    assert [g.ref for g in gaps.open_gaps(site.register)] == ["ASM-0001#G2"]
    linked = site.register.improvement_for_gap[("ASM-0001", "G1")]
    assert linked.id == "IMP-0001"
    assert site.register.gaps_by_improvement["IMP-0001"] == [("ASM-0001", "G1")]
    assert "ASM-0001#G1</a>" in record_page(site, linked).card  # the card names the gap it closes


def test_source_ref_links_the_gap(make_project: MakeProject) -> None:
    root = make_project({"content/improvements/IMP-0200-x.md": improvement(
        "IMP-0200", affects=["practice/incident-management"], extra="source_ref: ASM-0001#G2\n")})
    site = site_of(root)
    assert gaps.open_gaps(site.register) == []
    assert site.register.improvement_for_gap[("ASM-0001", "G2")].id == "IMP-0200"
    assert dict(site.register.gaps_by_improvement) == {"IMP-0001": [("ASM-0001", "G1")], "IMP-0200": [("ASM-0001", "G2")]}
    card = record_page(site, site.register.improvement_for_gap[("ASM-0001", "G2")]).card
    assert "ASM-0001#G2</a>" in card and "ASM-0001#G1" not in card
    states = {g.id: (g.state, g.improvement.id if g.improvement else None) for g in maturity.gaps(site)}
    assert states == {"G1": ("closed", "IMP-0001"), "G2": ("in_progress", "IMP-0200")}


def test_draft_ids_skip_files_that_do_not_validate(make_project: MakeProject) -> None:
    root = make_project({"content/improvements/IMP-0041-broken.md": "not a record\n"})
    result = load_register(Project(root), use_cache=False)
    assert result.register is not None and result.errors
    (draft,) = gaps.plan(result, raised=date(2026, 11, 20))
    assert draft.improvement_id == "IMP-0042"


def test_draft_ids_avoid_reserved_ids(make_project: MakeProject) -> None:
    """`cir gaps --write` takes the same reservation as `cir new`: ids used on the default branch are skipped."""
    result = load_ok(make_project())
    (draft,) = gaps.plan(result, raised=date(2026, 11, 20), reserved={"IMP-0002", "IMP-0003"})
    assert draft.improvement_id == "IMP-0004"


def test_title_and_slug(make_project: MakeProject) -> None:
    long = "词" * 200
    assert len(gaps.title_from(long)) == gaps.TITLE_MAX and gaps.title_from(long).endswith("…")
    assert gaps.title_from("  two\n  lines ") == "two lines"
    project = Project(make_project())
    assert gaps.record_path(project, "improvement", "IMP-0009", "事件分类规则").name == "IMP-0009-shijian-fenlei-guize.md"
    assert gaps.record_path(project, "improvement", "IMP-0009", "!!!").name == "IMP-0009.md"


def test_draft_escapes_what_it_copies(make_project: MakeProject) -> None:
    """An assessment title or gap description with markup becomes literal text in the draft's body."""
    result = load_ok(make_project())
    (gap,) = gaps.open_gaps(result.register)  # type: ignore[arg-type]
    hostile = "</title><script>alert(1)</script> [x](javascript:alert(2))"
    object.__setattr__(gap.assessment, "title", hostile)
    text = gaps.draft_text(gap, "IMP-0009", "identified", "2026-11-20", "t")
    assert "<script>" not in text and "](javascript:" not in text
    assert "&lt;/title&gt;&lt;script&gt;" in text


# --- editing an assessment in place

def test_record_on_gaps_inserts_lines_and_keeps_everything_else(tmp_path: Path) -> None:
    path = tmp_path / "ASM-0077-desk.md"
    path.write_text(TRICKY, encoding="utf-8", newline="\n")
    gaps.record_on_gaps(path, {"G1": "IMP-0901", "G3": "IMP-0903", "G4": "IMP-0904", "G5": "IMP-0905"})
    new = path.read_bytes()
    assert without_inserted(new, ["IMP-0901", "IMP-0903", "IMP-0904", "IMP-0905"]) == TRICKY.encode("utf-8")
    text = new.decode("utf-8")
    assert "                before tickets are escalated.\n\n" not in text
    assert "          before tickets are escalated.\n        improvement: IMP-0901\n\n" in text  # same indentation as `id`
    assert '- {id: G3, description: "Flow map: no owner for the call scripts", improvement: IMP-0903}' in text
    assert "        literal.\n      improvement: IMP-0904\n      # a trailing comment inside the gap\n" in text
    src = read_source(path, path.name, "assessment")
    assert not src.issues and src.data is not None
    assert [g.get("improvement") for g in src.data["gaps"]] == ["IMP-0901", "IMP-0001", "IMP-0903", "IMP-0904", "IMP-0905"]
    assert src.data["gaps"][0]["description"] == "The knowledge base is not searched before tickets are escalated.\n"
    assert src.data["gaps"][3]["description"] == "Two lines,\nliteral.\n"
    assert src.data["tags"] == ["desk"]


def test_record_on_gaps_keeps_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "ASM-0077-desk.md"
    original = b"\xef\xbb\xbf" + TRICKY.replace("\n", "\r\n").encode("utf-8")
    path.write_bytes(original)
    gaps.record_on_gaps(path, {"G5": "IMP-0905"})
    new = path.read_bytes()
    assert new.startswith(b"\xef\xbb\xbf") and b"\n" not in new.replace(b"\r\n", b"")
    assert b"      improvement: IMP-0905\r\n" in new
    assert without_inserted(new, ["IMP-0905"]) == original


def test_record_on_gaps_refuses_a_gap_that_has_an_improvement(tmp_path: Path) -> None:
    path = tmp_path / "ASM-0077-desk.md"
    path.write_text(TRICKY, encoding="utf-8", newline="\n")
    with pytest.raises(gaps.GapError, match="G2 has an `improvement` key already"):
        gaps.record_on_gaps(path, {"G2": "IMP-0902"})
    with pytest.raises(gaps.GapError, match="gap G9 not found"):
        gaps.record_on_gaps(path, {"G9": "IMP-0909"})
    assert path.read_text(encoding="utf-8") == TRICKY


# --- the command, on a copy of the example register

def test_cir_gaps_on_the_example_register(example_copy: Path) -> None:
    root = example_copy
    (root / TRICKY_PATH).write_text(TRICKY, encoding="utf-8", newline="\n")
    before = snapshot(root)
    expected = [g.ref for g in gaps.open_gaps(load_ok(root).register)]  # type: ignore[arg-type]
    assert {"ASM-0077#G1", "ASM-0077#G3", "ASM-0077#G4", "ASM-0077#G5"} <= set(expected)
    assert "ASM-0077#G2" not in expected

    dry = run("gaps", str(root))
    assert dry.exit_code == 0, dry.output
    assert snapshot(root) == before  # a dry run writes nothing
    for ref in expected:
        assert f"{ref}: would create content/improvements/" in dry.output
    assert f"{len(expected)} gap(s) without an improvement" in dry.output

    wrote = run("gaps", str(root), "--write", "--date", "2026-11-20")
    assert wrote.exit_code == 0, wrote.output
    after = snapshot(root)
    created = sorted(set(after) - set(before))
    assert len(created) == len(expected) and all(p.startswith("content/improvements/IMP-") for p in created)
    result = load_ok(root)  # every draft validates, and so does every edited assessment
    register = result.register
    assert register is not None
    assert gaps.open_gaps(register) == []
    for path in created:
        rid = Path(path).name[:8]
        imp = register.get(rid)
        assert isinstance(imp, Improvement)
        asm_id, gap_id = str(imp.source_ref).split("#")
        asm = register.get(asm_id)
        assert isinstance(asm, Assessment)
        gap = next(g for g in asm.gaps if g.id == gap_id)
        assert gap.improvement == rid  # recorded on the gap
        assert imp.status == result.config.workflow.initial  # type: ignore[union-attr]
        assert imp.source == "assessment" and imp.raised == "2026-11-20"
        assert imp.requester == asm.assessor
        assert imp.affects == (f"practice/{asm.practice}",)
        assert imp.title == gaps.title_from(gap.description)
        assert re.fullmatch(r"IMP-\d{4}-[a-z0-9-]+\.md", Path(path).name)
    changed = [p for p in before if after[p] != before[p]]
    assert changed and all(p.startswith("content/assessments/") for p in changed)
    new_ids = [Path(p).name[:8] for p in created]
    for p in changed:  # only the inserted lines differ
        inserted = [rid for rid in new_ids if f"improvement: {rid}".encode() in after[p]]
        assert without_inserted(after[p], inserted) == before[p], p
    ids = [int(Path(p).name[4:8]) for p in created]
    assert ids == list(range(ids[0], ids[0] + len(ids)))  # consecutive, above every existing id
    assert ids[0] == max(int(r.id[4:]) for r in register.improvements if Path(r.rel).as_posix() not in created) + 1

    again = run("gaps", str(root), "--write")
    assert again.exit_code == 0 and "nothing to do" in again.output
    assert snapshot(root) == after  # idempotent


def test_cir_gaps_write_refuses_a_register_with_errors(make_project: MakeProject) -> None:
    root = make_project({"content/improvements/IMP-0300-bad.md": "---\nid: IMP-0300\n---\n"})
    before = snapshot(root)
    result = run("gaps", str(root), "--write")
    assert result.exit_code == 1
    assert "run `cir validate`" in result.output
    assert snapshot(root) == before
    dry = run("gaps", str(root))
    assert dry.exit_code == 0 and "warning:" in dry.output and "ASM-0001#G2: would create" in dry.output


def test_cir_gaps_without_a_project(tmp_path: Path) -> None:
    result = run("gaps", str(tmp_path))
    assert result.exit_code == 2 and "no cir project" in result.output


def test_drafts_use_today_by_default(make_project: MakeProject) -> None:
    root = make_project()
    register = load_ok(root).register
    assert register is not None
    (draft,) = gaps.plan(load_ok(root), raised=date.today())
    assert f"raised: {date.today().isoformat()}\n" in draft.text
    assert draft.path.name == "IMP-0002-knowledge-articles-are-not-reused.md"
    assert "requester: chen.jie\n" in draft.text and "source_ref: ASM-0001#G2\n" in draft.text
