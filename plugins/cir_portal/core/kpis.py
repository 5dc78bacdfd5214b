"""Measured improvement: the practice KPIs (periods, each improvement's facts, the ledger of a
register, statistics and areas), as numbers. Metric verdicts are in ``verdicts``, priority
scores in ``priority``.

Pure arithmetic on the model (no HTML, no charts) so that every figure the dashboard,
the reports, the record cards and ``kpis.json`` show is computed once, here, and can be
unit-tested on hand-computed fixtures. Dates are ISO strings (``YYYY-MM-DD``) compared as
strings; "now" is always the site's ``as_of`` date taken from the content, never the clock.

A ratio whose denominator is zero has the value None: the views print "n/a", never 0 %.
"""

from __future__ import annotations

import bisect
import calendar
import itertools
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any, TypeVar

from cir_portal.core.config import AFFECTS_KINDS, Config, KpiSettings
from cir_portal.core.deps import Key, Reads, TrackedList, entry_key, list_key, record_key
from cir_portal.core.model import Improvement, Register

T = TypeVar("T")
OUTCOMES = ("achieved", "partially_achieved", "not_achieved")
#: what N, C and O of the productivity index may each count (``kpi.productivity_index`` in portal.yml)
COUNTERS = {
    "raised": "improvements raised (recorded) in the period",
    "approved": "improvements approved in the period (approved_on)",
    "closed": "improvements closed with an outcome in the period (closed_on)",
    "achieved": "improvements closed with the outcome `achieved` in the period",
    "finished": "improvements that reached any terminal status in the period (closed, rejected, deferred, cancelled)",
    "open_at_start": "improvements open at the start of the period (raised before it, not finished before it)",
    "open_at_end": "improvements open at the end of the period",
}
#: upper bounds (exclusive, in days) of the ageing buckets of open records; the last bucket is open-ended
AGE_BUCKETS = (30, 90, 180, 365)


# --- periods

@dataclass(frozen=True, slots=True)
class Period:
    """A calendar month (``2026-03``), quarter (``2026-Q1``) or any span of days, both ends included."""

    key: str
    start: str
    end: str

    def contains(self, day: str | None) -> bool:
        return day is not None and self.start <= day <= self.end

    def as_dict(self) -> dict[str, str]:
        return {"key": self.key, "from": self.start, "to": self.end}


def month_key(day: str) -> str:
    return day[:7]


def quarter_key(day: str) -> str:
    return f"{day[:4]}-Q{(int(day[5:7]) - 1) // 3 + 1}"


def period(key: str) -> Period:
    """The period named ``2026-03`` (a month) or ``2026-Q1`` (a quarter)."""
    year = int(key[:4])
    if "-Q" in key:
        q = int(key[-1])
        first, last = 3 * q - 2, 3 * q
    else:
        first = last = int(key[5:7])
    end = (date(year + (last == 12), last % 12 + 1, 1) - timedelta(days=1)).isoformat()
    return Period(key, date(year, first, 1).isoformat(), end)


def previous(p: Period) -> Period:
    """The month or quarter before ``p``."""
    before = (date.fromisoformat(p.start) - timedelta(days=1)).isoformat()
    return period(quarter_key(before) if "-Q" in p.key else month_key(before))


def months(first: str, last: str) -> list[str]:
    """Every month key from the month of ``first`` to the month of ``last``, in order."""
    out, y, m = [], int(first[:4]), int(first[5:7])
    while f"{y:04d}-{m:02d}" <= last[:7]:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def trailing(as_of: str, n_months: int) -> Period:
    """The ``n_months`` months ending on ``as_of`` (e.g. 2025-11-23 .. 2026-11-22 for 12)."""
    d = date.fromisoformat(as_of)
    y, m = divmod(d.year * 12 + d.month - 1 - n_months, 12)
    m += 1
    start = date(y, m, min(d.day, calendar.monthrange(y, m)[1])) + timedelta(days=1)
    return Period(f"{n_months}m", start.isoformat(), as_of)


def days_between(a: str, b: str) -> int:
    return (date.fromisoformat(b) - date.fromisoformat(a)).days


# --- KPI values

