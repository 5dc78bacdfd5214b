"""Dependency tracking: what each generated artefact (a page, a record card, an export) read
from the register, and which artefacts a change to the register reaches.

Views read the register through the ordinary model API. While an artefact is generated, the
register and its indexes are wrapped (``TrackedRegister``, ``TrackedList``, ``TrackedIndex``)
so that every read becomes a *key* in that artefact's read-set:

* ``("record", id)``: one record, read by id or found in an index entry (its whole content);
* ``("list", name)``: a whole list (``improvements``, ``lessons``, ...), membership and every
  member's content: what aggregates (the register page, the dashboard, the exports) read;
* ``("entry", index, key)``: one entry of an index (``lessons_by_improvement["IMP-0001"]``),
  i.e. which records it holds (their content is read through their own record keys);
* ``("index", name)``: a whole index, iterated.

The read-sets form a graph (``Graph``: artefact -> keys, key -> artefacts). After the content
changes, ``changed_keys`` compares the old and new register key by key, and ``Graph.affected``
names the artefacts to generate again: nothing is guessed, an artefact is regenerated exactly
when something it read is different.

Records are compared by identity: the pipeline reuses the record object of a file whose bytes
(and configuration) did not change, so a new object means new content.
"""

from __future__ import annotations

import operator
import weakref
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Generic, TypeVar, cast

from cir_portal.core.model import Record, Register

Key = tuple[Hashable, ...]
T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

def record_key(rid: str) -> Key:
    return ("record", rid)


def list_key(name: str) -> Key:
    return ("list", name)


def entry_key(index: str, key: Hashable) -> Key:
    return ("entry", index, key)


def index_key(index: str) -> Key:
    return ("index", index)


#: How many records the audience does not see (``Register.hidden``, the dashboard's note).
HIDDEN_KEY: Key = ("attr", "hidden")


class Reads:
    """Collects the keys read while artefacts are generated (nested collections all see a read)."""

    def __init__(self) -> None:
        self._open: list[set[Key]] = []

    @property
    def active(self) -> bool:
        return bool(self._open)

    def add(self, key: Key) -> None:
        for reads in self._open:
            reads.add(key)

    def update(self, keys: Iterable[Key]) -> None:
        if self._open:
            keys = tuple(keys)  # every open collection reads them all (a generator would serve one)
            for reads in self._open:
                reads.update(keys)

    @contextmanager
    def collect(self) -> Iterator[set[Key]]:
        """Record every read until the block ends into the set this yields."""
        reads: set[Key] = set()
        self._open.append(reads)
        try:
            yield reads
        finally:
            self._open.pop()

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Reads in this block count for nobody (building a tracked index from the whole register)."""
        saved, self._open = self._open, []
        try:
            yield
        finally:
            self._open = saved


def _record_ids(value: Any) -> Iterator[str]:
    """The records an index value holds: a record, or a list or tuple of them."""
    if isinstance(value, Record):
        yield value.id
    elif isinstance(value, list | tuple):
        for item in value:
            if isinstance(item, Record):
                yield item.id


def signature(value: Any) -> Hashable:
    """What an index entry holds, for comparison: records by id, other values as they are."""
    if isinstance(value, Record):
        return ("record", value.id)
    if isinstance(value, list | tuple):
        return tuple(signature(v) for v in value)
    if isinstance(value, Mapping):
        return tuple(sorted((k, signature(v)) for k, v in value.items()))
    if isinstance(value, Hashable):
        return value
    return repr(value)  # pragma: no cover - indexes hold records, ids and strings


def same_entry(a: Any, b: Any) -> bool:
    """Whether two index entries hold the same (``signature(a) == signature(b)``), quickly for
    the usual entries, lists and tuples of records: the same objects (a record whose file did
    not change keeps its object from one load to the next), else records by id (untracked)."""
    if a is b:
        return True
    if isinstance(a, Record) and isinstance(b, Record):
        return a.id == b.id
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        items_a = list.__iter__(a) if isinstance(a, list) else iter(a)  # (a TrackedList's own would be a read)
        items_b = list.__iter__(b) if isinstance(b, list) else iter(b)
        size_a = list.__len__(a) if isinstance(a, list) else len(a)
        size_b = list.__len__(b) if isinstance(b, list) else len(b)
        if size_a != size_b:
            return False
        if isinstance(a, list) and isinstance(b, list) and all(map(operator.is_, list.__iter__(a), list.__iter__(b))):
            return True  # (the usual case, at C speed)
        return all(map(same_entry, items_a, items_b))
    return signature(a) == signature(b)


class TrackedList(list[T]):
    """A list whose every read is a read of the whole list (``("list", name)``)."""

    def __init__(self, items: Iterable[T], reads: Reads, key: Key) -> None:
        super().__init__(items)
        self._reads, self._key = reads, key

    def _read(self) -> None:
        self._reads.add(self._key)

    def __iter__(self) -> Iterator[T]:
        self._read()
        return super().__iter__()

    def __reversed__(self) -> Iterator[T]:
        self._read()
        return super().__reversed__()

    def __len__(self) -> int:
        self._read()
        return super().__len__()

    def __getitem__(self, index: Any) -> Any:
        self._read()
        return super().__getitem__(index)

    def __contains__(self, item: object) -> bool:
        self._read()
        return super().__contains__(item)

    def __add__(self, other: Any) -> Any:
        self._read()
        return list(super().__iter__()) + list(other)

    def __radd__(self, other: Any) -> Any:
        self._read()
        return list(other) + list(super().__iter__())

    def copy(self) -> list[T]:
        self._read()
        return list(super().__iter__())

    def index(self, *args: Any) -> int:
        self._read()
        return super().index(*args)

    def count(self, item: Any) -> int:
        self._read()
        return super().count(item)


class TrackedEntry(TrackedList[T]):
    """An index entry that is a list: its length (``if index.get(key):``) reads which records it
    holds; its items also read the records' content."""

    def __init__(self, items: Iterable[T], reads: Reads, key: Key, records: tuple[str, ...]) -> None:
        super().__init__(items, reads, key)
        self._records = records

    @property
    def records(self) -> tuple[str, ...]:
        """The records the entry holds (untracked)."""
        return self._records

    def _read(self) -> None:
        reads = self._reads
        if reads.active:
            reads.add(self._key)
            reads.update(record_key(rid) for rid in self._records)

    def __len__(self) -> int:
        self._reads.add(self._key)
        return list.__len__(self)


