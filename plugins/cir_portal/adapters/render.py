"""``cir render``: the complete generated docs tree written to a folder, for other site engines."""

from __future__ import annotations

import json
from pathlib import Path

from cir_portal.core.config import Project
from cir_portal.core.files import scan_content
from cir_portal.core.loading import KIND_FOLDERS
from cir_portal.core.model import Register
from cir_portal.views.markup import esc
from cir_portal.views.sanitize import clean_markdown
from cir_portal.views.tree import build_tree


def render(register: Register, project: Project, out: Path, *, withheld: set[str] | frozenset[str] = frozenset()) -> int:
    """Write the complete generated docs tree (record pages decorated) to ``out``; returns files written.

    ``withheld``: files of content/ (relative to the project root) never to read or copy:
    links out of the project, FIFOs, and the records ``register``'s audience is not
    published. Record bodies are sanitised (sanitize.clean_markdown) unless portal.yml
    trusts them.
    """
    tree = build_tree(register, project)
    written = 0
    content = project.content
    by_src = {r.src_uri: r for r in register.all()}
    trusted = register.config.portal.publish.trusted_html
    never = set(withheld) | scan_content(project).unsafe
    record_folders = tuple(f"{folder}/" for folder in KIND_FOLDERS.values())
    for path in sorted(content.rglob("*")):
        if project.rel(path) in never or not path.is_file():
            continue
        src_uri = path.relative_to(content).as_posix()
        if src_uri not in by_src and src_uri.startswith(record_folders) and src_uri.endswith(".md"):
            continue  # a record this audience is not published
        target = out / src_uri
        target.parent.mkdir(parents=True, exist_ok=True)
        record = by_src.get(src_uri)
        if record is not None:
            # HTML-escaped as the plugin hands it to MkDocs (themes print the title unescaped);
            # JSON-quoted: a valid YAML string whatever quotes or backslashes the title holds.
            title = json.dumps(esc(tree.titles[src_uri]), ensure_ascii=False)
            body = record.body if trusted else clean_markdown(record.body)
            target.write_text(f"---\ntitle: {title}\n---\n\n" + tree.decorate(src_uri, body), encoding="utf-8")
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