@dataclass(frozen=True, slots=True)
class Kpi:
    """One published figure with the parts it is computed from, so a reader can check it."""

    key: str
    value: float | None
    numerator: float | None
    denominator: float | None
    formula: str
    period: Period
    unit: str = "ratio"  # ratio (0..1, shown as %), index, days, score, count

    def as_dict(self) -> dict[str, Any]:
        return {"value": rounded(self.value), "numerator": rounded(self.numerator), "denominator": rounded(self.denominator),
                "formula": self.formula, "period": self.period.as_dict(), "unit": self.unit}


def rounded(x: float | None) -> float | int | None:
    """A figure as published: an integral value as an int, others to 4 places (None stays None)."""
    if x is None:
        return None
    if float(x).is_integer():
        return int(x)
    return round(float(x), 4)


def ratio(numerator: float, denominator: float) -> float | None:
    """``numerator / denominator``, or None when there is nothing to divide by."""
    return numerator / denominator if denominator else None


# --- facts about each improvement, computed once

@dataclass(frozen=True, slots=True)
class Facts:
    """What the KPIs need to know about one improvement."""

    imp: Improvement
    raised: str
    approved: str | None
    finished: str | None  # when it reached a terminal status (closed_on, else when it entered the status)
    outcome: str | None  # only for a finished record with an outcome
    team: str | None  # the owner's team, else the requester's
    requester_team: str | None

    @property
    def closed(self) -> str | None:
        """When it was closed with an outcome (None if it was not)."""
        return self.finished if self.outcome else None

    def open_on(self, day: str) -> bool:
        """Open at the end of ``day``: raised by then and not finished by then."""
        return self.raised <= day and (self.finished is None or self.finished > day)


