"""KPI, flow, area and period arithmetic of ``cir_portal.kpis``, on hand-computed registers."""

from __future__ import annotations

import pytest

from cir_portal.core.config import Config
from cir_portal.core.kpis import Ledger, Period, months, period, previous, quarter_key, ratio, trailing
from cir_portal.core.verdicts import objective_progress
from cirtest.measures import AS_OF, closed, imp, lesson, objective, register_of, with_kpi


def outcomes_register(config: Config) -> Ledger:
    """Four improvements closed with an outcome in March 2026, one rejected, two open.

    A1 achieved, on time, on budget, satisfaction 5, 64 days     A2 achieved, late, over budget, satisfaction 4, 47 days
    A3 partial, on time (= target), on budget (=), unrated, 4 d   A4 not achieved, no target, no costs, 2, negative, 85 days
    A5 rejected in March (no outcome)                            A6 in progress since 2025, A7 raised in late March
    """
    records = [
        closed("IMP-0001", "achieved", "2026-03-10", target_date="2026-03-31", planned_cost=100, actual_cost=90,
               satisfaction=5, approved_on="2026-03-02"),
        closed("IMP-0002", "achieved", "2026-03-20", raised="2026-02-01", target_date="2026-03-15", planned_cost=100,
               actual_cost=120, satisfaction=4),
        closed("IMP-0003", "partially_achieved", "2026-03-05", raised="2026-03-01", target_date="2026-03-05",
               planned_cost=50, actual_cost=50),
        closed("IMP-0004", "not_achieved", "2026-03-31", satisfaction=2, negative_outcome=True),
        imp("IMP-0005", status="rejected", raised="2026-03-01", closed_on="2026-03-15", reason="no"),
        imp("IMP-0006", status="in_progress", raised="2025-12-20"),
        imp("IMP-0007", raised="2026-03-25"),
    ]
    return Ledger.of(register_of(config, records, [lesson("LL-0001", "2026-05-10", ["IMP-0001"])]), AS_OF)


# --- periods

@pytest.mark.parametrize(("key", "start", "end"), [
    ("2026-03", "2026-03-01", "2026-03-31"),
    ("2024-02", "2024-02-01", "2024-02-29"),
    ("2026-12", "2026-12-01", "2026-12-31"),
    ("2026-Q1", "2026-01-01", "2026-03-31"),
    ("2026-Q4", "2026-10-01", "2026-12-31"),
])
def test_period_bounds(key: str, start: str, end: str) -> None:
    assert period(key) == Period(key, start, end)


def test_previous_periods_cross_years() -> None:
    assert previous(period("2026-01")).key == "2025-12"
    assert previous(period("2026-Q1")).key == "2025-Q4"
    assert previous(period("2026-Q3")).key == "2026-Q2"


def test_months_quarters_and_trailing_window() -> None:
    assert months("2025-11-30", "2026-02-01") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert quarter_key("2026-04-01") == "2026-Q2"
    assert trailing("2026-03-31", 12) == Period("12m", "2025-04-01", "2026-03-31")
    assert trailing("2024-02-29", 12) == Period("12m", "2023-03-01", "2024-02-29")
    assert trailing("2026-05-31", 3) == Period("3m", "2026-03-01", "2026-05-31")


def test_ratio_of_nothing_is_none() -> None:
    assert ratio(3, 0) is None
    assert ratio(0, 4) == 0


# --- outcome KPIs

def test_outcome_kpis_by_hand(config: Config) -> None:
    k = outcomes_register(config).outcome_kpis(period("2026-03"))
    assert (k["success_rate"].value, k["success_rate"].numerator, k["success_rate"].denominator) == (0.5, 2, 4)
    assert (k["partial_rate"].numerator, k["partial_rate"].denominator) == (1, 4)
    assert (k["on_time_rate"].numerator, k["on_time_rate"].denominator) == (2, 3)  # A4 has no target_date
    assert (k["on_budget_rate"].numerator, k["on_budget_rate"].denominator) == (2, 3)  # A4 has no costs; 50 <= 50
    assert k["on_budget_rate"].value == pytest.approx(2 / 3)
    assert (k["negative_outcome_rate"].numerator, k["negative_outcome_rate"].denominator) == (1, 4)
    assert (k["mean_satisfaction"].numerator, k["mean_satisfaction"].denominator) == (11, 3)
    assert k["mean_satisfaction"].value == pytest.approx(11 / 3)
    assert all(v.period == period("2026-03") for v in k.values())


