"""``cir render``: the complete generated docs tree written to a folder, for other site engines."""

from __future__ import annotations

import json
from pathlib import Path

from cir_portal.core.config import Project
from cir_portal.core.model import Register
from cir_portal.views.markup import esc
from cir_portal.views.tree import build_tree


def render(register: Register, project: Project, out: Path) -> int:
    """Write the complete generated docs tree (record pages decorated) to ``out``; returns files written."""
    tree = build_tree(register, project)
    written = 0
    content = project.content
    by_src = {r.src_uri: r for r in register.all()}
    for path in sorted(content.rglob("*")):
        if not path.is_file():
            continue
        src_uri = path.relative_to(content).as_posix()
        target = out / src_uri
        target.parent.mkdir(parents=True, exist_ok=True)
        record = by_src.get(src_uri)
        if record is not None:
            # HTML-escaped as the plugin hands it to MkDocs (themes print the title unescaped);
            # JSON-quoted: a valid YAML string whatever quotes or backslashes the title holds.
            title = json.dumps(esc(tree.titles[src_uri]), ensure_ascii=False)
            target.write_text(f"---\ntitle: {title}\n---\n\n" + tree.decorate(src_uri, record.body), encoding="utf-8")
        else:
            target.write_bytes(path.read_bytes())
        written += 1
    for src_uri, markdown in sorted(tree.pages.items()):
        target = out / src_uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(markdown, encoding="utf-8")
        written += 1
    for src_uri, data in sorted(tree.files.items()):
        target = out / src_uri
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        written += 1
    return written
