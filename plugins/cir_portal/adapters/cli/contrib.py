"""``cir new``, ``cir move``, ``cir support``, ``cir renumber``, ``cir import`` and ``cir export``: the contributor's commands.

Thin click adapters over authoring (scaffold, editor, importing, collisions) and the exports view. Every
command refuses to write anything that would not validate; mistakes are messages with the
file and what to do (exit 1), never tracebacks; an unusable project or input is exit 2.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import click

from cir_portal.adapters.cli.common import AUDIENCE_OPTION, EXIT_ERRORS, EXIT_OK, EXIT_UNUSABLE, load_project, resolve_audience
from cir_portal.authoring.atomic import WriteRefused
from cir_portal.authoring.collisions import GitError, reserved_ids
from cir_portal.authoring.editor import EditError, Refused, apply_changes, plan_move, plan_renumber, plan_support
from cir_portal.authoring.importing import (
    PROGRESS_ROWS,
    Mapping,
    load_mapping,
    plan_import,
)
from cir_portal.authoring.importing import write_import as write_rows
from cir_portal.authoring.scaffold import KINDS, Vocabulary, plan_new, required_keys, today
from cir_portal.authoring.tables import ImportProblem
from cir_portal.authoring.tables import read_table as read_sheet
from cir_portal.core.pipeline import LoadResult
from cir_portal.core.reporters import REPORTERS
from cir_portal.views.exports import EXPORT_FORMATS, export_table

#: Command-line spelling of the keys ``cir new`` may need.
FLAGS = {"title": "TITLE", "requester": "--requester", "source": "--source", "affects": "--affects", "owner": "--owner",
         "author": "--author", "kind": "--kind", "recommendation": "--recommendation", "horizon": "--horizon",
         "practice": "--practice", "assessor": "--assessor", "level": "--level", "target_level": "--target-level"}
_PROJECT = click.option("--project", "project_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
                        help="The register repository (default: the current folder or a parent with site_config/).")
_AGAINST = click.option("--against", "against", multiple=True, metavar="REF",
                        help="Also avoid ids used on this git ref (repeatable; the default branch is always avoided).")


def register(cli: click.Group) -> None:
    """Add the contributor commands to the ``cir`` group."""
    for command in (new, move, support, renumber, import_, export):
        cli.add_command(command)


def _load(project_dir: Path | None) -> LoadResult:
    """The loaded register, or exit 2 when there is no project or its configuration is unusable."""

    result = load_project(project_dir, use_cache=False)
    if result.config is None:
        sys.stderr.write(REPORTERS["text"](result.issues))
        click.echo("error: the configuration has errors; fix them first (`cir validate` lists them)", err=True)
        sys.exit(EXIT_UNUSABLE)
    return result


def _utf8(**values: str | tuple[str, ...] | None) -> None:
    """Exit 1 when an argument holds bytes that are not UTF-8 (the terminal's encoding is not UTF-8)."""
    for name, value in values.items():
        for text in value if isinstance(value, tuple) else (value,):
            if text is not None and any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
                shown = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                _fail(f"{name} {shown!r} holds bytes that are not UTF-8; nothing was written",
                      ["Set the terminal to UTF-8 (e.g. LANG=C.UTF-8) or retype the text."])


def _fail(message: str, lines: list[str] | None = None, code: int = EXIT_ERRORS) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    for line in lines or []:
        click.echo(f"  {line}" if not line.startswith(" ") else line, err=True)
    sys.exit(code)


@contextmanager
def _refusals() -> Iterator[None]:
    """A planned edit that is refused (or cannot be made) ends the command with its message, exit 1."""
    try:
        yield
    except Refused as exc:
        _fail(exc.message, exc.lines)
    except (EditError, WriteRefused) as exc:
        _fail(str(exc))


def _reserved(result: LoadResult, against: tuple[str, ...]) -> set[str]:
    try:
        return reserved_ids(result.project, against)
    except GitError as exc:
        _fail(str(exc), code=EXIT_UNUSABLE)
        raise  # pragma: no cover - _fail exits


# --- cir new -------------------------------------------------------------------------------------


def _git_person(result: LoadResult, vocab: Vocabulary) -> str | None:
    """The person id of whoever runs the command, from git's user.email or user.name."""
    from cir_portal.authoring.collisions import git

    for key in ("user.email", "user.name"):
        value = (git(result.project.root, "config", key) or "").strip()
        if value and vocab.person(value):
            return vocab.person(value)
    return None


class _Asker:
    """Prompts for missing values, offering the keys the configuration knows."""

    def __init__(self, result: LoadResult, vocab: Vocabulary) -> None:
        assert result.config is not None
        self.config, self.vocab = result.config, vocab

    def known(self, label: str, values: list[str]) -> None:
        click.echo(f"{label}: {', '.join(values)}", err=True)

    def person(self, prompt: str, default: str | None, *, free: bool = False) -> str:
        self.known("people", list(self.config.people))

        def convert(text: str) -> str:
            found = self.vocab.person(text)
            if found is None and not free:
                raise click.BadParameter(f"{text!r} is not a person id of site_config/people.yml")
            return found or text.strip()

        return str(click.prompt(prompt, default=default, value_proc=convert, err=True))

    def choice(self, prompt: str, choices: list[str], default: str | None = None) -> str:
        return str(click.prompt(prompt, type=click.Choice(choices), default=default, err=True))

    def term(self, prompt: str, category: str, default: str | None = None) -> str:
        keys = list(self.config.taxonomy.get(category, {}))
        self.known(category, keys)

        def convert(text: str) -> str:
            found = self.vocab.term(category, text)
            if found is None:
                raise click.BadParameter(f"{text!r} is not a key of `{category}` in site_config/taxonomy.yml")
            return found

        return str(click.prompt(prompt, default=default, value_proc=convert, err=True))

    def affects(self) -> list[str]:
        from cir_portal.core.config import AFFECTS_KINDS

        for kind, category in AFFECTS_KINDS.items():
            self.known(kind, list(self.config.taxonomy.get(category, {})))

        def convert(text: str) -> list[str]:
            items = [t.strip() for t in text.replace("；", ",").replace(";", ",").split(",") if t.strip()]
            out = []
            for item in items:
                found = self.vocab.affected(item)
                if found is None:
                    raise click.BadParameter(f"{item!r} is not kind/key of site_config/taxonomy.yml (e.g. service/email)")
                out.append(found)
            if not out:
                raise click.BadParameter("name at least one")
            return out

        return list(click.prompt("Affects (kind/key, several separated by commas)", value_proc=convert, err=True))

    def date(self, prompt: str, default: str | None = None) -> str:
        return str(click.prompt(prompt, default=default, value_proc=_date, err=True))


def _date(text: str) -> str:
    import datetime as dt

    try:
        return dt.date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a date; write YYYY-MM-DD") from None


def _date_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    return None if value is None else _date(value)


@click.command()
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("title", required=False)
@click.option("--requester", help="Improvement: who asked (person id or name; free text for an external stakeholder). "
                                  "Default: you, when git's user.email is in people.yml.")
@click.option("--source", help="Improvement: a key (or name) of taxonomy `sources` [default: staff_idea].")
@click.option("--source-ref", help="Improvement: e.g. PRB-1234, ASM-0005#G2, a URL.")
@click.option("--affects", multiple=True, help="Improvement/lesson: kind/key from the taxonomy, e.g. service/email (repeatable).")
@click.option("--owner", help="Improvement/objective: ONE accountable person id.")
@click.option("--author", help="Lesson: who records it (person id). Default: you.")
@click.option("--kind", "lesson_kind", type=click.Choice(["success", "failure", "observation"]), help="Lesson: its kind.")
@click.option("--recommendation", help="Lesson: what to do next time.")
@click.option("--improvement", "improvements", multiple=True, help="Lesson: an improvement id it comes from (repeatable).")
@click.option("--practice", help="Assessment: a key (or name) of taxonomy `practices`.")
@click.option("--assessor", help="Assessment: who assessed (person id). Default: you.")
@click.option("--level", type=click.IntRange(1, 5), help="Assessment: current capability level, 1-5.")
@click.option("--target-level", type=click.IntRange(1, 5), help="Assessment: target capability level, 1-5.")
@click.option("--part-of", "part_of", metavar="IMP-ID",
              help="Improvement: the initiative (another improvement) this one is a part of.")
@click.option("--supporter", "supporters", multiple=True, metavar="PERSON",
              help="Improvement: a person (id or name from people.yml) who backs it (repeatable).")
@click.option("--horizon", callback=_date_option, help="Objective: when it should be reached (YYYY-MM-DD).")
@click.option("--parent", help="Objective: the objective it contributes to.")
@click.option("--date", "day", callback=_date_option,
              help="The record's date (raised / date), YYYY-MM-DD [default: today].")
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@_AGAINST
@click.option("-i/-I", "--interactive/--no-interactive", default=None,
              help="Ask for missing values [default: only in a terminal when TITLE is not given].")
@click.option("--dry-run", is_flag=True, help="Print the file instead of writing it.")
@_PROJECT
def new(kind: str, title: str | None, requester: str | None, source: str | None, source_ref: str | None,
        affects: tuple[str, ...], owner: str | None, author: str | None, lesson_kind: str | None,
        recommendation: str | None, improvements: tuple[str, ...], practice: str | None, assessor: str | None,
        level: int | None, target_level: int | None, part_of: str | None, supporters: tuple[str, ...],
        horizon: str | None, parent: str | None, day: str | None,
        tags: tuple[str, ...], against: tuple[str, ...], interactive: bool | None, dry_run: bool,
        project_dir: Path | None) -> None:
    """Create a record of KIND (improvement, lesson, objective, assessment) titled TITLE.

    The record gets the next free id (never one the default branch already uses), a file
    name from the title (Chinese titles become pinyin), the minimal front matter that is
    valid in the first status, comments saying what each key accepts, and section headings
    in the portal's language. Prints the new file's path.

    \b
    cir new improvement "邮件归档自建" --requester li.na --affects service/email
    cir new improvement "Status page drill" --part-of IMP-0038 --supporter li.na --supporter wang.wei
    cir new lesson "Rehearse rollbacks" --kind success --recommendation "..." --improvement IMP-0004
    cir new objective "缩短变更前置时间" --owner zhao.qian --horizon 2027-06-30
    cir new assessment --practice change-enablement --level 2 --target-level 3 "变更赋能评估 2026"
    """
    _utf8(TITLE=title, **{"--requester": requester, "--source-ref": source_ref, "--owner": owner, "--author": author,
                          "--recommendation": recommendation, "--tag": tags, "--affects": affects})
    result = _load(project_dir)
    config = result.config
    assert config is not None
    vocab = Vocabulary(config)
    if interactive is None:
        interactive = title is None and sys.stdin.isatty()
    if title is None and not interactive and kind != "assessment":
        raise click.UsageError("give the record's TITLE (or run in a terminal to be asked for everything)")
    me = _git_person(result, vocab)
    ask = _Asker(result, vocab)
    values: dict[str, Any] = {}
    if interactive and title is None and kind != "assessment":
        title = str(click.prompt("Title", err=True))
    if title:
        values["title"] = title
    date = day or today()

    def person(value: str | None) -> str | None:
        return None if value is None else vocab.person(value) or value

    if kind == "improvement":
        values.update(raised=date, requester=person(requester), source_ref=source_ref, owner=person(owner),
                      part_of=part_of, supporters=[person(p) for p in supporters] or None)
        values["source"] = (vocab.term("sources", source) or source) if source else None
        values["affects"] = [vocab.affected(a) or a for a in affects] or None
        if interactive:
            values["requester"] = values["requester"] or ask.person("Requester (person id, or free text)", me, free=True)
            default_source = "staff_idea" if "staff_idea" in config.taxonomy.get("sources", {}) else None
            values["source"] = values["source"] or ask.term("Source", "sources", default_source)
            values["affects"] = values["affects"] or ask.affects()
        values["requester"] = values["requester"] or me
        if values["source"] is None and "staff_idea" in config.taxonomy.get("sources", {}):
            values["source"] = "staff_idea"
    elif kind == "lesson":
        values.update(date=date, author=person(author) or (None if interactive else me), kind=lesson_kind,
                      recommendation=recommendation, improvements=list(improvements),
                      affects=[vocab.affected(a) or a for a in affects] or None)
        if interactive:
            values["author"] = values["author"] or ask.person("Author", me)
            values["kind"] = values["kind"] or ask.choice("Kind", ["success", "failure", "observation"], "observation")
            values["recommendation"] = values["recommendation"] or str(click.prompt("Recommendation", err=True))
    elif kind == "objective":
        values.update(owner=person(owner), horizon=horizon, parent=parent, kpis=[])
        if interactive:
            values["owner"] = values["owner"] or ask.person("Owner", me)
            values["horizon"] = values["horizon"] or ask.date("Horizon (YYYY-MM-DD)")
    else:
        values.update(date=date, assessor=person(assessor) or (None if interactive else me),
                      level=level, target_level=target_level)
        values["practice"] = (vocab.term("practices", practice) or practice) if practice else None
        if interactive:
            values["assessor"] = values["assessor"] or ask.person("Assessor", me)
            values["practice"] = values["practice"] or ask.term("Practice", "practices")
            values["level"] = values["level"] or click.prompt("Current level", type=click.IntRange(1, 5), err=True)
            values["target_level"] = values["target_level"] or click.prompt("Target level", type=click.IntRange(1, 5),
                                                                            err=True)
    if tags:
        values["tags"] = list(tags)
    missing = [k for k in required_keys(config, kind) if k not in ("id", "status") and values.get(k) in (None, "")]
    if missing:
        flags = ", ".join(FLAGS.get(k, k) for k in missing)
        raise click.UsageError(f"a new {kind} needs {flags} (or run in a terminal with -i to be asked)")
    planned = plan_new(result, kind, values, reserved=_reserved(result, against))
    if planned.issues:
        sys.stderr.write(REPORTERS["text"](planned.issues))
    if planned.errors:
        _fail(f"{planned.rel} would not validate, so it was not written; fix the values above and run again")
    if dry_run:
        click.echo(planned.text, nl=False)
        click.echo(f"(dry run: {planned.rel} not written)", err=True)
        return
    try:
        planned.write()
    except WriteRefused as exc:
        _fail(f"{exc}; run the command again")
    click.echo(planned.rel)
    if interactive:
        click.echo(f"Created {planned.id}. Fill in the body, then run `cir validate`.", err=True)


# --- cir move / support / renumber ---------------------------------------------------------------


@click.command()
@click.argument("record_id", metavar="ID")
@click.argument("status")
@click.option("--note", help="A note for the history entry.")
@click.option("--date", "day", callback=_date_option, help="Date of the change, YYYY-MM-DD [default: today].")
@_PROJECT
def move(record_id: str, status: str, note: str | None, day: str | None, project_dir: Path | None) -> None:
    """Move improvement ID to STATUS: checks the transition and what STATUS requires, then sets
    `status` and appends `{date, status, note}` to `history`, changing nothing else in the file.

    When the move is not allowed or keys are missing, nothing is written and the message
    lists the allowed statuses or the keys to add (exit 1).
    """
    _utf8(ID=record_id, STATUS=status, **{"--note": note})
    result = _load(project_dir)
    with _refusals():
        change = plan_move(result, record_id, status, note=note, date=day)
        apply_changes([change], rel=result.project.rel)
    click.echo(f"{change.rel}: {change.summary}")


@click.command()
@click.argument("record_id", metavar="ID")
@click.option("--person", help="Who backs it: a person id (or name, or email) of site_config/people.yml "
                               "[default: you, from git's user.email or user.name].")
@_PROJECT
def support(record_id: str, person: str | None, project_dir: Path | None) -> None:
    """Add a supporter to improvement ID: appends the person to `supporters` (creating the key
    when the record has none), changing nothing else in the file.

    Supporters are shown on the record's card and in the register, and count in the priority
    score when portal.yml gives `priority.weights.support` a weight. Running it again for the
    same person changes nothing (exit 0).
    """
    result = _load(project_dir)
    assert result.config is not None
    vocab = Vocabulary(result.config)
    who = person or _git_person(result, vocab)
    if who is None:
        _fail("cannot tell who you are", ["Pass --person ID, or set `git config user.email` to your email in "
                                          "site_config/people.yml."])
    _utf8(ID=record_id, **{"--person": person})
    with _refusals():
        change = plan_support(result, record_id, who)
        if change is None:
            click.echo(f"{record_id}: {vocab.person(who) or who} supports it already; nothing changed")
            return
        apply_changes([change], rel=result.project.rel)
    click.echo(f"{change.rel}: {change.summary}")


@click.command()
@click.argument("target", metavar="ID|PATH")
@_AGAINST
@click.option("--dry-run", is_flag=True, help="Show what would change without writing.")
@_PROJECT
def renumber(target: str, against: tuple[str, ...], dry_run: bool, project_dir: Path | None) -> None:
    """Give a record the next free id (free here and on the default branch), rename its file,
    and rewrite every reference to it across the register; nothing else in the files changes.

    Use it when `cir validate --against <branch>` reports an id.collision. When two files here
    share the id (after merging the default branch), the one this branch added is renumbered.
    """
    result = _load(project_dir)
    with _refusals():
        plan = plan_renumber(result, target, reserved=_reserved(result, against))
    if not dry_run:
        with _refusals():
            apply_changes(plan.changes, rel=result.project.rel)
    renamed = next(c for c in plan.changes if c.old is not None)
    assert renamed.old is not None
    click.echo(f"{plan.old_id} -> {plan.new_id}: {result.project.rel(renamed.old)} "
               f"{'would become' if dry_run else 'is now'} {renamed.rel}")
    for where in plan.updated:
        click.echo(f"  {'would update' if dry_run else 'updated'} {where}")
    for where in plan.skipped:
        click.echo(f"  left alone (refers to the record that keeps {plan.old_id}): {where}")
    if plan.mentions:
        click.echo(f"Check these mentions of {plan.old_id} in the text (not changed):", err=True)
        for where in plan.mentions:
            click.echo(f"  {where}", err=True)


# --- cir import / export -------------------------------------------------------------------------


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--mapping", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="YAML file: columns (header -> key), values (per key: text -> value), defaults.")
@click.option("--sheet", help="Worksheet of an .xlsx file [default: the first].")
@click.option("--encoding", help="Encoding of a .csv file that is not UTF-8, e.g. gbk (Excel on Chinese Windows) or cp1252.")
@click.option("--dry-run", is_flag=True, help="Check every row and report, but write nothing.")
@_AGAINST
@_PROJECT
def import_(file: Path, mapping: Path | None, sheet: str | None, encoding: str | None, dry_run: bool,
            against: tuple[str, ...], project_dir: Path | None) -> None:
    """Import improvements from a spreadsheet (.xlsx or .csv), one record per row.

    Columns are matched by key (`title`, `status`, ...) or label (名称, 状态, 负责人, 价值/收益,
    ...); values by key or label (高/中/低, 已批准, 李娜); lists are separated by ; or , .
    Each row becomes a file only if it validates; rows that do not are reported with their
    row number and reason. Existing records are never overwritten.

    Exit status: 0 every row imported, 1 some rows failed, 2 the file or mapping is unusable.
    """
    result = _load(project_dir)
    try:
        table = read_sheet(file, sheet, encoding)
        rules = load_mapping(mapping) if mapping else Mapping()
        reserved = _reserved(result, against)
        rows = len(table.rows)
        if rows >= PROGRESS_ROWS:
            with click.progressbar(length=rows, label=f"checking {rows} rows", file=sys.stderr) as bar:
                plan = plan_import(result, table, rules, reserved=reserved, progress=lambda n: bar.update(n - bar.pos))
        else:
            plan = plan_import(result, table, rules, reserved=reserved)
    except ImportProblem as exc:
        _fail(str(exc), code=EXIT_UNUSABLE)
        return
    for note in plan.notes:
        click.echo(f"note: {note}", err=True)
    if not dry_run:
        try:
            write_rows(plan, rel=result.project.rel)
        except WriteRefused as exc:
            _fail(f"{exc}. Run the import again.")
    for row in plan.rows:
        if row.rel:
            click.echo(f"{'would create' if dry_run else 'created'} {row.rel} (row {row.row})")
    for row in plan.failed:
        click.echo(f"{file.name}: row {row.row}: not imported:", err=True)
        for problem in row.problems:
            click.echo(f"    {problem}", err=True)
    created, failed = len(plan.created), len(plan.failed)
    click.echo(f"{created} record{'s' if created != 1 else ''} {'to create' if dry_run else 'created'}, "
               f"{failed} row{'s' if failed != 1 else ''} failed", err=True)
    sys.exit(EXIT_ERRORS if failed else EXIT_OK)


@click.command()
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS),
              help="csv (improvements, UTF-8 with BOM), xlsx (the same columns), json (every record) "
                   "[default: from --out's suffix, else csv].")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="File to write [default: standard output].")
