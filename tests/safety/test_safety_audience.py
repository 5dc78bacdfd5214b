"""Audiences: a record is published only to audiences at or above its visibility; redacted keys
reach no output; validation still covers every record."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from cir_portal.core.config import Project
from cir_portal.core.pipeline import load_register
from cir_portal.core.publishing import AUDIENCE_ENV, AudienceError, build_audience, publish
from cir_portal.views.context import Site
from cirtest.safety import MARKER, files_holding, restricted_files, run, set_publish, with_mkdocs
from cirtest.site import build_all, mkdocs_build, search_documents

MakeProject = Callable[..., Path]


def test_build_audience_env_wins_over_the_option() -> None:
    assert build_audience(None, {}) == "internal"
    assert build_audience("public", {}) == "public"
    assert build_audience("public", {AUDIENCE_ENV: "restricted"}) == "restricted"
    with pytest.raises(AudienceError, match="public, internal, restricted"):
        build_audience(None, {AUDIENCE_ENV: "everyone"})


def test_publish_filters_redacts_and_counts(make_project: MakeProject) -> None:
    root = make_project(restricted_files())
    set_publish(root, "publish:\n  default_visibility: internal\n  redact: {public: [requester, planned_cost]}\n")
    full = load_register(Project(root), use_cache=False)
    assert not full.errors and full.register is not None
    everyone = {r.id for r in full.register.all()}
    internal = publish(full.register, "internal")
    assert "IMP-0500" not in internal.records and internal.hidden == 1
    assert internal.get("IMP-0501").planned_cost == 987654  # type: ignore[union-attr]
    assert {r.id for r in publish(full.register, "restricted").all()} == everyone
    public = publish(full.register, "public")  # records without `visibility` are internal by default
    assert public.all() == [] and public.hidden == len(everyone)
    assert full.register.get("IMP-0501").planned_cost == 987654  # type: ignore[union-attr]  # not changed


def test_redaction_drops_keys_for_that_audience(make_project: MakeProject) -> None:
    root = make_project(restricted_files())
    set_publish(root, "publish:\n  default_visibility: public\n  redact: {public: [requester, planned_cost]}\n")
    result = load_register(Project(root), use_cache=False, audience="public")
    assert result.register is not None and not result.errors
    open_imp = result.register.get("IMP-0501")
    assert open_imp is not None and "requester" not in open_imp.front_matter and "planned_cost" not in open_imp.front_matter
    assert open_imp.requester is None and open_imp.planned_cost is None  # type: ignore[attr-defined]
    assert result.unpublished == {"content/improvements/IMP-0500-secret.md"}


def test_a_reference_to_an_unpublished_record_shows_the_id_only(make_project: MakeProject) -> None:
    root = make_project(restricted_files())
    result = load_register(Project(root), use_cache=False, audience="internal")
    assert result.register is not None
    site = Site(result.register, Project(root), epoch=0)
    assert site.record_link("register.md", "IMP-0500") == "IMP-0500"
    assert "<a " in site.record_link("register.md", "IMP-0501")


def test_validation_covers_records_no_audience_sees(make_project: MakeProject) -> None:
    files = restricted_files()
    files["content/improvements/IMP-0500-secret.md"] = files["content/improvements/IMP-0500-secret.md"].replace(
        "status: identified", "status: done")
    result = run("validate", str(make_project(files)))
    assert result.exit_code == 1 and "IMP-0500-secret.md" in result.output


def test_export_and_render_follow_the_audience(make_project: MakeProject, tmp_path: Path) -> None:
    root = make_project(restricted_files())
    set_publish(root, "publish:\n  redact: {internal: [planned_cost]}\n")
    out = run("export", "--format", "json", "--project", str(root))
    assert out.exit_code == 0 and MARKER not in out.output and "987654" not in out.output
    assert "IMP-0501" in out.output
    wide = run("export", "--format", "csv", "--audience", "restricted", "--project", str(root))
    assert MARKER in wide.output and "987654" in wide.output
    rendered = tmp_path / "rendered"
    done = run("render", str(root), "--out", str(rendered))
    assert done.exit_code == 0, done.output
    assert files_holding(rendered, MARKER) == [] and files_holding(rendered, "987654") == []
    assert not (rendered / "improvements" / "IMP-0500-secret.md").exists()
    assert (rendered / "improvements" / "IMP-0501-open.md").is_file()
    hidden = json.loads((rendered / "register.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in hidden["records"] if r["id"].startswith("IMP-05")] == ["IMP-0501"]


def test_render_refuses_an_unknown_env_audience(make_project: MakeProject, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(AUDIENCE_ENV, "everyone")
    result = run("render", str(make_project()), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2 and "CIR_AUDIENCE" in result.output


@pytest.mark.slow
def test_mkdocs_build_publishes_a_restricted_record_to_no_file(make_project: MakeProject, tmp_path: Path) -> None:
    """Default audience: the marker is in no file of the site (pages, search index, sitemap,
    exports, charts); with CIR_AUDIENCE=restricted it is published."""
    root = with_mkdocs(make_project(restricted_files()))
    set_publish(root, "publish:\n  redact: {internal: [planned_cost]}\n")
    default, wide = build_all([(root, tmp_path / "internal", None),
                               (root, tmp_path / "restricted", {AUDIENCE_ENV: "restricted"})])
    assert files_holding(default.site, MARKER) == []
    assert files_holding(default.site, "987654") == []
    assert files_holding(default.site, "secret-tag") == []
    assert not (default.site / "improvements" / "IMP-0500-secret").exists()
    assert not any("IMP-0500" in str(d["url"]) for d in search_documents(default.site))
    dashboard = (default.site / "dashboard" / "index.html").read_text(encoding="utf-8")
    assert "cir-hidden-note" in dashboard
    held = files_holding(wide.site, MARKER)
    assert "improvements/IMP-0500-secret/index.html" in held
    assert any(f.startswith("pagefind/fragment/") for f in held), "the search index of a restricted build holds it"
    assert "register.json" in held
    assert "cir-hidden-note" not in (wide.site / "dashboard" / "index.html").read_text(encoding="utf-8")


def test_mkdocs_build_refuses_an_unknown_audience(make_project: MakeProject, tmp_path: Path) -> None:
    root = with_mkdocs(make_project())
    build = mkdocs_build(root, tmp_path / "site", {AUDIENCE_ENV: "everyone"})
    assert build.returncode != 0 and "CIR_AUDIENCE" in build.log and "Traceback" not in build.log


def test_redacting_what_a_record_needs_is_a_configuration_error(make_project: MakeProject) -> None:
    root = make_project()
    set_publish(root, "publish:\n  redact: {public: [requester, status]}\n  default_visibility: secret\n")
    result = load_register(Project(root), use_cache=False)
    assert result.config is None
    assert {i.key for i in result.errors} == {"publish.redact.public[1]", "publish.default_visibility"}
