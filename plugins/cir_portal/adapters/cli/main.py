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
              help="Folder to write to (created; must be empty or absent, see --clean).")
@click.option("--engine", type=click.Choice(["mkdocs", "zensical"]), default="mkdocs", show_default=True,
              help="mkdocs: the docs tree as the MkDocs plugin builds it, for engines that publish raw HTML as is; "
                   "zensical: a ready Zensical project (OUT/docs, OUT/zensical.toml): run `zensical build` in OUT.")
@click.option("--site-url", default=None, metavar="URL",
              help="Where the site is published (feed.xml's links, zensical.toml); default: site_url of mkdocs.yml.")
@click.option("--clean", is_flag=True, help="Empty OUT first, if an earlier `cir render` wrote it.")
@AUDIENCE_OPTION
def render(path: Path | None, out: Path, engine: str, site_url: str | None, clean: bool, audience: str | None) -> None:
    """Write the complete generated docs tree (decorated record pages, generated pages,
    assets, exports) to a folder, for building with another site engine.

    Exit status: 0 written, 1 the register has validation errors (nothing written),
    2 it could not run. So `cir render --engine zensical --out build && cd build && zensical build`
    publishes only a valid register.
    """
    from cir_portal.adapters.render import ConfigError, prepare_out
    from cir_portal.adapters.render import render as render_tree

    result = load_project(path, audience=resolve_audience(audience))
    sys.stdout.write(REPORTERS["text"](result.issues))
    if result.config is None or result.register is None:
        sys.exit(EXIT_UNUSABLE)
    if result.errors:
        click.echo(summary(len(result.sources), result.issues), err=True)
        sys.exit(EXIT_ERRORS)
    problem = prepare_out(out, result.project, clean=clean)
    if problem:
        click.echo(f"error: {problem}", err=True)
        sys.exit(EXIT_UNUSABLE)
    try:
        written = render_tree(result.register, result.project, out, engine="zensical" if engine == "zensical" else "mkdocs",
                              site_url=site_url, withheld=result.unsafe | result.unpublished)
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_UNUSABLE)
    click.echo(f"wrote {written} files to {out}")
    if engine == "zensical":
        click.echo(f"build it with: cd {out} && zensical build", err=True)


@cli.command("index-search")
@click.argument("site", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--lang", metavar="LANG", help="One index in this language (zh, en; default: each page's <html lang>).")
def index_search(site: Path, lang: str | None) -> None:
    """Build the search index (Pagefind) of the built site in SITE, for sites built with another
    engine from `cir render`: SITE/pagefind/ holds it (the MkDocs plugin does this itself)."""
    from cir_portal.adapters.search import SearchIndexError, index_site

    try:
        stats = index_site(site, lang)
    except SearchIndexError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_UNUSABLE)
    if stats.pages == 0:
        click.echo(f"error: no page of {site} was indexed: is it a built site (HTML files)?", err=True)
        sys.exit(EXIT_ERRORS)
    parts = f" in {stats.parts} parts" if stats.parts > 1 else ""
    click.echo(f"indexed {stats.pages} pages of {site}{parts} in {stats.seconds:.1f} s: {stats.files} files, "
               f"{stats.bytes / 2**20:.1f} MiB in {site / 'pagefind'}")


def main() -> None:
    cli(prog_name="cir")


gaps.register(cli)
contrib.register(cli)