def test_outcome_kpis_without_closed_records_are_none(config: Config) -> None:
    k = outcomes_register(config).outcome_kpis(period("2026-02"))
    for kpi in k.values():
        assert kpi.value is None
        assert kpi.denominator == 0
    assert k["success_rate"].as_dict()["value"] is None


def test_period_kpis_counts_cycle_time_and_productivity(config: Config) -> None:
    k = outcomes_register(config).period_kpis(period("2026-03"))
    assert {c: k[c].value for c in ("raised", "approved", "closed", "finished")} == {
        "raised": 3, "approved": 1, "closed": 4, "finished": 5}
    assert (k["mean_cycle_time"].value, k["mean_cycle_time"].numerator) == (50, 200)  # 64 + 47 + 4 + 85
    # N = raised 3, C = closed 4, O = open at the start of March: A1, A2, A4, A6
    index = k["productivity_index"]
    assert (index.numerator, index.denominator, index.value) == (7, 8, 0.875)


def test_open_at_start_and_end(config: Config) -> None:
    ledger = outcomes_register(config)
    march = period("2026-03")
    assert ledger.count("open_at_start", march) == 4
    assert ledger.count("open_at_end", march) == 2  # A6 and A7; A4 closed on the last day
    assert ledger.count("achieved", march) == 2
    with pytest.raises(ValueError, match="unknown counter"):
        ledger.count("nonsense", march)


def test_productivity_definition_is_configurable(config: Config) -> None:
    custom = with_kpi(config, productivity_index={"N": "approved", "C": "finished", "O": "open_at_end"})
    ledger = outcomes_register(custom)
    kpi, parts = ledger.productivity(period("2026-03"))
    assert parts == {"N": 1, "C": 5, "O": 2}
    assert kpi.value == pytest.approx(6 / 7)
    assert "N = approved" in kpi.formula


def test_productivity_of_an_empty_period_is_none(config: Config) -> None:
    kpi, parts = outcomes_register(config).productivity(period("2024-01"))
    assert parts == {"N": 0, "C": 0, "O": 0}
    assert kpi.value is None


def test_headline_of_an_empty_register(config: Config) -> None:
    ledger = Ledger.of(register_of(config, []), AS_OF)
    headline = ledger.headline()
    assert {k for k, v in headline.items() if v.value is not None} == {"raised_per_month"}
    assert headline["raised_per_month"].value == 0  # nothing raised in the one month up to as_of
    assert ledger.span == Period("all", AS_OF, AS_OF)
    assert ledger.raised_per_month() == {}
    assert ledger.report_periods() == ([], [])
    assert ledger.end_to_end().as_dict() == {"n": 0, "mean": None, "median": None, "total": 0}


def test_headline_covers_everything_up_to_as_of(config: Config) -> None:
    headline = outcomes_register(config).headline()
    assert headline["success_rate"].period == Period("all", "2025-12-20", AS_OF)
    assert headline["productivity_index"].period == Period("12m", "2025-06-16", AS_OF)
    # raised 7 over the months 2025-12 .. 2026-06
    assert (headline["raised_per_month"].numerator, headline["raised_per_month"].denominator) == (7, 7)


# --- adoption and flow

def test_adoption_counts(config: Config) -> None:
    records = [imp("IMP-0001", requester="li.na", source="incident"), imp("IMP-0002", requester="wang.wei", raised="2026-03-02"),
               imp("IMP-0003", requester="A customer", source="customer_feedback", raised="2026-03-30")]
    ledger = Ledger.of(register_of(config, records), "2026-04-02")
    assert ledger.raised_per_month() == {"2026-01": 1, "2026-02": 0, "2026-03": 2, "2026-04": 0}
    assert ledger.raised_per_team() == {"external": 1, "platform": 1, "service-desk": 1}
    assert ledger.raised_per_source() == {"customer_feedback": 1, "incident": 1, "staff_idea": 1}