@dataclass
class Ledger:
    """The facts of every improvement of a register, and the settings that shape the KPIs."""

    config: Config
    as_of: str
    facts: list[Facts] = field(default_factory=list)
    #: in the live preview, what each answer depends on is recorded here (see ``track``)
    reads: Reads | None = field(default=None, repr=False)
    _memo: dict[Any, tuple[Any, frozenset[Key]]] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, register: Register, as_of: str) -> Ledger:
        config = register.config
        wf = config.workflow

        def team(pid: Any) -> str | None:
            person = config.people.get(pid) if isinstance(pid, str) else None
            return person.team if person else None

        facts = []
        for imp in register.improvements:
            status = wf.statuses.get(imp.status)
            finished = None
            if status is not None and status.terminal:
                finished = str(imp.closed_on or imp.status_since)
            outcome = imp.outcome if finished and imp.outcome in OUTCOMES else None
            approved = imp.approved_on
            facts.append(Facts(imp, imp.raised, str(approved) if approved else None, finished, outcome,
                               team(imp.owner) or team(imp.requester), team(imp.requester)))
        return cls(config, as_of, facts)

    @property
    def settings(self) -> KpiSettings:
        return self.config.portal.kpi

    @property
    def span(self) -> Period:
        """From the first record raised to ``as_of``: the period of the all-time KPIs."""
        first = min((f.raised for f in self.facts), default=self.as_of)
        return Period("all", min(first, self.as_of), self.as_of)

    def open(self, day: str | None = None) -> list[Facts]:
        """The improvements open at the end of ``day`` (default: as_of)."""
        day = day or self.as_of
        return [f for f in self.facts if f.open_on(day)]

    # --- counts in a period
    @cached_property
    def _dates(self) -> dict[str, list[str]]:
        """Sorted event dates per counter, so a count in a period is two binary searches.

        ``open_until`` is when a record stops being open: its finish date, or its raised date
        when a (bad) finish date comes before it (such a record is never open).
        """
        out: dict[str, list[str]] = {
            "raised": [f.raised for f in self.facts],
            "approved": [f.approved for f in self.facts if f.approved],
            "closed": [f.finished for f in self.facts if f.finished and f.outcome],
            "achieved": [f.finished for f in self.facts if f.finished and f.outcome == "achieved"],
            "finished": [f.finished for f in self.facts if f.finished],
            "open_until": [max(f.finished, f.raised) for f in self.facts if f.finished],
        }
        for dates in out.values():
            dates.sort()
        return out

    # --- what an answer depends on (live preview)
    def track(self, reads: Reads) -> dict[str, dict[Any, Any]]:
        """Record what each answer depends on into ``reads`` from now on. Answers about periods
        depend on the dates that fall in them (month by month), and on the records they list;
        every other answer iterates ``facts`` and so depends on every improvement. Returns the
        indexes those dates are compared with between two builds (name -> month -> dates)."""
        buckets: dict[str, dict[Any, Any]] = {}
        for what in ("raised", "approved", "closed", "achieved", "finished", "open_until"):
            months_of: dict[str, list[tuple[str, str]]] = defaultdict(list)
            for day, rid in self._dated[what]:
                months_of[month_key(day)].append((day, rid))
            buckets[f"ledger.{what}"] = {m: tuple(v) for m, v in months_of.items()}
        self._by_date  # noqa: B018 - computed now, untracked
        self._closed_sorted  # noqa: B018
        buckets["ledger.first"] = {"all": self._first_month}
        buckets["ledger.months"] = {"all": self._event_months}
        self.facts = TrackedList(self.facts, reads, list_key("improvements"))
        self.reads = reads
        return buckets

    @cached_property
    def _dated(self) -> dict[str, list[tuple[str, str]]]:
        """(date, improvement id) of each event, sorted, per counter."""
        out: dict[str, list[tuple[str, str]]] = {
            "raised": [(f.raised, f.imp.id) for f in self.facts],
            "approved": [(f.approved, f.imp.id) for f in self.facts if f.approved],
            "closed": [(f.finished, f.imp.id) for f in self.facts if f.finished and f.outcome],
            "achieved": [(f.finished, f.imp.id) for f in self.facts if f.finished and f.outcome == "achieved"],
            "finished": [(f.finished, f.imp.id) for f in self.facts if f.finished],
            "open_until": [(max(f.finished, f.raised), f.imp.id) for f in self.facts if f.finished],
        }
        for dated in out.values():
            dated.sort()
        return out

    @cached_property
    def _first_month(self) -> str:
        return min((month_key(dated[0][0]) for dated in self._dated.values() if dated), default=month_key(self.as_of))

    def _depends_on_dates(self, what: str, start: str, end: str) -> None:
        """The answer depends on the ``what`` dates from ``start`` to ``end`` (whole months)."""
        if self.reads is not None:
            first = max(month_key(start), self._first_month)
            self.reads.update(entry_key(f"ledger.{what}", m) for m in months(first, end) if m >= first)
            if month_key(start) <= self._first_month:
                self.reads.add(entry_key("ledger.first", "all"))

    def _depends_on(self, facts: Iterable[Facts]) -> None:
        if self.reads is not None:
            self.reads.update(record_key(f.imp.id) for f in facts)

    def _remember(self, key: Any, compute: Callable[[], T]) -> T:
        """``compute()`` once; every later caller depends on what it depended on."""
        known = self._memo.get(key)
        if known is None:
            if self.reads is None:
                known = (compute(), frozenset())
            else:
                with self.reads.collect() as keys:
                    value = compute()
                known = (value, frozenset(keys))
            self._memo[key] = known
        elif self.reads is not None:
            self.reads.update(known[1])
        return known[0]

    def _between(self, key: str, start: str, end: str) -> int:
        self._depends_on_dates(key, start, end)
        dates = self._dates[key]
        return bisect.bisect_right(dates, end) - bisect.bisect_left(dates, start)

    def open_count(self, day: str) -> int:
        """How many improvements are open at the end of ``day``."""
        self._depends_on_dates("raised", "0000-01-01", day)
        self._depends_on_dates("open_until", "0000-01-01", day)
        return bisect.bisect_right(self._dates["raised"], day) - bisect.bisect_right(self._dates["open_until"], day)

    def count(self, counter: str, p: Period) -> int:
        """How many improvements ``counter`` (a key of COUNTERS) counts in ``p``."""
        if counter in ("raised", "approved", "closed", "achieved", "finished"):
            return self._between(counter, p.start, p.end)
        if counter == "open_at_start":
            return self.open_count((date.fromisoformat(p.start) - timedelta(days=1)).isoformat())
        if counter == "open_at_end":
            return self.open_count(p.end)
        raise ValueError(f"unknown counter {counter!r}; use one of {', '.join(COUNTERS)}")

    @cached_property
    def _closed_sorted(self) -> tuple[list[str], list[Facts]]:
        closed = sorted((f for f in self.facts if f.closed), key=lambda f: str(f.closed))
        return [str(f.closed) for f in closed], closed

    @cached_property
    def _by_date(self) -> dict[str, tuple[list[str], list[Facts]]]:
        out = {}
        for what in ("raised", "approved", "closed", "finished"):
            dated = sorted(((day, f) for f in self.facts if (day := getattr(f, what))), key=lambda pair: pair[0])
            out[what] = ([day for day, _ in dated], [f for _, f in dated])
        return out

    def happened_in(self, what: str, p: Period) -> list[Facts]:
        """The improvements ``what`` (raised, approved, closed or finished) in ``p``, by that date:
        a report of each of 100 periods looks up its own, not every record."""
        self._depends_on_dates(what, p.start, p.end)
        dates, facts = self._by_date[what]
        found = facts[bisect.bisect_left(dates, p.start):bisect.bisect_right(dates, p.end)]
        self._depends_on(found)
        return found

    def closed_in(self, p: Period) -> list[Facts]:
        """The improvements closed with an outcome in ``p``, by closing date."""
        self._depends_on_dates("closed", p.start, p.end)
        dates, closed = self._closed_sorted
        found = closed[bisect.bisect_left(dates, p.start):bisect.bisect_right(dates, p.end)]
        self._depends_on(found)
        return found

    # --- outcome KPIs
    def outcome_kpis(self, p: Period) -> dict[str, Kpi]:
        """Success, partial, on-time, on-budget and negative-outcome rates and mean satisfaction
        of the improvements closed with an outcome in ``p``."""
        closed = self.closed_in(p)
        n = len(closed)
        achieved = sum(f.outcome == "achieved" for f in closed)
        partial = sum(f.outcome == "partially_achieved" for f in closed)
        dated = [f for f in closed if f.imp.target_date]
        on_time = sum(str(f.closed) <= str(f.imp.target_date) for f in dated)
        costed = [f for f in closed if _num(f.imp.planned_cost) is not None and _num(f.imp.actual_cost) is not None]
        on_budget = sum(_num(f.imp.actual_cost) <= _num(f.imp.planned_cost) for f in costed)  # type: ignore[operator]
        negative = sum(bool(f.imp.negative_outcome) for f in closed)
        rated = [v for f in closed if (v := _num(f.imp.satisfaction)) is not None]
        return {
            "success_rate": Kpi("success_rate", ratio(achieved, n), achieved, n,
                                "closed with outcome achieved / all closed with an outcome", p),
            "partial_rate": Kpi("partial_rate", ratio(partial, n), partial, n,
                                "closed with outcome partially achieved / all closed with an outcome", p),
            "on_time_rate": Kpi("on_time_rate", ratio(on_time, len(dated)), on_time, len(dated),
                                "closed on or before target_date / closed with an outcome and a target_date", p),
            "on_budget_rate": Kpi("on_budget_rate", ratio(on_budget, len(costed)), on_budget, len(costed),
                                  "actual_cost <= planned_cost / closed with an outcome and both costs", p),
            "negative_outcome_rate": Kpi("negative_outcome_rate", ratio(negative, n), negative, n,
                                         "closed with negative_outcome: true / all closed with an outcome", p),
            "mean_satisfaction": Kpi("mean_satisfaction", ratio(sum(rated), len(rated)), sum(rated), len(rated),
                                     "sum of satisfaction (1-5) / closed with an outcome and a satisfaction score", p,
                                     unit="score"),
        }

    def productivity(self, p: Period) -> tuple[Kpi, dict[str, int]]:
        """The continual improvement productivity index (N + C) / (O + C) in ``p``, and N, C, O."""
        definition = self.settings.productivity_index
        parts = {name: self.count(definition[name], p) for name in ("N", "C", "O")}
        num, den = parts["N"] + parts["C"], parts["O"] + parts["C"]
        formula = (f"(N + C) / (O + C); N = {definition['N']}, C = {definition['C']}, O = {definition['O']} "
                   "(site_config/portal.yml kpi.productivity_index)")
        return Kpi("productivity_index", ratio(num, den), num, den, formula, p, unit="index"), parts

    def period_kpis(self, p: Period) -> dict[str, Kpi]:
        """Every KPI of a period: the outcome rates, the productivity index, cycle time and counts (memoised:
        the reports, their index and kpis.json all ask for the same periods)."""
        return dict(self._remember(("period", p), lambda: self._period_kpis(p)))

    def _period_kpis(self, p: Period) -> dict[str, Kpi]:
        out = self.outcome_kpis(p)
        out["productivity_index"] = self.productivity(p)[0]
        times = [days_between(f.raised, str(f.closed)) for f in self.closed_in(p)]
        out["mean_cycle_time"] = Kpi("mean_cycle_time", ratio(sum(times), len(times)), sum(times), len(times),
                                     "sum of days from raised to closed_on / improvements closed with an outcome", p,
                                     unit="days")
        for counter in ("raised", "approved", "closed", "finished"):
            n = self.count(counter, p)
            out[counter] = Kpi(counter, n, n, None, COUNTERS[counter], p, unit="count")
        return out

    def headline(self) -> dict[str, Kpi]:
        """The dashboard's KPIs: outcomes over all time, the index over the configured window
        (computed once: the dashboard and kpis.json both show them)."""
        return dict(self._remember(("headline",), self._headline))

    def _headline(self) -> dict[str, Kpi]:
        span = self.span
        out = self.outcome_kpis(span)
        window = trailing(self.as_of, self.settings.index_window_months)
        out["productivity_index"] = self.productivity(window)[0]
        times = [days_between(f.raised, str(f.closed)) for f in self.facts if f.closed]
        out["mean_cycle_time"] = Kpi("mean_cycle_time", ratio(sum(times), len(times)), sum(times), len(times),
                                     "sum of days from raised to closed_on / improvements closed with an outcome", span,
                                     unit="days")
        raised_months = months(span.start, span.end)
        n = self.count("raised", span)
        out["raised_per_month"] = Kpi("raised_per_month", ratio(n, len(raised_months)), n, len(raised_months),
                                      "improvements raised / months from the first record to as_of", span, unit="count")
        return out

    # --- adoption
    def raised_per_month(self) -> dict[str, int]:
        """Improvements raised in each month from the first record to ``as_of`` (zeros included)."""
        span = self.span
        counts = Counter(month_key(f.raised) for f in self.facts)
        return {m: counts.get(m, 0) for m in months(span.start, span.end)} if self.facts else {}

    def raised_per_team(self) -> dict[str, int]:
        """By the requester's team; requesters who are not in people.yml count as ``external``."""
        return dict(sorted(Counter(f.requester_team or "external" for f in self.facts).items()))

    def raised_per_source(self) -> dict[str, int]:
        return dict(sorted(Counter(str(f.imp.source or "") for f in self.facts).items()))

    # --- flow
    def wip_per_status(self) -> dict[str, int]:
        """Open improvements in each non-terminal status (workflow order, zeros included)."""
        counts = Counter(f.imp.status for f in self.open())
        return {k: counts.get(k, 0) for k, s in self.config.workflow.statuses.items() if not s.terminal}

    def throughput_per_month(self) -> dict[str, dict[str, int]]:
        """Improvements that reached a terminal status, per month and status."""
        out: dict[str, dict[str, int]] = defaultdict(dict)
        for f in self.facts:
            if f.finished:
                row = out[month_key(f.finished)]
                row[f.imp.status] = row.get(f.imp.status, 0) + 1
        return {m: dict(sorted(out[m].items())) for m in sorted(out)}

    def cycle_times(self) -> dict[str, Stats]:
        """Days spent in each status, from the history of every record (completed stays only;
        computed once: the dashboard and kpis.json both show them)."""
        return dict(self._remember(("cycle_times",), self._cycle_times))

    def _cycle_times(self) -> dict[str, Stats]:
        stays: dict[str, list[int]] = defaultdict(list)
        for f in self.facts:
            history = sorted(f.imp.history, key=lambda h: h.date)
            for this, nxt in itertools.pairwise(history):
                stays[this.status].append(days_between(this.date, nxt.date))
        order = list(self.config.workflow.statuses)
        keys = sorted(stays, key=lambda k: (order.index(k) if k in order else len(order), k))
        return {k: Stats.of(stays[k]) for k in keys}

    def end_to_end(self) -> Stats:
        """Days from raised to closed_on of the improvements closed with an outcome."""
        return Stats.of([days_between(f.raised, str(f.closed)) for f in self.facts if f.closed])

    def ageing(self) -> dict[str, int]:
        """Open improvements by age (days since raised) in buckets: ``0-29``, ``30-89``, ... ``365+``."""
        labels = [f"{lo}-{hi - 1}" for lo, hi in zip((0, *AGE_BUCKETS), AGE_BUCKETS, strict=False)] + [f"{AGE_BUCKETS[-1]}+"]
        counts = dict.fromkeys(labels, 0)
        for f in self.open():
            age = days_between(f.raised, self.as_of)
            index = sum(age >= b for b in AGE_BUCKETS)
            counts[labels[index]] += 1
        return counts

    def oldest_open(self, n: int = 10) -> list[tuple[Facts, int]]:
        ranked = sorted(self.open(), key=lambda f: (f.raised, f.imp.id))
        return [(f, days_between(f.raised, self.as_of)) for f in ranked[:n]]

    # --- areas
    def areas(self, kind: str) -> dict[str, Area]:
        """Every practice, service (from taxonomy.yml) or team (people.yml), with its improvements' counts
        (computed once per kind: the dashboard and kpis.json ask several times)."""
        return self._remember(("areas", kind), lambda: self._areas(kind))

    def _areas(self, kind: str) -> dict[str, Area]:
        if kind == "team":
            keys = list(self.config.teams)
            members: dict[str, list[Facts]] = defaultdict(list)
            for f in self.facts:
                if f.team:
                    members[f.team].append(f)
        else:
            category = AFFECTS_KINDS[kind]
            keys = list(self.config.taxonomy.get(category, {}))
            members = defaultdict(list)
            for f in self.facts:
                for item in dict.fromkeys(f.imp.affects):
                    k, _, key = item.partition("/")
                    if k == kind:
                        members[key].append(f)
            keys += sorted(k for k in members if k not in keys)
        return {key: Area.of(key, members.get(key, []), self.as_of) for key in keys}

    def areas_without_improvements(self, kind: str) -> list[str]:
        return [k for k, a in self.areas(kind).items() if a.total == 0]

    def areas_with_too_many_open(self, kind: str) -> list[str]:
        limit = self.settings.too_many_open
        return [k for k, a in self.areas(kind).items() if a.open > limit]

    # --- periods with data
    def events(self) -> list[str]:
        """Every date something happened: raised, approved, finished; lessons recorded."""
        out = []
        for f in self.facts:
            out += [d for d in (f.raised, f.approved, f.finished) if d]
        return out

    @cached_property
    def _event_months(self) -> tuple[str, ...]:
        """The months in which an improvement was raised, approved or finished."""
        return tuple(sorted({month_key(day) for what in ("raised", "approved", "finished") for day, _ in self._dated[what]}))

    def report_periods(self, lesson_dates: Iterable[str] = ()) -> tuple[list[str], list[str]]:
        """Month keys and quarter keys that have at least one event, oldest first."""
        if self.reads is not None:
            self.reads.add(entry_key("ledger.months", "all"))
        months_with = set(self._event_months) | {month_key(d) for d in lesson_dates}
        return sorted(months_with), sorted({quarter_key(m + "-01") for m in months_with})


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


