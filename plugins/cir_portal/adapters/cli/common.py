"""What every ``cir`` command shares: exit codes, the progress bar and finding the project."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from cir_portal.core.config import AUDIENCES, DEFAULT_AUDIENCE, find_project
from cir_portal.core.pipeline import LoadResult, Progress, load_register
from cir_portal.core.publishing import AUDIENCE_ENV, AudienceError, build_audience

EXIT_OK, EXIT_ERRORS, EXIT_UNUSABLE = 0, 1, 2


class ProgressBar:
    """A progress bar on stderr for long loads, only when a person is watching."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if total < 500 or not sys.stderr.isatty():
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)
        if done >= total:
            self.bar.__exit__(None, None, None)


def load_project(path: Path | None, *, use_cache: bool = True, progress: Progress | None = None,
                 model: bool = True, workers: int = 1, audience: str | None = None) -> LoadResult:
    """Find the project at ``path`` (or around the current folder) and load it, or exit 2."""
    project = find_project(path, search_up=path is None)
    if project is None:
        where = str(path) if path else "the current folder or its parents"
        click.echo(f"error: no cir project in {where}: expected a site_config/ folder "
                   "(run in the register repository or pass its path)", err=True)
        sys.exit(EXIT_UNUSABLE)
    return load_register(project, use_cache=use_cache, progress=progress, model=model, workers=workers, audience=audience)


AUDIENCE_OPTION = click.option(
    "--audience", type=click.Choice(AUDIENCES), default=None,
    help=f"Who the output is for: records above this level are left out, and portal.yml publish.redact "
         f"keys removed [default: ${AUDIENCE_ENV}, else {DEFAULT_AUDIENCE}].")


def resolve_audience(option: str | None) -> str:
    """``--audience``, else $CIR_AUDIENCE, else internal (an unknown $CIR_AUDIENCE: exit 2)."""
    try:
        return option or build_audience()
    except AudienceError as exc:
        click.echo(f"error: {AUDIENCE_ENV}: {exc}", err=True)
        sys.exit(EXIT_UNUSABLE)