@AUDIENCE_OPTION
@_PROJECT
def export(fmt: str | None, out: Path | None, audience: str | None, project_dir: Path | None) -> None:
    """Write the register out as the portal publishes it: register.csv, register.json, or an Excel workbook.

    Records with errors are left out (and counted on stderr): run `cir validate` to see them.
    Only the records published to the audience are written, without its redacted keys.
    Cells that a spreadsheet would run as a formula are written as text.
    """
    suffix = out.suffix.lower().lstrip(".") if out else ""
    fmt = fmt or (suffix if suffix in EXPORT_FORMATS else "csv")
    if fmt == "xlsx" and out is None:
        raise click.UsageError("--format xlsx needs --out FILE.xlsx")

    result = load_project(project_dir, use_cache=False, audience=resolve_audience(audience))
    if result.config is None or result.register is None:
        sys.stderr.write(REPORTERS["text"](result.issues))
        _fail("the configuration has errors; fix them first (`cir validate` lists them)", code=EXIT_UNUSABLE)
    bad = {i.path for i in result.errors}
    if bad:
        click.echo(f"warning: {len(bad)} file{'s' if len(bad) != 1 else ''} with errors left out; "
                   "run `cir validate` to see them", err=True)
    data = export_table(result, fmt)
    if out is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        out.write_bytes(data)
        click.echo(f"wrote {out}", err=True)
