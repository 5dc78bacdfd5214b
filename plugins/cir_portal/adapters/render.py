"""``cir render``: the complete generated docs tree written to a folder, for other site engines."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from cir_portal.core.config import Project
from cir_portal.core.files import scan_content
from cir_portal.core.loading import KIND_FOLDERS
from cir_portal.core.model import Register
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
    trusted = register.config.portal.publish.trusted_html
    never = set(withheld) | scan_content(project).unsafe
    record_folders = tuple(f"{folder}/" for folder in KIND_FOLDERS.values())
    for path in sorted(content.rglob("*")):
        if project.rel(path) in never or not path.is_file():
            continue
        src_uri = path.relative_to(content).as_posix()
        page = tree.pages.get(src_uri)
        if (page is None or page.record is None) and src_uri.startswith(record_folders) and src_uri.endswith(".md"):
            continue  # a record this audience is not published
        target = out / src_uri
        target.parent.mkdir(parents=True, exist_ok=True)
        if page is not None and page.record is not None:
            if not trusted:
                page = dataclasses.replace(page, content=clean_markdown(page.content))
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
