"""``cir render``: the complete generated docs tree written to a folder, for other site engines."""

from __future__ import annotations

from pathlib import Path

from cir_portal.core.config import Project
from cir_portal.core.model import Register
from cir_portal.views.tree import build_tree


def render(register: Register, project: Project, out: Path) -> int:
    """Write the complete generated docs tree (record pages decorated) to ``out``; returns files written."""
    tree = build_tree(register, project)
    written = 0
    content = project.content
    for path in sorted(content.rglob("*")):
        if not path.is_file():
            continue
        src_uri = path.relative_to(content).as_posix()
        page = tree.pages.get(src_uri)
        target = out / src_uri
        target.parent.mkdir(parents=True, exist_ok=True)
        if page is not None and page.record is not None:
            target.write_text(page.source(), encoding="utf-8")
        else:
            target.write_bytes(path.read_bytes())
        written += 1
    for page in tree.generated():
        target = out / page.src_uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.source(), encoding="utf-8")
        written += 1
    for src_uri, data in sorted(tree.files.items()):
        target = out / src_uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written += 1
    return written
