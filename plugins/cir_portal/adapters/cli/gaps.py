"""``cir gaps``: assessment gaps that no improvement addresses yet, drafted into the register."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import click

from cir_portal.adapters.cli.common import EXIT_ERRORS, EXIT_OK, EXIT_UNUSABLE, load_project
from cir_portal.authoring import gaps as gap_logic
from cir_portal.authoring.collisions import GitError, reserved_ids
from cir_portal.core.reporters import summary


def register(cli: click.Group) -> None:
    """Add the learning-loop commands to the ``cir`` group."""
    cli.add_command(gaps_command)


@click.command("gaps")
@click.argument("path", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--write", is_flag=True, help="Create the draft improvements and record their ids on the gaps.")
@click.option("--date", "raised", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The drafts' `raised` date, YYYY-MM-DD (default: today).")
@click.option("--against", "against", multiple=True, metavar="REF",
              help="Also avoid ids used on this git ref (repeatable; the default branch is always avoided).")
def gaps_command(path: Path | None, write: bool, raised: datetime | None, against: tuple[str, ...]) -> None:
    """List assessment gaps that no improvement addresses; with --write, draft one improvement per gap.

    A gap is addressed when it names an improvement (`improvement:`) or an improvement's
    `source_ref` names it (ASM-0005#G2). Without --write nothing is changed. With --write
    each draft gets the next free id (free on the default branch too, as with `cir new`),
    status = the workflow's initial status, source `assessment`, the assessed practice,
    the assessor as requester, and its id is added to the gap in the assessment file
    (nothing else in that file changes); all files are written or none. Running it again
    creates nothing new.

    Exit status: 0 done (or nothing to do), 1 the register has errors or a file could not
    be written, 2 no project or unusable configuration.
    """

    result = load_project(path, use_cache=False)
    if result.config is None or result.register is None:
        click.echo("error: the register's configuration has errors; run `cir validate` to see them", err=True)
        sys.exit(EXIT_UNUSABLE)
    root = result.project.root
    if result.errors:
        message = (f"{summary(len(result.sources), result.issues)}: records that do not validate are left out, "
                   "so their gaps and source_ref links are not seen; run `cir validate` and fix them first")
        if write:
            click.echo(f"error: {message}", err=True)
            sys.exit(EXIT_ERRORS)
        click.echo(f"warning: {message}", err=True)
    try:
        reserved = reserved_ids(result.project, against)
    except GitError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_UNUSABLE)
    try:
        drafts = gap_logic.plan(result, raised=(raised.date() if raised else date.today()), reserved=reserved)
    except gap_logic.GapError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_ERRORS)
    if not drafts:
        click.echo("every assessment gap has an improvement; nothing to do")
        sys.exit(EXIT_OK)
    verb = "created" if write else "would create"
    if write:
        try:
            gap_logic.write(drafts, result.project)
        except gap_logic.GapError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_ERRORS)
    for draft in drafts:
        gap = draft.gap
        click.echo(f"{gap.ref}: {verb} {_rel(draft.path, root)} ({draft.improvement_id}) "
                   f"and {'recorded' if write else 'would record'} it on {gap.gap_id} in {gap.assessment.rel}")
        click.echo(f"    {gap_logic.title_from(gap.description)}")
    missing = gap_logic.missing_for_initial(result.register)
    if missing:
        click.echo(f"note: the initial status {result.config.workflow.initial!r} also requires {', '.join(missing)}; "
                   "fill them in before committing")
    if write:
        click.echo(f"{len(drafts)} draft improvement(s) created; review them, then run `cir validate`")
    else:
        click.echo(f"{len(drafts)} gap(s) without an improvement; run `cir gaps --write` to draft them")
    sys.exit(EXIT_OK)


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
