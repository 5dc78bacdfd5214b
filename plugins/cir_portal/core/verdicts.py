"""Metric verdicts: how each metric of an improvement stands against its target on the site's
``as_of`` date (achieved, on track, off track, no data) by the linear-path rule, and an
objective's progress from its contributing improvements' metrics. Pure arithmetic on the model.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from cir_portal.core.kpis import OUTCOMES, days_between
from cir_portal.core.model import Improvement, Metric, Register
from cir_portal.core.model import Point as Measured

VERDICTS = ("achieved", "on_track", "off_track", "no_data")


# --- metric verdicts

@dataclass(frozen=True, slots=True)
class Point:
    date: str
    value: float


def point(typed: Measured | None) -> Point | None:
    """A record's ``{value, date}`` as a Point for arithmetic (the value as a float)."""
    return Point(typed.date, float(typed.value)) if typed is not None else None


@dataclass(frozen=True, slots=True)
class Verdict:
    """How one metric stands against its target, and why."""

    verdict: str  # a key of VERDICTS
    latest: Point | None
    expected: float | None  # the planned path's value at the latest measurement's date
    allowed: float | None  # the worst value still on track (expected minus the tolerance)
    reason: str  # a key explaining the verdict (for the page): see REASONS


REASONS = {
    "no_measurements": "no measurement yet",
    "no_target": "no target to compare with",
    "reached": "the latest measurement reaches the target",
    "target_passed": "the target date has passed without reaching the target",
    "on_path": "the latest measurement is on or better than the planned path (within the tolerance)",
    "behind_path": "the latest measurement is worse than the planned path by more than the tolerance",
    "no_baseline": "no baseline to draw the planned path from; on track until the target date",
}


def better(direction: str, a: float, b: float) -> bool:
    """True when ``a`` is at least as good as ``b`` for a metric of this direction."""
    return a <= b if direction == "decrease" else a >= b


def expected_at(baseline: Point, target: Point, day: str) -> float:
    """The planned path: linear from baseline to target, flat before the baseline and after the target."""
    if day <= baseline.date or target.date <= baseline.date:
        return baseline.value if day < target.date else target.value
    if day >= target.date:
        return target.value
    span = days_between(baseline.date, target.date)
    return baseline.value + (target.value - baseline.value) * days_between(baseline.date, day) / span


@dataclass(frozen=True, slots=True)
class Series:
    """A metric parsed once: direction, baseline, target and measurements (oldest first)."""

    name: str
    unit: str
    direction: str  # increase or decrease
    baseline: Point | None
    target: Point | None
    points: tuple[Point, ...]

    @classmethod
    def of(cls, metric: Metric) -> Series:
        points = sorted((p for m in metric.measurements if (p := point(m)) is not None), key=lambda p: p.date)
        return cls(metric.name, metric.unit, metric.direction, point(metric.baseline), point(metric.target), tuple(points))

    @property
    def latest(self) -> Point | None:
        return self.points[-1] if self.points else None

    def path(self, day: str) -> float | None:
        """The planned path's value on ``day`` (None without a baseline and a target)."""
        return expected_at(self.baseline, self.target, day) if self.baseline and self.target else None


def verdict(metric: Metric | Series, as_of: str, tolerance: float) -> Verdict:
    """The metric's verdict on ``as_of`` by the linear-path rule (see portal.yml ``kpi.verdict``).

    - no data: no measurement yet, or no target;
    - achieved: the latest measurement is at least as good as the target value;
    - off track: the target date has passed (``as_of`` after it) and the target is not reached,
      or the latest measurement is worse than the planned path at its date by more than
      ``tolerance`` x |target - baseline|;
    - on track: otherwise (on or better than the path, within the tolerance).
    """
    series = metric if isinstance(metric, Series) else Series.of(metric)
    direction, latest = series.direction, series.latest
    target, baseline = series.target, series.baseline
    if latest is None:
        return Verdict("no_data", None, None, None, "no_measurements")
    if target is None:
        return Verdict("no_data", latest, None, None, "no_target")
    if better(direction, latest.value, target.value):
        return Verdict("achieved", latest, None, None, "reached")
    if as_of > target.date:
        return Verdict("off_track", latest, target.value, target.value, "target_passed")
    if baseline is None:
        return Verdict("on_track", latest, None, None, "no_baseline")
    expected = expected_at(baseline, target, latest.date)
    slack = abs(target.value - baseline.value) * tolerance
    allowed = expected - slack if direction != "decrease" else expected + slack
    if better(direction, latest.value, allowed):
        return Verdict("on_track", latest, expected, allowed, "on_path")
    return Verdict("off_track", latest, expected, allowed, "behind_path")


# --- objectives

def objective_progress(register: Register, objective_id: str, as_of: str, tolerance: float
                       ) -> tuple[dict[str, int], list[tuple[Improvement, Metric, Verdict]]]:
    """Contributing improvements of an objective by status (closed ones by outcome), and every metric's verdict."""
    counts: Counter[str] = Counter()
    verdicts: list[tuple[Improvement, Metric, Verdict]] = []
    for imp in register.improvements_by_objective.get(objective_id, []):
        outcome = imp.outcome
        counts[f"outcome:{outcome}" if outcome in OUTCOMES else imp.status] += 1
        for metric in imp.metrics:
            verdicts.append((imp, metric, verdict(metric, as_of, tolerance)))
    return dict(counts), verdicts