def test_wip_throughput_and_time_in_status(config: Config) -> None:
    history = [{"date": "2026-01-01", "status": "identified"}, {"date": "2026-01-11", "status": "assessed"},
               {"date": "2026-01-31", "status": "approved"}, {"date": "2026-02-10", "status": "planned"},
               {"date": "2026-03-01", "status": "in_progress"}]
    records = [
        imp("IMP-0001", status="in_progress", raised="2026-01-01", history=history),
        imp("IMP-0002", status="assessed", raised="2026-01-05",
            history=[{"date": "2026-01-05", "status": "identified"}, {"date": "2026-01-25", "status": "assessed"}]),
        closed("IMP-0003", "achieved", "2026-03-10", raised="2026-01-05"),
        imp("IMP-0004", status="cancelled", closed_on="2026-04-02", reason="moot"),
    ]
    ledger = Ledger.of(register_of(config, records), AS_OF)
    wip = ledger.wip_per_status()
    assert wip["in_progress"] == 1 and wip["assessed"] == 1 and wip["identified"] == 0
    assert "closed" not in wip and "cancelled" not in wip
    assert ledger.throughput_per_month() == {"2026-03": {"closed": 1}, "2026-04": {"cancelled": 1}}
    times = {k: (s.n, s.mean, s.median) for k, s in ledger.cycle_times().items()}
    # the stay in the current status (still going) is not counted
    assert times == {"identified": (2, 15, 15), "assessed": (1, 20, 20), "approved": (1, 10, 10), "planned": (1, 19, 19)}
    assert list(ledger.cycle_times()) == ["identified", "assessed", "approved", "planned"]
    assert (ledger.end_to_end().n, ledger.end_to_end().mean) == (1, 64)


def test_ageing_bucket_boundaries(config: Config) -> None:
    raised = {"IMP-0001": "2026-06-15", "IMP-0002": "2026-05-17", "IMP-0003": "2026-05-16", "IMP-0004": "2025-06-16",
              "IMP-0005": "2025-06-15"}  # ages 0, 29, 30, 364, 365 days on 2026-06-15
    ledger = Ledger.of(register_of(config, [imp(k, raised=v) for k, v in raised.items()]), AS_OF)
    assert ledger.ageing() == {"0-29": 2, "30-89": 1, "90-179": 0, "180-364": 1, "365+": 1}
    assert [(f.imp.id, days) for f, days in ledger.oldest_open(2)] == [("IMP-0005", 365), ("IMP-0004", 364)]


# --- areas

def test_areas_without_improvements_and_with_too_many_open(config: Config) -> None:
    records = [imp(f"IMP-000{n}", owner="li.na", affects=["practice/service-desk", "service/email"]) for n in (1, 2, 3)]
    records.append(closed("IMP-0004", "achieved", "2026-03-01", owner="wang.wei", affects=["practice/service-desk"]))
    ledger = Ledger.of(register_of(with_kpi(config, too_many_open=2), records), AS_OF)
    practices = ledger.areas("practice")
    assert practices["service-desk"].as_dict() == {"total": 4, "open": 3, "closed": 1, "achieved": 1, "success_rate": 1}
    assert ledger.areas_without_improvements("practice") == ["incident-management", "continual-improvement"]
    assert ledger.areas_with_too_many_open("practice") == ["service-desk"]
    assert ledger.areas_with_too_many_open("service") == ["email"]
    assert ledger.areas_with_too_many_open("team") == ["service-desk"]
    assert ledger.areas("team")["platform"].closed == 1
    assert ledger.areas_without_improvements("service") == ["vpn", "identity"]
    assert ledger.areas("service")["email"].success_rate is None


# --- periods with data

def test_report_periods_only_where_something_happened(config: Config) -> None:
    ledger = outcomes_register(config)
    month_keys, quarter_keys = ledger.report_periods(["2026-05-10"])
    assert month_keys == ["2025-12", "2026-01", "2026-02", "2026-03", "2026-05"]
    assert quarter_keys == ["2025-Q4", "2026-Q1", "2026-Q2"]


def test_objective_progress_counts_outcomes_and_verdicts(config: Config) -> None:
    metric = {"name": "m", "unit": "%", "direction": "increase", "baseline": {"value": 0, "date": "2026-01-01"},
              "target": {"value": 10, "date": "2026-12-31"}, "measurements": [{"value": 10, "date": "2026-03-01"}]}
    records = [closed("IMP-0001", "achieved", "2026-03-01", objectives=["OBJ-01"], metrics=[metric]),
               closed("IMP-0002", "not_achieved", "2026-03-01", objectives=["OBJ-01"]),
               imp("IMP-0003", status="in_progress", objectives=["OBJ-01"], metrics=[{**metric, "measurements": []}]),
               imp("IMP-0004", status="in_progress", objectives=["OBJ-01", "OBJ-02"])]
    register = register_of(config, records, objectives=[objective("OBJ-01"), objective("OBJ-02")])
    counts, verdicts = objective_progress(register, "OBJ-01", AS_OF, 0.1)
    assert counts == {"outcome:achieved": 1, "outcome:not_achieved": 1, "in_progress": 2}
    assert [(i.id, v.verdict) for i, _, v in verdicts] == [("IMP-0001", "achieved"), ("IMP-0003", "no_data")]
    assert objective_progress(register, "OBJ-03", AS_OF, 0.1) == ({}, [])