class TrackedIndex(dict[K, V]):
    """A read-only mapping whose reads are recorded: an entry read by key is that entry (and,
    when its records are used, their content); iterating it is a read of the whole index.

    ``records_of`` names the records a value holds (default: the values are records or lists of
    records; an index of ids passes ``lambda ids: ids``); ``default`` is what a missing key
    reads as through ``[]`` (the model's indexes are defaultdicts of lists). A list value is
    handed out as a ``TrackedEntry``: asking only whether it is empty does not read its records.
    """

    def __init__(self, name: str, data: Mapping[K, V], reads: Reads, *,
                 records_of: Callable[[Any], Iterable[str]] = _record_ids,
                 default: Callable[[], V] | None = None) -> None:
        super().__init__(data)
        self.name = name
        self._reads, self._records_of, self._default = reads, records_of, default
        self._records: set[str] | None = None
        for key, value in dict.items(self):
            if isinstance(value, list):
                entry = TrackedEntry(value, reads, entry_key(name, key), tuple(records_of(value)))
                dict.__setitem__(self, key, cast(V, entry))

    def _entry(self, key: Any, value: Any) -> None:
        reads = self._reads
        if reads.active:
            reads.add(entry_key(self.name, key))
            if value is not None and not isinstance(value, TrackedEntry):
                reads.update(record_key(rid) for rid in self._records_of(value))

    def _whole(self) -> None:
        self._reads.add(index_key(self.name))

    def __getitem__(self, key: K) -> V:
        if dict.__contains__(self, key):
            value = dict.__getitem__(self, key)
            self._entry(key, value)
            return value
        self._entry(key, None)
        if self._default is not None:
            return self._default()
        raise KeyError(key)

    def get(self, key: K, default: Any = None) -> Any:
        value = dict.get(self, key, default)
        self._entry(key, value if dict.__contains__(self, key) else None)
        return value

    def __contains__(self, key: object) -> bool:
        self._reads.add(entry_key(self.name, key))
        return dict.__contains__(self, key)

    def __iter__(self) -> Iterator[K]:
        self._whole()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._whole()
        return dict.__len__(self)

    def keys(self) -> Any:
        self._whole()
        return dict.keys(self)

    def values(self) -> Any:
        self._whole()
        return dict.values(self)

    def items(self) -> Any:
        self._whole()
        return dict.items(self)

    def copy(self) -> dict[K, V]:
        self._whole()
        return dict(dict.items(self))

    def differing(self, other: TrackedIndex[Any, Any]) -> set[Any]:
        """The keys whose entries differ between this index and ``other`` (untracked)."""
        differ = set(dict.keys(self) ^ dict.keys(other))
        for key, value in dict.items(self):
            there = dict.get(other, key, _MISSING)
            if there is not _MISSING and not same_entry(value, there):
                differ.add(key)
        return differ

    def records(self) -> set[str]:
        """Every record the index holds (untracked, computed once)."""
        if self._records is None:
            found: set[str] = set()
            for value in dict.values(self):
                # (a list entry knows its records: TrackedEntry)
                found.update(value.records if isinstance(value, TrackedEntry) else self._records_of(value))
            self._records = found
        return self._records


