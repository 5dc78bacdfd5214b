"""``cir render --out DIR`` writes the docs tree the MkDocs plugin builds from: the same
pages (record pages decorated with their title and card, the generated pages), the same
assets and the same exports, so another site engine can publish the portal.

Compared with the real ``mkdocs build`` of another copy of the example: one code path.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from cirtest.site import FRONT_MATTER, Build, RecordFile, body_of, copy_project, html_files, page_url, run_cir

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Rendered:
    project: Path
    out: Path
    output: str


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """A copy of the example rendered with ``cir render`` (dated from the content, like the build)."""
    root = tmp_path_factory.mktemp("render")
    project = copy_project(root / "project")
    out = root / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        done = run_cir("render", str(project), "--out", str(out), cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    return Rendered(project, out, done.stdout + done.stderr)


def files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def built_pages(site: Path) -> set[str]:
    """The URL (site-root-relative) of every page of a built site."""
    return {p.parent.relative_to(site).as_posix() + "/" if p.parent != site else "" for p in html_files(site)
            if p.name == "index.html"}


def test_render_writes_the_pages_mkdocs_builds(rendered: Rendered, built: Build) -> None:
    """The Markdown files written are the pages of the built site: content/'s files plus the
    generated pages, and the generated ones are exactly the pages MkDocs built beyond content/."""
    written = files_under(rendered.out)
    markdown = {f for f in written if f.endswith(".md")}
    content = files_under(rendered.project / "content")
    assert content <= written, f"content/ files not rendered: {sorted(content - written)}"
    generated = {page_url(f) for f in markdown - content}
    from_content = {page_url(f) for f in content if f.endswith(".md")}
    beyond_content = built_pages(built.site) - from_content
    assert generated, "render wrote no generated page"
    assert generated == beyond_content, (f"rendered only: {sorted(generated - beyond_content)}; "
                                         f"built only: {sorted(beyond_content - generated)}")
    assert re.search(rf"wrote {len(written)} files to ", rendered.output), rendered.output


def test_render_decorates_record_pages_as_the_site_shows_them(rendered: Rendered, built: Build,
                                                              records: list[RecordFile]) -> None:
    """A rendered record page is front matter with the page title (``ID title``, HTML-escaped),
    then the record's card, then the body as written; the card is the one on the built page."""
    problems = []
    for record in records:
        text = (rendered.out / record.rel).read_text(encoding="utf-8")
        match = FRONT_MATTER.match(text)
        if not match:
            problems.append(f"{record.rel}: no front matter")
            continue
        front = yaml.safe_load(match.group(1))
        if set(front) != {"title"} or html.unescape(front["title"]) != f"{record.id} {record.front_matter['title']}":
            problems.append(f"{record.rel}: front matter {front}")
        rest, body = text[match.end():], body_of(record.path)
        if not rest.endswith(body):
            problems.append(f"{record.rel}: the body is not the file's")
            continue
        card = rest.removesuffix(body).strip()
        if record.id not in card or not card.startswith("<"):
            problems.append(f"{record.rel}: no card before the body: {card[:80]!r}")
            continue
        page = (built.site / page_url(record.rel) / "index.html").read_text(encoding="utf-8")
        if card not in page:
            problems.append(f"{record.rel}: the rendered card is not the one on the built page")
    assert not problems, "\n".join(problems)


def test_render_writes_the_assets_and_exports_of_the_build(rendered: Rendered, built: Build) -> None:
    """Every other file written (assets, register.json, register.csv, kpis.json, the register
    index, feed.xml with its links under mkdocs.yml's site_url...) is byte for byte the file the
    build published; besides them only the marker that lets `--clean` replace the folder."""
    content = files_under(rendered.project / "content")
    others = sorted(f for f in files_under(rendered.out) - content if not f.endswith(".md") and f != ".cir-render")
    assert (rendered.out / ".cir-render").is_file()
    for name in ("register.json", "register.csv", "feed.xml", "assets/cir/cir.js", "assets/cir/cir.css"):
        assert name in others, f"render did not write {name}"
    missing = [f for f in others if not (built.site / f).is_file()]
    assert not missing, f"written by render but not published by the build: {missing}"
    differ = [f for f in others if (rendered.out / f).read_bytes() != (built.site / f).read_bytes()]
    assert not differ, f"render and build disagree on {differ}"
