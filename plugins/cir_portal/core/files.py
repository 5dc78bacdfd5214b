"""Which files under content/ may be read at all: regular files inside the project.

git stores symbolic links, so a pull request can add ``content/x.md -> /etc/passwd`` or a
link to a CI secret, and MkDocs would publish the target. A FIFO named ``*.md`` blocks
the first read forever; a link loop makes every read fail. ``scan_content`` walks
content/ without following links out of the project and names each such entry as an
:class:`Issue`; loading, the MkDocs plugin and ``cir render`` skip every path it lists.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from cir_portal.core.config import Project
from cir_portal.core.issues import Issue

_HINT_LINK = "Replace the link with the file itself (git rm the link, add the file), or remove it."


@dataclass
class ContentScan:
    """The unsafe entries under content/: their issues, and their paths (relative to the project root)."""

    issues: list[Issue] = field(default_factory=list)
    unsafe: set[str] = field(default_factory=set)

    def add(self, rel: str, code: str, message: str, hint: str) -> None:
        self.unsafe.add(rel)
        self.issues.append(Issue(rel, 0, 0, "", "error", code, message, hint))


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def scan_content(project: Project) -> ContentScan:
    """Every entry of content/ that is not a regular file or folder inside the project."""
    scan = ContentScan()
    root = project.root.resolve()
    content = project.content
    if not content.is_dir():
        return scan
    seen: set[str] = set()

    def walk(folder: Path) -> None:
        try:
            real = os.path.realpath(folder)
            if real in seen:
                return
            seen.add(real)
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            try:
                if entry.is_file(follow_symlinks=False):  # the usual case: known from the listing, no stat
                    continue
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            path = Path(entry.path)
            rel = project.rel(path)
            if stat.S_ISLNK(info.st_mode):
                try:
                    target = path.resolve(strict=True)
                except (OSError, RuntimeError) as exc:
                    loop = isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == 40  # ELOOP
                    scan.add(rel, "file.link", "the symbolic link points to itself in a loop" if loop
                             else "the symbolic link points to nothing (its target is missing)", _HINT_LINK)
                    continue
                if target != root and root not in target.parents:
                    scan.add(rel, "file.link", "the symbolic link points outside the project; the portal never "
                             "reads or publishes such a file", _HINT_LINK)
                    continue
                try:
                    mode = target.stat().st_mode
                except OSError:
                    continue
                if stat.S_ISDIR(mode):
                    walk(path)
                elif not stat.S_ISREG(mode):
                    scan.add(rel, "file.special", f"the symbolic link points to {_kind(mode)}, which the portal "
                             "never reads", _HINT_LINK)
            elif stat.S_ISDIR(info.st_mode):
                walk(path)
            elif not stat.S_ISREG(info.st_mode):
                scan.add(rel, "file.special", f"this is {_kind(info.st_mode)}, not a file; the portal never reads it",
                         "Remove it from content/.")

    walk(content)
    return scan
