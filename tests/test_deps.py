"""Dependency tracking (core/deps.py): what reading the register through its tracked wrapper
records, what comparing two registers reports as changed, and the graph that joins the two;
the progress line of long builds (adapters/progress.py)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from cir_portal.adapters.progress import ProgressLine
from cir_portal.core.config import Project
from cir_portal.core.deps import (
    Graph,
    KeptValues,
    Memo,
    Reads,
    TrackedIndex,
    TrackedRegister,
    changed_keys,
    entry_key,
    index_key,
    list_key,
    record_key,
)
from cir_portal.core.model import Record, Register
from cir_portal.core.pipeline import load_register


def load(root: Path, previous: object = None) -> Register:
    result = load_register(Project(root), use_cache=False, previous=previous)  # type: ignore[arg-type]
    assert result.register is not None, result.issues
    return result.register


def test_reads_record_what_was_read(make_project) -> None:  # type: ignore[no-untyped-def]
    register = load(make_project())
    reads = Reads()
    tracked = TrackedRegister(register, reads)
    imp = register.improvements[0]
    with reads.collect() as got:
        tracked.get(imp.id)
    assert got == {entry_key("records", imp.id), record_key(imp.id)}
    with reads.collect() as got:
        list(tracked.improvements)
    assert got == {list_key("improvements")}
    owner = imp.owner or imp.requester
    assert owner in register.improvements_by_person
    with reads.collect() as got:
        bool(tracked.improvements_by_person.get(owner))  # is there any? (not: which records, what they say)
    assert got == {entry_key("improvements_by_person", owner)}
    with reads.collect() as got:
        [r.title for r in tracked.improvements_by_person.get(owner, [])]
    assert record_key(imp.id) in got and entry_key("improvements_by_person", owner) in got
    with reads.collect() as got:
        dict(tracked.records_by_tag)
    assert index_key("records_by_tag") in got


def test_nested_collections_all_see_a_read() -> None:
    """A value computed once and shared (the KPI ledger) records into the page that asked and into itself."""
    reads = Reads()
    with reads.collect() as outer, reads.collect() as inner:
        reads.update(key for key in [record_key("A"), record_key("B")])  # a generator: read once, seen by both
    assert outer == inner == {record_key("A"), record_key("B")}
    with reads.collect() as outer, reads.paused():
        reads.add(record_key("C"))
    assert not outer


def test_changed_keys_name_what_differs(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project()
    register = load(root)
    before = TrackedRegister(register, Reads())
    same = TrackedRegister(load(root), Reads())
    # Records are new objects when loaded from scratch: every one reads as changed.
    assert record_key(register.improvements[0].id) in changed_keys(before, same)
    result = load_register(Project(root), use_cache=False)
    again = load_register(Project(root), use_cache=False, previous=result)
    assert again.register is not None and result.register is not None
    assert changed_keys(TrackedRegister(result.register, Reads()), TrackedRegister(again.register, Reads())) == set()
    path = root / "content" / result.register.improvements[0].rel.removeprefix("content/")
    path.write_text(path.read_text(encoding="utf-8").replace("title: ", "title: 改 ", 1), encoding="utf-8")
    edited = load_register(Project(root), use_cache=False, previous=again)
    assert edited.register is not None
    keys = changed_keys(TrackedRegister(again.register, Reads()), TrackedRegister(edited.register, Reads()))
    rid = result.register.improvements[0].id
    assert record_key(rid) in keys and list_key("improvements") in keys
    assert list_key("lessons") not in keys
    # the record is still in the same entries: only the whole indexes holding it changed
    assert not any(k[0] == "entry" for k in keys)
    assert index_key("records_by_tag") in keys


def test_a_derived_index_compares_entry_by_entry() -> None:
    reads = Reads()
    old = TrackedIndex("slugs", {"a": "a", "b": "b"}, reads)
    new = TrackedIndex("slugs", {"a": "a", "b": "b-2", "c": "c"}, reads)
    assert old.differing(new) == new.differing(old) == {"b", "c"}
    with reads.collect() as got:
        assert new.get("b") == "b-2" and "z" not in new
    assert got == {entry_key("slugs", "b"), entry_key("slugs", "z")}
    # lists: the same objects are the same entry; equal values in other objects too
    shared = ("IMP-0001", "x")
    old = TrackedIndex("pairs", {"a": [shared], "b": [("IMP-0002", "y")], "c": [shared]}, reads)
    new = TrackedIndex("pairs", {"a": [shared], "b": [("IMP-0002", "y")], "c": [("IMP-0003", "z")]}, reads)
    assert old.differing(new) == {"c"}


def test_graph_finds_the_readers_of_changed_keys() -> None:
    graph: Graph[str] = Graph()
    graph.put("page-a", [record_key("X"), list_key("lessons")])
    graph.put("page-b", [record_key("Y")])
    assert graph.affected([record_key("X")]) == {"page-a"}
    graph.put("page-a", [record_key("Y")])  # read something else this time
    assert graph.affected([record_key("X")]) == set()
    assert graph.affected([record_key("Y")]) == {"page-a", "page-b"}
    graph.drop("page-b")
    assert graph.affected([record_key("Y")]) == {"page-a"} and len(graph) == 1


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_one_line_on_a_terminal_and_nothing_in_a_log() -> None:
    terminal = _Terminal()
    line = ProgressLine(terminal, interval=0)
    for done in range(1, 4):
        line.step("records validated", done, 3)
    line.done()
    text = terminal.getvalue()
    assert "\n" not in text and text.count("\r") == 4 and "records validated: 3 / 3" in text
    log = io.StringIO()  # not a terminal: CI
    quiet = ProgressLine(log, interval=0)
    quiet.step("records validated", 1, 3)
    quiet.done()
    assert log.getvalue() == ""


def test_memo_keeps_a_value_until_something_it_read_changes() -> None:
    reads, memo = Reads(), Memo()
    made: list[str] = []

    def make(text: str) -> str:
        made.append(text)
        reads.add(entry_key("records_by_tag", "x"))
        return text.upper()

    with reads.collect() as first:
        assert memo.get(("row", "a.md", 1), reads, lambda: make("a"), ["IMP-1"]) == "A"
    # a hit gives the value and what making it read, to the artefact that uses it
    with reads.collect() as second:
        assert memo.get(("row", "a.md", 1), reads, lambda: make("b"), ["IMP-1"]) == "A"
    assert made == ["a"]
    assert first == second == {record_key("IMP-1"), entry_key("records_by_tag", "x")}
    memo.forget({record_key("IMP-2")})
    assert memo.get(("row", "a.md", 1), reads, lambda: make("c")) == "A"
    memo.forget({record_key("IMP-1")})
    assert memo.get(("row", "a.md", 1), reads, lambda: make("d")) == "D"
    memo.prune()
    # a page's values made again in a build: those it did not use are forgotten
    memo.get(("row", "a.md", 2), reads, lambda: make("e"))
    memo.get(("row", "b.md", 1), reads, lambda: make("f"))
    memo.prune()
    memo.get(("row", "a.md", 2), reads, lambda: make("g"))
    memo.prune()
    assert ("row", "a.md", 1) not in memo.values and ("row", "a.md", 2) in memo.values and ("row", "b.md", 1) in memo.values


def test_kept_values_follow_their_record_and_key() -> None:
    def key(n: int) -> tuple[object, ...]:
        return ("a", (1, n), True)  # (a new tuple each call: a constant one would be one object)

    kept: KeptValues[str] = KeptValues()
    first = kept.key(key(2))
    assert key(2) is not first and kept.key(key(2)) is first  # equal: the last build's object, checked with `is`
    a, b = object.__new__(Record), object.__new__(Record)
    made: list[str] = []

    def make(text: str) -> Callable[[], str]:
        def run() -> str:
            made.append(text)
            return text
        return run

    assert kept.get(a, first, make("a1"), keep=True) == "a1"
    assert kept.get(a, first, make("a2"), keep=True) == "a1"  # kept for the same record and key
    assert kept.get(b, first, make("b1"), keep=False) == "b1"
    assert kept.get(b, first, make("b2"), keep=False) == "b2"  # a single build keeps nothing
    other = kept.key(key(3))
    assert other is not first and kept.get(a, other, make("a3"), keep=True) == "a3"  # another key: made again
    assert kept.key(key(2)) is not first  # only the last key is kept
    assert made == ["a1", "b1", "b2", "a3"]
