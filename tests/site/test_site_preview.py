"""Live preview, without MkDocs: after every edit, the incrementally rebuilt site tree
(views/preview.py) is the tree a full build of the same files gives, page for page, file for
file and card for card; and every page or file that differs from the previous build is among
those the preview reports as changed (the engine re-renders only those).

A copy of the example register is edited at random (seeded, so a failure repeats): titles,
tags, owners, affects, links between records, measurements, bodies, dates; records added,
deleted, renamed, broken and fixed. Each step compares with a build from scratch.
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from cir_portal.core.config import Project
from cir_portal.core.pipeline import LoadResult, load_register
from cir_portal.views.preview import Delta, Preview
from cir_portal.views.tree import SiteTree, build_tree
from cirtest.site import FRONT_MATTER, copy_project, person_teams, read_records

EPOCH = 1_767_225_600  # 2026-01-01: fixed, so that only the edits change the site
STEPS = int(os.environ.get("CIR_PREVIEW_STEPS", "9"))  # more for a longer search for a stale page


def front(path: Path) -> tuple[dict[str, Any], str]:
    text = path.read_text(encoding="utf-8")
    match = FRONT_MATTER.match(text)
    assert match, path
    return yaml.safe_load(match.group(1)), text[match.end():]


def write(path: Path, data: dict[str, Any], body: str) -> None:
    path.write_text("---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000) + "---\n" + body,
                    encoding="utf-8")


class Editor:
    """Random edits of a register project, each a small change a contributor could make."""

    def __init__(self, project: Path, rng: random.Random) -> None:
        self.project, self.rng = project, rng
        self.content = project / "content"
        self.people = sorted(person_teams(project))
        self.broken: list[tuple[Path, str]] = []
        self.made = 0

    def files(self, folder: str) -> list[Path]:
        return sorted((self.content / folder).glob("*.md"))

    def pick(self, folder: str = "improvements") -> Path:
        return self.rng.choice(self.files(folder))

    def edit(self, folder: str, change: Callable[[dict[str, Any]], None]) -> str:
        path = self.pick(folder)
        data, body = front(path)
        change(data)
        write(path, data, body)
        return f"{change.__name__} {path.name}"

    def title(self) -> str:
        def title(d: dict[str, Any]) -> None:
            d["title"] = f"{d['title']} 改 {self.rng.randint(0, 99)}"
        return self.edit(self.rng.choice(["improvements", "lessons", "objectives"]), title)

    def tags(self) -> str:
        def tags(d: dict[str, Any]) -> None:
            used = sorted({t for r in read_records(self.project) for t in r.front_matter.get("tags") or []})
            d["tags"] = sorted({*self.rng.sample(used, 2), self.rng.choice(["新标签", "release", "new-tag"])})
        return self.edit(self.rng.choice(["improvements", "lessons"]), tags)

    def owner(self) -> str:
        def owner(d: dict[str, Any]) -> None:
            d["requester"] = self.rng.choice(self.people)
            if "owner" in d:
                d["owner"] = self.rng.choice(self.people)
        return self.edit("improvements", owner)

    def affects(self) -> str:
        def affects(d: dict[str, Any]) -> None:
            items = sorted({a for r in read_records(self.project) for a in r.front_matter.get("affects") or []})
            d["affects"] = self.rng.sample(items, 2)
        return self.edit(self.rng.choice(["improvements", "lessons"]), affects)

    def link(self) -> str:
        ids = [r.id for r in read_records(self.project) if r.kind == "improvement"]

        def link(d: dict[str, Any]) -> None:
            if "improvements" in d or d.get("kind"):  # a lesson
                d["improvements"] = self.rng.sample(ids, 2)
            else:
                d["related"] = [self.rng.choice(ids)]
        return self.edit(self.rng.choice(["improvements", "lessons"]), link)

    def measure(self) -> str:
        def measure(d: dict[str, Any]) -> None:
            for metric in d.get("metrics") or []:
                for point in metric.get("measurements") or []:
                    point["value"] = point["value"] + self.rng.randint(1, 9)
        return self.edit("improvements", measure)

    def body(self) -> str:
        path = self.pick(self.rng.choice(["improvements", "lessons"]))
        path.write_text(path.read_text(encoding="utf-8") + f"\n补充说明 {self.rng.randint(0, 999)}。\n", encoding="utf-8")
        return f"body {path.name}"

    def lesson_date(self) -> str:
        def lesson_date(d: dict[str, Any]) -> None:
            d["date"] = f"202{self.rng.randint(3, 5)}-0{self.rng.randint(1, 9)}-1{self.rng.randint(0, 9)}"
        return self.edit("lessons", lesson_date)

    def add(self) -> str:
        source = self.pick()
        data, body = front(source)
        self.made += 1
        rid = f"IMP-{9000 + self.made}"
        data.update(id=rid, title=f"新增记录 Added {self.made}")
        write(self.content / "improvements" / f"{rid}-added-{self.made}.md", data, body)
        return f"add {rid} (copy of {source.name})"

    def delete(self) -> str:
        path = self.pick(self.rng.choice(["improvements", "lessons"]))
        path.unlink()
        return f"delete {path.name}"

    def rename(self) -> str:
        path = self.pick()
        target = path.with_name(path.stem + "-renamed.md")
        path.rename(target)
        return f"rename {path.name}"

    def break_or_fix(self) -> str:
        if self.broken:
            path, text = self.broken.pop()
            path.write_text(text, encoding="utf-8")
            return f"fix {path.name}"
        path = self.pick()
        text = path.read_text(encoding="utf-8")
        self.broken.append((path, text))
        path.write_text(re.sub(r"(?m)^status: .*$", "status: no-such-status", text, count=1), encoding="utf-8")
        return f"break {path.name}"

    def step(self) -> str:
        moves = [self.title, self.tags, self.owner, self.affects, self.link, self.measure, self.body, self.lesson_date,
                 self.add, self.delete, self.rename, self.break_or_fix]
        return self.rng.choice(moves)()


def full_tree(project: Project) -> SiteTree:
    result = load_register(project, use_cache=False)
    assert result.register is not None
    return build_tree(result.register, project, epoch=EPOCH)


def outputs(tree: SiteTree) -> dict[str, Any]:
    """Everything a tree publishes, by page or file: each page's title, settings, Markdown, heading
    and card (a record's made from the record when asked for), and each file's bytes."""
    out: dict[str, Any] = {src: (page.title, dict(page.meta), page.content, page.heading, page.card, page.generated)
                           for src, page in tree.pages.items()}
    out.update(tree.files)
    return out


def compare(step: str, preview: Preview, delta: Delta, before: dict[str, Any], full: SiteTree) -> dict[str, Any]:
    """Check the preview against a full build; returns what the full build published."""
    expected = outputs(full)
    got = outputs(preview.tree)
    wrong = sorted(k for k in expected.keys() | got.keys() if expected.get(k) != got.get(k))
    assert not wrong, f"after {step}: the preview differs from a full build in {wrong[:10]}"
    unreported = sorted(k for k in expected if expected[k] != before.get(k) and k not in delta.changed)
    assert not unreported, f"after {step}: changed but not reported as changed: {unreported[:10]}"
    return expected


@pytest.mark.parametrize("seed", [7, 2026] + [int(s) for s in os.environ.get("CIR_PREVIEW_SEEDS", "").split(",") if s])
def test_preview_matches_a_full_build_after_every_edit(tmp_path: Path, seed: int) -> None:
    root = copy_project(tmp_path / "project")
    project = Project(root)
    editor = Editor(root, random.Random(seed))
    preview = Preview()
    previous: LoadResult | None = None
    before: dict[str, Any] = {}
    shares = []
    for n in range(STEPS + 1):
        step = "the first build" if n == 0 else editor.step()
        result = load_register(project, use_cache=False, previous=previous)
        previous = result
        assert result.register is not None
        delta = preview.update(result.register, project, epoch=EPOCH)
        before = compare(step, preview, delta, before, full_tree(project))
        if n:
            shares.append(delta.regenerated / delta.total)
    # Incremental: on average an edit regenerates well under half of the example's pages and cards.
    assert sum(shares) / len(shares) < 0.5, shares


def test_a_record_edit_reaches_only_the_cards_that_show_it(tmp_path: Path) -> None:
    """Which cards an edit makes again, from what each card read: a lesson is read by the cards that
    list it among their related lessons (not by every card it could have been related to), an
    improvement that closes an assessment's gap by its own card and the assessment's (not by every card)."""
    from cir_portal.core.deps import index_key, record_key
    from cir_portal.views import knowledge

    root = copy_project(tmp_path / "project")
    # more lessons about the same things than a card shows: most cards could relate lessons they do not show
    source = sorted((root / "content" / "lessons").glob("*.md"))[0]
    data, body = front(source)
    for n in range(1, 9):
        data.update(id=f"LL-{9000 + n}", title=f"Copy {n}", date=f"2025-0{n}-01")
        write(source.with_name(f"LL-{9000 + n}-copy.md"), data, body)
    project = Project(root)
    result = load_register(project, use_cache=False)
    register = result.register
    assert register is not None and not result.errors
    preview = Preview()
    preview.update(register, project, epoch=EPOCH)

    improvement_pages = {imp.src_uri for imp in register.improvements}

    def cards_reading(rid: str) -> set[str]:
        """The improvements' cards that read the record."""
        return {art[1] for art in preview.graph.affected({record_key(rid)}) if art[0] == "card"} & improvement_pages

    candidates = 0
    for lesson in register.lessons:
        showing = {imp.src_uri for imp in register.improvements
                   if any(r.lesson.id == lesson.id for r in knowledge.related_lessons(register, imp))}
        candidates += sum(1 for imp in register.improvements
                          if knowledge.improvement_features(imp) & knowledge.related_index(register).features[lesson.id])
        own = {imp.src_uri for imp in register.improvements if lesson.id in imp.lessons}
        own |= {i.src_uri for i in knowledge.lesson_improvements(register, lesson)}
        assert cards_reading(lesson.id) <= showing | own, lesson.id
    assert candidates > sum(len(cards_reading(lesson.id)) for lesson in register.lessons)  # (the test means something)
    closing = {imp.id: imp for imp in register.improvement_for_gap.values()}
    assert closing
    # (no card reads the index of gaps as a whole: it changes with any of the improvements closing one)
    assert not {art for art in preview.graph.affected({index_key("improvement_for_gap")}) if art[0] == "card"}
    for imp in closing.values():
        linking = {other.src_uri for other in register.improvements
                   if imp.id in {*other.related, *other.supersedes, other.part_of} or other.id == imp.part_of}
        assert cards_reading(imp.id) <= {imp.src_uri} | linking, imp.id
