"""Collisions: record ids that two branches created independently, found by comparing git refs.

Two pull requests opened from the same commit both take the next free id (say IMP-0043);
each validates on its own, and the second to merge silently duplicates the first. These
helpers read other refs with plain ``git`` commands (no checkout, no extra dependency):
``ids_on_ref`` lists the record ids a ref holds (from file names, which must start with
the id), ``collision_issues`` turns ids created on both sides into ``id.collision`` issues,
and ``reserved_ids`` gives the ids that ``cir new``, ``cir import`` and ``cir renumber`` must
not hand out because the default branch already uses them.
"""

from __future__ import annotations

import re
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from cir_portal.core.config import Project
from cir_portal.core.issues import Issue
from cir_portal.core.loading import KIND_FOLDERS, SourceFile

#: An id at the start of a record file name (``IMP-0042-slug.md`` or ``IMP-0042.md``).
ID_IN_NAME = re.compile(r"^([A-Z][A-Z0-9]*-\d+)(?=[-.])")
#: Refs tried, in order, for "the default branch" when none is given.
DEFAULT_REFS = ("origin/HEAD", "main", "master")
_FOLDER_KINDS = {folder: kind for kind, folder in KIND_FOLDERS.items()}


class GitError(Exception):
    """git is missing, the folder is not a repository, or a ref does not exist (a message for people)."""


@dataclass(frozen=True, slots=True)
class RefRecord:
    """A record file on a git ref: its id, kind, path (relative to the project root) and blob hash."""

    id: str
    kind: str
    path: str
    blob: str


def git(root: Path, *args: str) -> str | None:
    """Output of ``git args`` run in ``root``, or None when git fails or is not installed."""
    try:
        out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, encoding="utf-8",
                             timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout if out.returncode == 0 else None


def in_repository(root: Path) -> bool:
    return (git(root, "rev-parse", "--is-inside-work-tree") or "").strip() == "true"


def resolve(root: Path, ref: str) -> str | None:
    """The commit a ref names, or None (also for text that git would read as an option)."""
    if not ref or ref.startswith("-"):
        return None
    out = git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    return out.strip() if out else None


def default_ref(root: Path) -> str | None:
    """The default branch to protect ids of: origin/HEAD, else main, else master; None outside git."""
    if not in_repository(root):
        return None
    return next((ref for ref in DEFAULT_REFS if resolve(root, ref)), None)


def require_ref(project: Project, ref: str) -> str:
    """The commit of ``ref``, or a :class:`GitError` that says how to make it available."""
    if not in_repository(project.root):
        raise GitError(f"{project.root} is not in a git repository (or git is not installed), so there is no {ref!r} "
                       "to compare with")
    commit = resolve(project.root, ref)
    if commit is None:
        raise GitError(f"git ref {ref!r} not found; fetch it first (e.g. `git fetch origin main`; in GitHub Actions "
                       "use actions/checkout with fetch-depth: 0)")
    return commit


def ref_records(project: Project, ref: str) -> list[RefRecord]:
    """Every record file under content/ on ``ref`` (paths relative to the project root)."""
    commit = resolve(project.root, ref)
    out = (git(project.root, "ls-tree", "-r", commit, "--", "content") if commit else None) or ""
    records = []
    for line in out.splitlines():
        meta, _, path = line.partition("\t")
        parts = meta.split()
        posix = PurePosixPath(path)
        if len(parts) != 3 or parts[1] != "blob" or posix.suffix != ".md" or len(posix.parts) < 3:
            continue
        kind = _FOLDER_KINDS.get(posix.parts[1])
        match = ID_IN_NAME.match(posix.name)
        if kind and match:
            records.append(RefRecord(match.group(1), kind, path, parts[2]))
    return records


def ids_on_ref(project: Project, ref: str) -> dict[str, list[RefRecord]]:
    """Record ids on ``ref``, each with the file(s) that hold it."""
    out: dict[str, list[RefRecord]] = defaultdict(list)
    for record in ref_records(project, ref):
        out[record.id].append(record)
    return dict(out)


def reserved_ids(project: Project, extra_refs: tuple[str, ...] = ()) -> set[str]:
    """Ids used on the default branch (and on ``extra_refs``): never to be handed out again.

    Outside a git repository (or without a default branch) only ``extra_refs`` count; an
    extra ref that does not exist is a :class:`GitError`.
    """
    ids: set[str] = set()
    default = default_ref(project.root)
    if default is not None:
        ids.update(ids_on_ref(project, default))
    for ref in extra_refs:
        require_ref(project, ref)
        ids.update(ids_on_ref(project, ref))
    return ids


def _paths_at(project: Project, commit: str | None) -> set[str]:
    if commit is None:
        return set()
    out = git(project.root, "ls-tree", "-r", "--name-only", commit, "--", "content") or ""
    return set(out.splitlines())


def _local_blob(project: Project, rel: str) -> str | None:
    out = git(project.root, "hash-object", "--", rel)
    return out.strip() if out else None


def collision_issues(project: Project, sources: list[SourceFile], ref: str) -> list[Issue]:
    """``id.collision`` issues: local records whose id ``ref`` also uses for a different record.

    An id counts as created on both sides when neither file existed where the two histories
    meet (their merge base): so a record that one side merely renamed or edited is not a
    collision, while two new files with the same id are, even under the same path.
    """
    commit = require_ref(project, ref)
    other = ids_on_ref(project, commit)
    head = resolve(project.root, "HEAD")
    base_out = git(project.root, "merge-base", head, commit) if head else None
    base = _paths_at(project, base_out.strip() if base_out else None)
    issues = []
    for src in sources:
        rid = src.data.get("id") if src.data else None
        if not isinstance(rid, str) or rid not in other:
            continue
        for theirs in other[rid]:
            if theirs.path in base or src.rel in base:
                continue  # the record existed before the branches diverged: renamed or edited, not a new one
            if theirs.path == src.rel and _local_blob(project, src.rel) == theirs.blob:
                continue  # the very same file on both sides
            where = "the same path" if theirs.path == src.rel else theirs.path
            issues.append(src.issue(
                ("id",), "id.collision",
                f"the id {rid!r} is also used on {ref} by {where}, a different record created in parallel",
                f"Run `cir renumber {rid}` on this branch to give this record the next free id "
                "(the file is renamed and references to it are updated).",
            ))
    return issues
