"""Priority scores: the transparent, weighted score of an assessed improvement (urgency, value,
cost and, when weighted, support), with its breakdown, and the quick-win quadrant.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cir_portal.core.kpis import rounded
from cir_portal.core.model import Improvement

LEVELS = ("high", "medium", "low")
#: points of a level in the priority score; cost counts inversely (a cheap improvement scores high)
LEVEL_POINTS = {"high": 3, "medium": 2, "low": 1}
COST_POINTS = {"low": 3, "medium": 2, "high": 1}


# --- priority

@dataclass(frozen=True, slots=True)
class PriorityPart:
    """One factor of the priority score: its level, points, weight and contribution."""

    factor: str  # urgency, value, cost or support
    level: str  # high, medium or low; for support, the number of supporters
    points: int
    weight: float
    assumed: bool  # True when the level is not set and counted as medium

    @property
    def contribution(self) -> float:
        return self.points * self.weight


@dataclass(frozen=True, slots=True)
class Priority:
    score: float
    parts: tuple[PriorityPart, ...]

    @property
    def max_score(self) -> float:
        return sum(3 * p.weight for p in self.parts)

    def as_dict(self) -> dict[str, Any]:
        return {"score": self.score, "parts": {p.factor: {"level": p.level, "points": p.points, "weight": p.weight,
                                                          "contribution": rounded(p.contribution), "assumed": p.assumed}
                                               for p in self.parts}}


PRIORITY_FORMULA = ("urgency points x urgency weight + value points x value weight + cost points x cost weight "
                    "+ support points x support weight; "
                    "points: high 3, medium 2, low 1 (cost counts inversely: low 3, high 1); "
                    "value points come from value_level (medium until it is set); "
                    "support points from the number of supporters: none 0, 1-2 1, 3-5 2, 6 or more 3 "
                    "(the support term is left out while its weight is 0, the default)")


def support_points(supporters: int) -> int:
    """Points of the number of supporters: none 0, 1-2 1, 3-5 2, 6 or more 3 (the scale of the other factors)."""
    return 0 if supporters <= 0 else 1 if supporters <= 2 else 2 if supporters <= 5 else 3


def priority(imp: Improvement, weights: Mapping[str, float]) -> Priority | None:
    """The record's priority score, or None until it is assessed (urgency and cost set).

    ``value_level`` is optional (``value`` is a free-text benefit statement): until it is
    set it counts as medium, and the breakdown says so. Support (the number of ``supporters``)
    is a fourth factor only when ``weights["support"]`` is above 0.
    """
    urgency, cost = imp.urgency, imp.cost
    if urgency not in LEVEL_POINTS or cost not in COST_POINTS:
        return None
    value = imp.value_level
    parts: tuple[PriorityPart, ...] = (
        PriorityPart("urgency", str(urgency), LEVEL_POINTS[str(urgency)], float(weights.get("urgency", 0)), False),
        PriorityPart("value", str(value) if value in LEVEL_POINTS else "medium",
                     LEVEL_POINTS.get(str(value), 2), float(weights.get("value", 0)), value not in LEVEL_POINTS),
        PriorityPart("cost", str(cost), COST_POINTS[str(cost)], float(weights.get("cost", 0)), False),
    )
    support = float(weights.get("support", 0))
    if support > 0:
        backers = len(imp.supporters)
        parts += (PriorityPart("support", str(backers), support_points(backers), support, False),)
    return Priority(round(sum(p.contribution for p in parts), 2), parts)


def quick_win(imp: Improvement) -> bool:
    """Low cost and high value: the quadrant worth doing first."""
    return bool(imp.cost == "low" and imp.value_level == "high")
