"""The register index (views/register.py ``index_json``): in the live preview an improvement's row
is kept with its record for the next build, and written again when what it was written for
changes (a new tag moves every other tag's position)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from cir_portal.core.config import Project
from cir_portal.core.deps import KeptValues, Reads
from cir_portal.core.pipeline import LoadResult, load_register
from cir_portal.views import register as register_view
from cir_portal.views.context import Site
from cir_portal.views.register import index_json

BASE = Path(__file__).parent / "cases" / "_base" / "content" / "improvements" / "IMP-0001-mima-chongzhi.md"
EPOCH = 1_767_225_600


def _second(tags: str) -> str:
    text = BASE.read_text(encoding="utf-8")
    return (text.replace("id: IMP-0001", "id: IMP-0002").replace("tags: [自助服务, quick-win]", f"tags: [{tags}]"))


def _index(result: LoadResult, project: Project, *, preview: bool) -> bytes:
    """The index as the live preview writes it (rows kept from build to build), or from scratch."""
    assert result.register is not None and not result.errors, result.issues
    site = Site(result.register, project, epoch=EPOCH)
    if preview:
        site.reads = Reads()  # (what the live preview's sites have: rows are kept)
        return index_json(site)
    kept, register_view._ROWS = register_view._ROWS, KeptValues()  # (nothing kept from earlier builds)
    try:
        return index_json(site)
    finally:
        register_view._ROWS = kept


def test_kept_rows_are_written_again_when_the_positions_move(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project({"content/improvements/IMP-0002-second.md": _second("zzz-last")})
    before = time.time() - 60  # (a file changed just before a load is read again, see pipeline._unchanged)
    for path in (root / "content").rglob("*.md"):
        os.utime(path, (before, before))
    project = Project(root)
    first = load_register(project, use_cache=False)
    kept = _index(first, project, preview=True)
    assert kept == _index(first, project, preview=False)

    (root / "content/improvements/IMP-0002-second.md").write_text(_second("aaa-first"), encoding="utf-8")
    second = load_register(project, use_cache=False, previous=first)
    assert second.register is not None and first.register is not None
    assert second.register.get("IMP-0001") is first.register.get("IMP-0001"), "the unchanged record keeps its object"
    again = _index(second, project, preview=True)
    fresh = _index(second, project, preview=False)
    assert again == fresh
    assert fresh != kept
    # and with nothing changed, the kept rows give the same index again
    assert _index(second, project, preview=True) == fresh