@dataclass(frozen=True, slots=True)
class Stats:
    """Summary of a list of durations in days."""

    n: int
    mean: float | None
    median: float | None
    total: int

    @classmethod
    def of(cls, values: list[int]) -> Stats:
        if not values:
            return cls(0, None, None, 0)
        return cls(len(values), sum(values) / len(values), float(statistics.median(values)), sum(values))

    def as_dict(self) -> dict[str, Any]:
        return {"n": self.n, "mean": rounded(self.mean), "median": rounded(self.median), "total": self.total}


@dataclass(frozen=True, slots=True)
class Area:
    """The improvements of one practice, service or team."""

    key: str
    total: int
    open: int
    closed: int
    achieved: int
    ids: tuple[str, ...]

    @classmethod
    def of(cls, key: str, facts: list[Facts], as_of: str) -> Area:
        return cls(key, len(facts), sum(f.open_on(as_of) for f in facts), sum(bool(f.closed) for f in facts),
                   sum(f.outcome == "achieved" for f in facts), tuple(f.imp.id for f in facts))

    @property
    def success_rate(self) -> float | None:
        return ratio(self.achieved, self.closed)

    def as_dict(self) -> dict[str, Any]:
        return {"total": self.total, "open": self.open, "closed": self.closed, "achieved": self.achieved,
                "success_rate": rounded(self.success_rate)}