class TrackedRegister(Register):
    """A register whose reads are recorded: the same records, lists and indexes (and so every
    method ``Register`` has), each list and index wrapped to record what is read. Read-only;
    ``config`` is not tracked (a configuration change rebuilds everything)."""

    def __init__(self, register: Register, reads: Reads) -> None:
        self.real = register
        self.reads = reads
        self.lists: dict[str, TrackedList[Any]] = {}
        self.indexes: dict[str, TrackedIndex[Any, Any]] = {}
        for name, value in vars(register).items():
            if isinstance(value, list):
                self.lists[name] = TrackedList(value, reads, list_key(name))
                setattr(self, name, self.lists[name])
            elif isinstance(value, dict):
                default = list if isinstance(value, defaultdict) and value.default_factory is list else None
                self.indexes[name] = TrackedIndex(name, value, reads, default=default)
                setattr(self, name, self.indexes[name])
            elif name != "hidden":
                setattr(self, name, value)

    @property
    def hidden(self) -> int:  # type: ignore[override]
        self.reads.add(HIDDEN_KEY)
        return self.real.hidden

    def track(self, index: TrackedIndex[Any, Any]) -> TrackedIndex[Any, Any]:
        """Add a derived index (built by a view from the whole register) to what ``changed_keys`` compares."""
        self.indexes[index.name] = index
        return index


def changed_records(old: Register, new: Register) -> set[str]:
    """Ids of records added, removed, or with other content (a different object) since ``old``."""
    changed = {rid for rid, rec in new.records.items() if old.records.get(rid) is not rec}
    changed.update(rid for rid in old.records if rid not in new.records)
    return changed


def changed_keys(old: TrackedRegister, new: TrackedRegister) -> set[Key]:
    """Every key whose value differs between two builds' registers (and their tracked indexes)."""
    records = changed_records(old.real, new.real)
    keys: set[Key] = {record_key(rid) for rid in records}
    if old.real.hidden != new.real.hidden:
        keys.add(HIDDEN_KEY)
    for name in old.lists.keys() | new.lists.keys():
        before = list.__iter__(old.lists[name]) if name in old.lists else iter(())
        after = list(list.__iter__(new.lists[name])) if name in new.lists else []
        if [signature(v) for v in before] != [signature(v) for v in after] or not records.isdisjoint(_record_ids(after)):
            keys.add(list_key(name))
    for name in old.indexes.keys() | new.indexes.keys():
        a, b = old.indexes.get(name), new.indexes.get(name)
        if a is None or b is None:  # an index only one build has: every entry of it changed
            keys.add(index_key(name))
            keys.update(entry_key(name, key) for key in dict.keys(a if a is not None else b))  # type: ignore[arg-type]
            continue
        entries = a.differing(b)
        keys.update(entry_key(name, key) for key in entries)
        if entries or not records.isdisjoint(b.records()) or not records.isdisjoint(a.records()):
            keys.add(index_key(name))
    return keys


_MISSING = object()


