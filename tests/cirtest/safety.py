"""What the publishing-safety tests share: records to lay over the base project, and the CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner, Result

from cir_portal.adapters.cli.main import cli

REPO_ROOT = Path(__file__).parents[2]
#: A string that must appear in no file of a build that does not publish its record.
MARKER = "Zq7MarkerRestricted"


def run(*args: str) -> Result:
    """``cir args`` through click's test runner (exceptions propagate: a traceback fails the test)."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def improvement(rid: str, title: str, *, extra: str = "", body: str = "Body.\n") -> str:
    return (f"---\nid: {rid}\ntitle: {title}\nstatus: identified\nraised: 2026-03-01\nrequester: li.na\n"
            f"source: staff_idea\naffects: [service/email]\n{extra}---\n\n{body}")


def restricted_files() -> dict[str, str]:
    """One restricted improvement with the marker in its title and body, and a published one
    that refers to it (and whose requester an internal build redacts)."""
    return {
        "content/improvements/IMP-0500-secret.md": improvement(
            "IMP-0500", f"Supplier dispute {MARKER}", extra="visibility: restricted\ntags: [secret-tag]\n",
            body=f"## Background\n\nThe dispute {MARKER} in detail.\n"),
        "content/improvements/IMP-0501-open.md": improvement(
            "IMP-0501", "Open improvement", extra="related: [IMP-0500]\nplanned_cost: 987654\n",
            body="Related to IMP-0500.\n"),
    }


def with_mkdocs(project: Path) -> Path:
    """The example's mkdocs.yml and home page in ``project``: a complete small site."""
    shutil.copy2(REPO_ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copy2(REPO_ROOT / "content" / "index.md", project / "content" / "index.md")
    return project


def set_publish(project: Path, text: str) -> None:
    """Replace the `publish:` block of the project's portal.yml with ``text``."""
    path = project / "site_config" / "portal.yml"
    kept, skipping = [], False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("publish:"):
            skipping = True
            continue
        if skipping and (line.startswith((" ", "\t")) or not line.strip()):
            continue
        skipping = False
        kept.append(line)
    path.write_text("\n".join(kept) + "\n" + text, encoding="utf-8")


def files_holding(site: Path, text: str) -> list[str]:
    """Every file of a built site (any kind) whose bytes hold ``text``; gzip files (the search
    index's chunks and fragments) are read uncompressed."""
    import gzip

    needle = text.encode("utf-8")

    def content(path: Path) -> bytes:
        data = path.read_bytes()
        return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data

    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file() and needle in content(p))
