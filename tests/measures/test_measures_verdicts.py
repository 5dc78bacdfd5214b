"""Metric verdicts (linear-path rule) and the priority score, on hand-computed cases."""

from __future__ import annotations

from typing import Any

import pytest

from cir_portal.core.model import Metric
from cir_portal.core.priority import priority, quick_win
from cir_portal.core.verdicts import Point, expected_at, verdict
from cirtest.measures import imp

WEIGHTS = {"urgency": 0.4, "value": 0.4, "cost": 0.2}


def metric(direction: str = "increase", baseline: float | None = 0, target: float | None = 100,
           measurements: list[tuple[str, float]] = (), *, start: str = "2026-01-01",  # type: ignore[assignment]
           end: str = "2026-01-11") -> Metric:
    """A metric whose planned path runs from ``baseline`` on ``start`` to ``target`` on ``end`` (10 days)."""
    m: dict[str, Any] = {"name": "m", "unit": "u", "direction": direction,
                         "measurements": [{"date": d, "value": v} for d, v in measurements]}
    if baseline is not None:
        m["baseline"] = {"value": baseline, "date": start}
    if target is not None:
        m["target"] = {"value": target, "date": end}
    return Metric.of(m)


BEFORE_END = "2026-01-08"  # as_of before the target date
AFTER_END = "2026-02-01"


@pytest.mark.parametrize(("m", "as_of", "expected", "reason"), [
    # no data
    (metric(), BEFORE_END, "no_data", "no_measurements"),
    (metric(target=None, measurements=[("2026-01-06", 10)]), BEFORE_END, "no_data", "no_target"),
    # increase: path at day 5 is 50; tolerance 10 % of |100 - 0| -> on track from 40
    (metric(measurements=[("2026-01-06", 45)]), BEFORE_END, "on_track", "on_path"),
    (metric(measurements=[("2026-01-06", 40)]), BEFORE_END, "on_track", "on_path"),
    (metric(measurements=[("2026-01-06", 39.9)]), BEFORE_END, "off_track", "behind_path"),
    (metric(measurements=[("2026-01-06", 100)]), BEFORE_END, "achieved", "reached"),
    (metric(measurements=[("2026-01-06", 130)]), BEFORE_END, "achieved", "reached"),
    # decrease: 100 -> 0; path at day 5 is 50, on track up to 60
    (metric("decrease", 100, 0, [("2026-01-06", 60)]), BEFORE_END, "on_track", "on_path"),
    (metric("decrease", 100, 0, [("2026-01-06", 60.5)]), BEFORE_END, "off_track", "behind_path"),
    (metric("decrease", 100, 0, [("2026-01-06", 0)]), BEFORE_END, "achieved", "reached"),
    (metric("decrease", 100, 0, [("2026-01-06", -5)]), BEFORE_END, "achieved", "reached"),
    # the target date has passed without reaching the target (even when close to the path)
    (metric(measurements=[("2026-01-11", 95)]), AFTER_END, "off_track", "target_passed"),
    (metric("decrease", 100, 0, [("2026-01-06", 1)]), AFTER_END, "off_track", "target_passed"),
    (metric(measurements=[("2026-01-11", 100)]), AFTER_END, "achieved", "reached"),
    # on the target date itself the target has not passed yet
    (metric(measurements=[("2026-01-10", 85)]), "2026-01-11", "on_track", "on_path"),
    # no baseline: no path; on track until the target date
    (metric(baseline=None, measurements=[("2026-01-06", 1)]), BEFORE_END, "on_track", "no_baseline"),
    # the latest measurement is the latest by date, whatever the order in the file
    (metric(measurements=[("2026-01-09", 20), ("2026-01-02", 90)]), BEFORE_END, "off_track", "behind_path"),
])
def test_verdict(m: dict[str, Any], as_of: str, expected: str, reason: str) -> None:
    v = verdict(m, as_of, 0.1)
    assert (v.verdict, v.reason) == (expected, reason)