class Graph(Generic[T]):
    """Which artefact read which keys, both ways."""

    def __init__(self) -> None:
        self.reads: dict[T, frozenset[Key]] = {}
        self.readers: dict[Key, set[T]] = defaultdict(set)

    def __len__(self) -> int:
        return len(self.reads)

    def __contains__(self, artefact: object) -> bool:
        return artefact in self.reads

    def put(self, artefact: T, keys: Iterable[Key]) -> None:
        """Record what ``artefact`` read (replacing what it read before: an aggregate made again
        reads mostly what it read before, so only the difference is entered)."""
        frozen = frozenset(keys)
        before = self.reads.get(artefact, frozenset())
        self.reads[artefact] = frozen
        self._unread(artefact, before - frozen)
        readers = self.readers
        for key in frozen - before:
            readers[key].add(artefact)

    def drop(self, artefact: T) -> None:
        self._unread(artefact, self.reads.pop(artefact, ()))

    def _unread(self, artefact: T, keys: Iterable[Key]) -> None:
        for key in keys:
            readers = self.readers.get(key)
            if readers is not None:
                readers.discard(artefact)
                if not readers:
                    del self.readers[key]

    def affected(self, keys: Iterable[Key]) -> set[T]:
        """The artefacts that read any of ``keys``."""
        out: set[T] = set()
        for key in keys:
            out.update(self.readers.get(key, ()))
        return out


class Memo:
    """Values computed from a few records (a row of a table that lists them all), kept from one
    build to the next: each with the keys it read, forgotten when any of them changes. An
    aggregate page that must be made again for one changed record then remakes one row, not
    all of them, and still depends on everything its rows read.

    A key is ``(name, page, ...)`` and must hold every input of the value that is not read
    through the tracked register (the positions it is drawn at, ...); records used directly (not
    through the register) are named when the value is made. Its family is ``(name, page)``:
    the values one page is made of. A family used in a build drops the values that build did
    not use (the page was made again without them: ``prune``).
    """

    def __init__(self) -> None:
        self.values: dict[Hashable, tuple[Any, frozenset[Key]]] = {}
        self.graph: Graph[Hashable] = Graph()
        self.used: set[Hashable] = set()
        self.families: set[Hashable] = set()

    def get(self, key: tuple[Hashable, ...], reads: Reads, make: Callable[[], T], records: Iterable[str] = ()) -> T:
        self.used.add(key)
        self.families.add(key[:2])
        hit = self.values.get(key)
        if hit is not None:
            reads.update(hit[1])
            return cast(T, hit[0])
        with reads.collect() as keys:
            reads.update(record_key(rid) for rid in records)
            value = make()
        frozen = frozenset(keys)
        self.values[key] = (value, frozen)
        self.graph.put(key, frozen)
        return value

    def forget(self, changed: Iterable[Key]) -> None:
        """Drop every value that read one of ``changed``."""
        for key in self.graph.affected(changed):
            self.values.pop(key, None)
            self.graph.drop(key)

    def prune(self) -> None:
        """After a build: drop the values of the families it used that it did not use itself."""
        if self.families:
            for key in [k for k in self.values if k[:2] in self.families and k not in self.used]:  # type: ignore[index]
                del self.values[key]
                self.graph.drop(key)
        self.used, self.families = set(), set()


class KeptValues(Generic[T]):
    """Values made from one record (its entry or row in an export), kept with the record's object
    from one live-preview build to the next (a record whose file did not change keeps its object),
    each valid while what it was made for (``key``: positions, URL style, configuration) is the same.
    A build's key is kept as one object while it stays equal, so each value is checked with
    ``is``, not compared field by field, record by record."""

    def __init__(self) -> None:
        self._values: weakref.WeakKeyDictionary[Record, tuple[Hashable, T]] = weakref.WeakKeyDictionary()
        self._key: Hashable = _MISSING

    def key(self, key: Hashable) -> Hashable:
        """``key`` as this build's values are checked against: the last build's, when equal."""
        if self._key == key:
            return self._key
        self._key = key
        return key

    def get(self, record: Record, key: Hashable, make: Callable[[], T], *, keep: bool) -> T:
        """The value kept for ``record`` and ``key`` (from ``self.key``), else ``make()``, kept if ``keep``
        (only the live preview keeps them: a single build uses each value once)."""
        known = self._values.get(record)
        if known is not None and known[0] is key:
            return known[1]
        value = make()
        if keep:
            self._values[record] = (key, value)
        return value
