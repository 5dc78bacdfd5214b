"""A record's body is published whole, whatever its first lines look like to MkDocs (which
takes "Key: value" lines or a ``---`` block at the top of a page as its metadata)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cirtest.safety import with_mkdocs
from cirtest.site import mkdocs_build

RECORD = "content/improvements/IMP-0001-mima-chongzhi.md"


def test_first_lines_like_metadata_stay_in_the_body(make_project: Callable[..., Path], tmp_path: Path) -> None:
    root = with_mkdocs(make_project())
    path = root / RECORD
    text = path.read_text(encoding="utf-8")
    end = text.index("\n---\n", 4) + 5
    body = ("Background: the service desk answers slowly\nOwner note: ask the CAB\n\n"
            "---\nsummary: looks like front matter\n---\n\n" + text[end:])
    path.write_text(text[:end] + body, encoding="utf-8")
    build = mkdocs_build(root, tmp_path / "site")
    assert build.returncode == 0, build.log
    page = (tmp_path / "site" / "improvements" / "IMP-0001-mima-chongzhi" / "index.html").read_text(encoding="utf-8")
    assert "Background: the service desk answers slowly" in page
    assert "Owner note: ask the CAB" in page
    assert "summary: looks like front matter" in page
