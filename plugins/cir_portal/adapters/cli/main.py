"""The ``cir`` command: a thin adapter over the library."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from cir_portal import __version__
from cir_portal.adapters.cli import contrib, gaps
from cir_portal.adapters.cli.common import (
    AUDIENCE_OPTION,
    EXIT_ERRORS,
    EXIT_OK,
    EXIT_UNUSABLE,
    ProgressBar,
    load_project,
    resolve_audience,
)
from cir_portal.core.reporters import REPORTERS, summary


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cir")
def cli() -> None:
    """cir-portal: validate and publish a continual improvement register."""


@cli.command()
@click.argument("path", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(sorted(REPORTERS)), default="text", show_default=True,
              help="text for people, json for tools, github for GitHub Actions annotations.")
@click.option("--no-cache", is_flag=True, help="Ignore and do not update the .cir-cache/ folder.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=1, show_default=True,
              help="Processes that parse files of a large register (0: one per core).")
@click.option("--against", multiple=True, metavar="REF",
              help="Also report ids that git ref REF uses for a different record (id.collision), e.g. origin/main.")
def validate(path: Path | None, fmt: str, no_cache: bool, jobs: int, against: tuple[str, ...]) -> None:
    """Check every record and configuration file of the register at PATH.

    Exit status: 0 valid (warnings may be printed), 1 at least one error,
    2 the check could not run (no project, unusable configuration).
    """
    result = load_project(path, use_cache=not no_cache, progress=ProgressBar("validating"), model=False,
                          workers=jobs)
    if against and result.config is not None:
        from cir_portal.authoring.collisions import GitError, collision_issues

        try:
            result.issues = sorted(result.issues + [i for ref in against
                                                    for i in collision_issues(result.project, result.sources, ref)],
                                   key=lambda i: i.sort_key)
        except GitError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_UNUSABLE)
    sys.stdout.write(REPORTERS[fmt](result.issues))
    records = len(result.sources)
    line = summary(records, result.issues)
    if result.config is None:
        line = "the configuration has errors; records were not checked"
    click.echo(line, err=fmt != "text")
    if result.config is None:
        sys.exit(EXIT_UNUSABLE)
    sys.exit(EXIT_ERRORS if result.errors else EXIT_OK)



@cli.command()
@click.argument("path", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write the docs tree to (created; must be empty or absent, and outside content/).")
@AUDIENCE_OPTION
def render(path: Path | None, out: Path, audience: str | None) -> None:
    """Write the complete generated docs tree (decorated record pages, generated pages,
    assets, exports) to a folder, for building with another site engine."""
    from cir_portal.adapters.render import render as render_tree

    result = load_project(path, audience=resolve_audience(audience))
    content = result.project.content.resolve()
    target = out.resolve()
    if target == content or content in target.parents:
        click.echo(f"error: {out} is inside the register's content/ folder; the generated pages would become part "
                   "of the register. Choose a folder outside content/ (e.g. build/docs)", err=True)
        sys.exit(EXIT_UNUSABLE)
    sys.stdout.write(REPORTERS["text"](result.issues))
    if result.config is None or result.register is None:
        sys.exit(EXIT_UNUSABLE)
    if result.errors:
        click.echo(summary(len(result.sources), result.issues), err=True)
        sys.exit(EXIT_ERRORS)
    if out.exists() and any(out.iterdir()):
        click.echo(f"error: {out} is not empty; choose a new folder", err=True)
        sys.exit(EXIT_UNUSABLE)
    written = render_tree(result.register, result.project, out, withheld=result.unsafe | result.unpublished)
    click.echo(f"wrote {written} files to {out}")


def main() -> None:
    cli(prog_name="cir")


gaps.register(cli)
contrib.register(cli)