def test_verdict_reports_the_path_and_the_allowed_value() -> None:
    v = verdict(metric(measurements=[("2026-01-06", 45)]), BEFORE_END, 0.1)
    assert v.latest == Point("2026-01-06", 45)
    assert (v.expected, v.allowed) == (50, 40)
    v = verdict(metric("decrease", 100, 0, [("2026-01-06", 55)]), BEFORE_END, 0.25)
    assert (v.expected, v.allowed) == (50, 75)


def test_zero_tolerance_means_on_the_path_or_better() -> None:
    assert verdict(metric(measurements=[("2026-01-06", 50)]), BEFORE_END, 0).verdict == "on_track"
    assert verdict(metric(measurements=[("2026-01-06", 49.99)]), BEFORE_END, 0).verdict == "off_track"


def test_expected_path_is_flat_outside_baseline_and_target() -> None:
    b, t = Point("2026-01-01", 10), Point("2026-01-11", 20)
    assert expected_at(b, t, "2025-12-01") == 10
    assert expected_at(b, t, "2026-01-03") == 12
    assert expected_at(b, t, "2026-02-01") == 20
    same_day = Point("2026-01-01", 20)
    assert expected_at(b, same_day, "2026-01-01") == 20  # a target dated on the baseline's day: the target
    assert expected_at(b, same_day, "2025-12-31") == 10


def test_measurement_values_that_are_not_numbers_are_ignored() -> None:
    m = {"name": "m", "unit": "u", "direction": "increase", "baseline": {"value": 0, "date": "2026-01-01"},
         "target": {"value": 100, "date": "2026-01-11"},
         "measurements": [{"date": "2026-01-06", "value": 45}, {"date": "2026-01-07", "value": True}, {"value": 3}]}
    assert verdict(Metric.of(m), BEFORE_END, 0.1).latest == Point("2026-01-06", 45)


# --- priority

def test_priority_breakdown_by_hand() -> None:
    scored = priority(imp("IMP-0001", urgency="high", value_level="low", cost="low"), WEIGHTS)
    assert scored is not None
    # urgency high 3 x 0.4 + value low 1 x 0.4 + cost low (inverse) 3 x 0.2
    assert scored.score == 2.2
    parts = {p.factor: (p.level, p.points, p.weight, round(p.contribution, 4), p.assumed) for p in scored.parts}
    assert parts == {"urgency": ("high", 3, 0.4, 1.2, False), "value": ("low", 1, 0.4, 0.4, False),
                     "cost": ("low", 3, 0.2, 0.6, False)}
    assert scored.max_score == pytest.approx(3)
    assert scored.as_dict()["parts"]["cost"] == {"level": "low", "points": 3, "weight": 0.2, "contribution": 0.6,
                                                 "assumed": False}


def test_priority_counts_a_missing_value_level_as_medium_and_says_so() -> None:
    scored = priority(imp("IMP-0001", urgency="low", cost="high"), WEIGHTS)
    assert scored is not None
    value = next(p for p in scored.parts if p.factor == "value")
    assert (value.level, value.points, value.assumed) == ("medium", 2, True)
    assert scored.score == 1.4  # 1 x 0.4 + 2 x 0.4 + 1 x 0.2


def test_priority_needs_urgency_and_cost() -> None:
    assert priority(imp("IMP-0001"), WEIGHTS) is None
    assert priority(imp("IMP-0001", urgency="high"), WEIGHTS) is None
    assert priority(imp("IMP-0001", cost="low", value_level="high"), WEIGHTS) is None


def test_priority_weights_come_from_the_configuration() -> None:
    record = imp("IMP-0001", urgency="high", value_level="high", cost="high")
    scored = priority(record, {"urgency": 1, "value": 0, "cost": 0})
    assert scored is not None and scored.score == 3
    scored = priority(record, {"urgency": 0, "value": 0, "cost": 2})
    assert scored is not None and scored.score == 2


def test_quick_win_is_low_cost_and_high_value() -> None:
    assert quick_win(imp("IMP-0001", cost="low", value_level="high"))
    assert not quick_win(imp("IMP-0001", cost="low"))
    assert not quick_win(imp("IMP-0001", cost="medium", value_level="high"))
