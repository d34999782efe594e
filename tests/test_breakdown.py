"""Gender breakdown tables: every number of the main tables on a hand-made fixture, and
properties on random data. Expected values were worked out by hand from the cases below.

The tables here are the unsuppressed work tables (and the comparison tables computed from them);
disclosure control is tested in test_protection.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rtp_eval import catalog, schema
from rtp_eval.breakdown import (
    MAIN_TABLES,
    BreakdownConfig,
    build_work_tables,
    comparison_tables,
    per_year,
    period_change,
    period_years,
    relative_change_pct,
    table_names,
)
from rtp_eval.io import format_for_csv, write_csv

NA = pd.NA
PERIODS = {"2016-2017": (2016, 2017)}
OPEN = BreakdownConfig(periods=PERIODS)
BUSINESS_COLUMNS = catalog.table("business_support_by_gender").columns
PROJECT_COLUMNS = catalog.table("project_support_by_gender").columns
EQUALITY_COLUMNS = catalog.table("project_support_equality").columns
CHANGE_TABLES = tuple(f"{main}_period_change" for main in MAIN_TABLES)


def build_tables(
    business: pd.DataFrame, project: pd.DataFrame, config: BreakdownConfig
) -> dict[str, pd.DataFrame]:
    """The work tables with their published columns, and the comparison tables from them."""
    works = build_work_tables(business, project, config)
    tables = {n: w[list(catalog.table(n).columns)] for n, w in works.items()}
    return tables | comparison_tables(tables, config)


def clean_frame(source: str, rows: list[dict[str, object]]) -> pd.DataFrame:
    """A clean table as the import stage writes it; unspecified columns are missing.

    Each case has its own organisation unless the row names one.
    """
    columns = schema.clean_columns(source)
    rows = [{"org_pseudonym": f"org{i}", **row} for i, row in enumerate(rows)]
    filled = [{c: row.get(c, NA) for c in columns} for row in rows]
    frame = pd.DataFrame(filled, columns=list(columns))
    return frame.astype(schema.clean_dtypes(source))


def business_case(
    year: int,
    support_type: str,
    decision: str,
    applied: int | None,
    granted: int | None,
    leadership: str,
    ownership: str,
    jobs_women: float | None = None,
    jobs_men: float | None = None,
) -> dict[str, object]:
    return {
        "decision_year": year,
        "support_type": support_type,
        "decision": decision,
        "amount_applied_sek": applied,
        "amount_granted_sek": granted,
        "leadership_group": leadership,
        "ownership_group": ownership,
        "expected_jobs_women": jobs_women,
        "expected_jobs_men": jobs_men,
        "area": "Östersund",
        "industry": "C",
    }


BUSINESS = clean_frame(
    "business_support",
    [
        business_case(2016, "investment", "granted", 100, 80, "women", "women", 1.0, 0.0),
        business_case(2016, "investment", "granted", 200, 150, "women", "mixed", 2.0, 1.0),
        business_case(2016, "investment", "rejected", 50, 0, "men", "men", 3.0, 3.0),
        business_case(2016, "investment", "granted", 300, 300, "men", "men", 0.5, 1.5),
        business_case(2016, "transport", "granted", 40, 40, "women", "women"),
        business_case(2016, "investment", "withdrawn", 999, None, "women", "women", 9.0, 9.0),
        business_case(2017, "investment", "granted", 120, 100, "women", "women", 1.0, 1.0),
        business_case(2017, "investment", "rejected", 80, None, "unknown", "unknown"),
        business_case(2017, "transport", "granted", 60, 55, "men", "mixed", None, 2.0),
        business_case(2017, "transport", "rejected", 30, 0, "women", "women"),
        business_case(2017, "transport", "granted", 25, 25, "men", "men"),
        business_case(2017, "investment", "withdrawn", 500, None, "men", "men"),
    ],
)


def project_case(
    year: int,
    owner_type: str | None,
    decision: str,
    applied: int,
    granted: int | None,
    manager: str,
    assessment: int | None,
    routine: bool | None,
    targets: tuple[int | None, int | None],
) -> dict[str, object]:
    return {
        "decision_year": year,
        "owner_type": owner_type,
        "decision": decision,
        "amount_applied_sek": applied,
        "amount_granted_sek": granted,
        "leadership_group": manager,
        "equality_assessment": assessment,
        "equality_routine_applied": routine,
        "target_women": targets[0],
        "target_men": targets[1],
        "area": "rest_of_county",
    }


PROJECT = clean_frame(
    "project_support",
    [
        project_case(2016, "municipality", "granted", 100, 100, "women", 2, True, (10, 5)),
        project_case(2016, "municipality", "rejected", 50, 0, "men", 0, False, (3, 3)),
        project_case(2016, None, "granted", 200, 180, "women", None, None, (4, 4)),
        project_case(2017, "nonprofit", "granted", 60, 60, "men", 3, True, (0, 8)),
        project_case(2017, "nonprofit", "withdrawn", 90, None, "women", 3, True, (1, 1)),
        project_case(2017, "municipality", "rejected", 70, 0, "unknown", 1, True, (None, None)),
    ],
)


@pytest.fixture(scope="module")
def tables() -> dict:
    return build_tables(BUSINESS, PROJECT, OPEN)


# period, support_type, group, decisions, granted, applied, granted amount, mean, median,
# expected jobs women, men  (leadership classification)
BUSINESS_LEADERSHIP = [
    ("2016", "investment", "women", 2, 2, 300, 230, 115, 115, 3.0, 1.0),
    ("2016", "investment", "men", 2, 1, 350, 300, 300, 300, 0.5, 1.5),
    ("2016", "investment", "all", 4, 3, 650, 530, 177, 150, 3.5, 2.5),
    ("2016", "transport", "women", 1, 1, 40, 40, 40, 40, 0.0, 0.0),
    ("2016", "transport", "all", 1, 1, 40, 40, 40, 40, 0.0, 0.0),
    ("2016", "all", "women", 3, 3, 340, 270, 90, 80, 3.0, 1.0),
    ("2016", "all", "men", 2, 1, 350, 300, 300, 300, 0.5, 1.5),
    ("2016", "all", "all", 5, 4, 690, 570, 143, 115, 3.5, 2.5),  # 142.5 rounds up
    ("2017", "investment", "women", 1, 1, 120, 100, 100, 100, 1.0, 1.0),
    ("2017", "investment", "unknown", 1, 0, 80, 0, None, None, 0.0, 0.0),
    ("2017", "investment", "all", 2, 1, 200, 100, 100, 100, 1.0, 1.0),
    ("2017", "transport", "women", 1, 0, 30, 0, None, None, 0.0, 0.0),
    ("2017", "transport", "men", 2, 2, 85, 80, 40, 40, 0.0, 2.0),
    ("2017", "transport", "all", 3, 2, 115, 80, 40, 40, 0.0, 2.0),
    ("2017", "all", "women", 2, 1, 150, 100, 100, 100, 1.0, 1.0),
    ("2017", "all", "men", 2, 2, 85, 80, 40, 40, 0.0, 2.0),
    ("2017", "all", "unknown", 1, 0, 80, 0, None, None, 0.0, 0.0),
    ("2017", "all", "all", 5, 3, 315, 180, 60, 55, 1.0, 3.0),
    ("2016-2017", "investment", "women", 3, 3, 420, 330, 110, 100, 4.0, 2.0),
    ("2016-2017", "investment", "men", 2, 1, 350, 300, 300, 300, 0.5, 1.5),
    ("2016-2017", "investment", "unknown", 1, 0, 80, 0, None, None, 0.0, 0.0),
    ("2016-2017", "investment", "all", 6, 4, 850, 630, 158, 125, 4.5, 3.5),
    ("2016-2017", "transport", "women", 2, 1, 70, 40, 40, 40, 0.0, 0.0),
    ("2016-2017", "transport", "men", 2, 2, 85, 80, 40, 40, 0.0, 2.0),
    ("2016-2017", "transport", "all", 4, 3, 155, 120, 40, 40, 0.0, 2.0),
    ("2016-2017", "all", "women", 5, 4, 490, 370, 93, 90, 4.0, 2.0),  # 92.5 rounds up
    ("2016-2017", "all", "men", 4, 3, 435, 380, 127, 55, 0.5, 3.5),
    ("2016-2017", "all", "unknown", 1, 0, 80, 0, None, None, 0.0, 0.0),
    ("2016-2017", "all", "all", 10, 7, 1005, 750, 107, 80, 4.5, 5.5),
]

# period 2016-2017, all support types, ownership classification
BUSINESS_OWNERSHIP_PERIOD = [
    ("women", 4, 3, 290, 220, 73, 80),
    ("men", 3, 2, 375, 325, 163, 163),  # 162.5 rounds up, for the mean and the median
    ("mixed", 2, 2, 260, 205, 103, 103),  # 102.5 likewise
    ("unknown", 1, 0, 80, 0, None, None),
    ("all", 10, 7, 1005, 750, 107, 80),
]


def norm(values: object) -> list[object]:
    """Comparable values: text stays text, numbers become floats, anything missing None."""
    out: list[object] = []
    for value in list(values):  # type: ignore[call-overload]
        if isinstance(value, str):
            out.append(value)
        elif value is None or pd.isna(value):
            out.append(None)
        else:
            out.append(float(value))
    return out


def test_business_leadership_every_number(tables: dict) -> None:
    table = tables["business_support_by_gender"].copy()
    assert list(table.columns) == list(BUSINESS_COLUMNS)
    got = table[table["classification"] == "leadership"].reset_index(drop=True)
    expected = pd.DataFrame(
        BUSINESS_LEADERSHIP,
        columns=[
            "period",
            "support_type",
            "group",
            "decisions",
            "granted",
            "amount_applied_sek",
            "amount_granted_sek",
            "mean_granted_sek",
            "median_granted_sek",
            "expected_jobs_women",
            "expected_jobs_men",
        ],
    )
    for column in ["period", "support_type", "group"]:
        assert got[column].tolist() == expected[column].tolist(), column
    for column in expected.columns[3:9]:
        assert norm(got[column]) == norm(expected[column]), column
    for column in ["expected_jobs_women", "expected_jobs_men"]:
        assert got[column].astype(float).tolist() == pytest.approx(expected[column].tolist())
    assert norm(got["year"]) == [2016.0] * 8 + [2017.0] * 10 + [None] * 11
    assert got["period_kind"].tolist() == ["year"] * 18 + ["period"] * 11
    assert not got["suppressed"].any()

    rates = (expected["granted"] / expected["decisions"]).tolist()
    assert got["approval_rate"].astype(float).tolist() == pytest.approx(rates)
    totals = expected[expected["group"] == "all"].set_index(["period", "support_type"])
    key = pd.MultiIndex.from_frame(expected[["period", "support_type"]])
    amount_totals = totals["amount_granted_sek"].reindex(key).to_numpy()
    shares = expected["amount_granted_sek"].to_numpy() / amount_totals
    assert got["share_of_amount"].astype(float).tolist() == pytest.approx(shares.tolist())
    decision_totals = totals["decisions"].reindex(key).to_numpy()
    shares = expected["decisions"].to_numpy() / decision_totals
    assert got["share_of_decisions"].astype(float).tolist() == pytest.approx(shares.tolist())
    # Jobs (3.0, 1.0) of 2016 women: 3 / 4 of the expected jobs go to women.
    assert got.loc[0, "women_share_of_expected_jobs"] == pytest.approx(0.75)
    # Rejected, withdrawn and missing jobs count nothing; no foreign-born jobs were given.
    assert (got["expected_jobs_foreign_born_women"] == 0).all()


def test_business_intervals_match_reference_values(tables: dict) -> None:
    table = tables["business_support_by_gender"].copy()
    row = table[
        (table["period"] == "2016-2017")
        & (table["support_type"] == "all")
        & (table["classification"] == "leadership")
        & (table["group"] == "all")
    ].iloc[0]
    # Wilson 95 % for 7 of 10 (Newcombe 1998, method 3): 0.3968 to 0.8922.
    assert row["approval_rate_ci_low"] == pytest.approx(0.3968, abs=5e-5)
    assert row["approval_rate_ci_high"] == pytest.approx(0.8922, abs=5e-5)
    women = table[
        (table["period"] == "2016")
        & (table["support_type"] == "all")
        & (table["classification"] == "leadership")
        & (table["group"] == "women")
    ].iloc[0]
    # 3 of 5 decisions: Wilson 0.2307 to 0.8824.
    assert women["share_of_decisions_ci_low"] == pytest.approx(0.2307, abs=5e-5)
    assert women["share_of_decisions_ci_high"] == pytest.approx(0.8824, abs=5e-5)


def test_business_ownership_period_every_count_and_amount(tables: dict) -> None:
    table = tables["business_support_by_gender"].copy()
    got = table[
        (table["classification"] == "ownership")
        & (table["period"] == "2016-2017")
        & (table["support_type"] == "all")
    ]
    columns = [
        "group",
        "decisions",
        "granted",
        "amount_applied_sek",
        "amount_granted_sek",
        "mean_granted_sek",
        "median_granted_sek",
    ]
    assert [norm(r) for _, r in got[columns].iterrows()] == [
        norm(r) for r in BUSINESS_OWNERSHIP_PERIOD
    ]
    assert got["share_of_amount"].astype(float).tolist() == pytest.approx(
        [220 / 750, 325 / 750, 205 / 750, 0.0, 1.0]
    )


# period, owner_type, group, decisions, granted, granted amount, mean, median, target w, m
PROJECT_BY_GENDER = [
    ("2016", "municipality", "women", 1, 1, 100, 100, 100, 10, 5),
    ("2016", "municipality", "men", 1, 0, 0, None, None, 0, 0),
    ("2016", "municipality", "all", 2, 1, 100, 100, 100, 10, 5),
    ("2016", "unknown", "women", 1, 1, 180, 180, 180, 4, 4),
    ("2016", "unknown", "all", 1, 1, 180, 180, 180, 4, 4),
    ("2016", "all", "women", 2, 2, 280, 140, 140, 14, 9),
    ("2016", "all", "men", 1, 0, 0, None, None, 0, 0),
    ("2016", "all", "all", 3, 2, 280, 140, 140, 14, 9),
    ("2017", "municipality", "unknown", 1, 0, 0, None, None, 0, 0),
    ("2017", "municipality", "all", 1, 0, 0, None, None, 0, 0),
    ("2017", "nonprofit", "men", 1, 1, 60, 60, 60, 0, 8),
    ("2017", "nonprofit", "all", 1, 1, 60, 60, 60, 0, 8),
    ("2017", "all", "men", 1, 1, 60, 60, 60, 0, 8),
    ("2017", "all", "unknown", 1, 0, 0, None, None, 0, 0),
    ("2017", "all", "all", 2, 1, 60, 60, 60, 0, 8),
    ("2016-2017", "municipality", "women", 1, 1, 100, 100, 100, 10, 5),
    ("2016-2017", "municipality", "men", 1, 0, 0, None, None, 0, 0),
    ("2016-2017", "municipality", "unknown", 1, 0, 0, None, None, 0, 0),
    ("2016-2017", "municipality", "all", 3, 1, 100, 100, 100, 10, 5),
    ("2016-2017", "nonprofit", "men", 1, 1, 60, 60, 60, 0, 8),
    ("2016-2017", "nonprofit", "all", 1, 1, 60, 60, 60, 0, 8),
    ("2016-2017", "unknown", "women", 1, 1, 180, 180, 180, 4, 4),
    ("2016-2017", "unknown", "all", 1, 1, 180, 180, 180, 4, 4),
    ("2016-2017", "all", "women", 2, 2, 280, 140, 140, 14, 9),
    ("2016-2017", "all", "men", 2, 1, 60, 60, 60, 0, 8),
    ("2016-2017", "all", "unknown", 1, 0, 0, None, None, 0, 0),
    ("2016-2017", "all", "all", 5, 3, 340, 113, 100, 14, 17),
]


def test_project_by_gender_every_number(tables: dict) -> None:
    table = tables["project_support_by_gender"].copy()
    assert list(table.columns) == list(PROJECT_COLUMNS)
    columns = [
        "period",
        "owner_type",
        "group",
        "decisions",
        "granted",
        "amount_granted_sek",
        "mean_granted_sek",
        "median_granted_sek",
        "target_women",
        "target_men",
    ]
    got = [norm(r) for _, r in table[columns].iterrows()]
    assert got == [norm(r) for r in PROJECT_BY_GENDER]
    expected = pd.DataFrame(PROJECT_BY_GENDER, columns=columns)
    rates = (expected["granted"] / expected["decisions"]).tolist()
    assert table["approval_rate"].astype(float).tolist() == pytest.approx(rates)
    shares = [100 / 100, 0, 1, 1, 1, 1, 0, 1, np.nan, np.nan, 1, 1, 1, 0, 1]
    shares += [1, 0, 0, 1, 1, 1, 1, 1, 280 / 340, 60 / 340, 0, 1]
    got_shares = table["share_of_amount"].astype("Float64").to_numpy(na_value=np.nan)
    # 2017 municipality granted nothing: a share of nothing is not defined.
    assert np.allclose(got_shares, shares, equal_nan=True)
    assert table["amount_applied_sek"].tolist()[-1] == 100 + 50 + 200 + 60 + 70


# period, assessment, decisions, granted, granted amount, routine applied, routine recorded
EQUALITY = [
    ("2016", "0", 1, 0, 0, 0, 1),
    ("2016", "2", 1, 1, 100, 1, 1),
    ("2016", "unknown", 1, 1, 180, 0, 0),
    ("2016", "all", 3, 2, 280, 1, 2),
    ("2017", "1", 1, 0, 0, 1, 1),
    ("2017", "3", 1, 1, 60, 1, 1),
    ("2017", "all", 2, 1, 60, 2, 2),
    ("2016-2017", "0", 1, 0, 0, 0, 1),
    ("2016-2017", "1", 1, 0, 0, 1, 1),
    ("2016-2017", "2", 1, 1, 100, 1, 1),
    ("2016-2017", "3", 1, 1, 60, 1, 1),
    ("2016-2017", "unknown", 1, 1, 180, 0, 0),
    ("2016-2017", "all", 5, 3, 340, 3, 4),
]


def test_project_equality_every_number(tables: dict) -> None:
    table = tables["project_support_equality"].copy()
    assert list(table.columns) == list(EQUALITY_COLUMNS)
    columns = [
        "period",
        "equality_assessment",
        "decisions",
        "granted",
        "amount_granted_sek",
        "routine_applied",
        "routine_recorded",
    ]
    assert [norm(r) for _, r in table[columns].iterrows()] == [norm(r) for r in EQUALITY]
    shares = [0, 100 / 280, 180 / 280, 1, 0, 1, 1, 0, 0, 100 / 340, 60 / 340, 180 / 340, 1]
    assert table["share_of_amount"].astype(float).tolist() == pytest.approx(shares)
    applied_share = table["routine_applied_share"].astype("Float64").to_numpy(na_value=np.nan)
    expected = [0, 1, np.nan, 1 / 2, 1, 1, 1, 0, 1, 1, 1, np.nan, 3 / 4]
    assert np.allclose(applied_share, expected, equal_nan=True)


def test_approval_rate_difference(tables: dict) -> None:
    table = tables["approval_rate_difference"].copy()
    row = table[
        (table["source"] == "business_support")
        & (table["period"] == "2016-2017")
        & (table["classification"] == "leadership")
        & (table["category"] == "all")
    ].iloc[0]
    # Women 4 of 5, men 3 of 4.
    assert (row["women_decisions"], row["women_granted"]) == (5, 4)
    assert (row["men_decisions"], row["men_granted"]) == (4, 3)
    assert row["approval_rate_difference"] == pytest.approx(4 / 5 - 3 / 4)
    assert row["approval_rate_difference_ci_low"] < 0.05 < row["approval_rate_difference_ci_high"]
    # The test of Newcombe's interval: the alpha at which the interval's lower bound reaches 0
    # (statsmodels' interval solved for alpha by brentq gives 0.857726); above 0.05, as the
    # 95 % interval includes 0.
    assert row["p_value"] == pytest.approx(0.857726, abs=1e-6)
    project = table[table["source"] == "project_support"]
    assert set(project["classification"]) == {"project_manager"}
    # 2016 municipality: women 1 of 1, men 0 of 1.
    first = project.iloc[0]
    assert (first["period"], first["category"]) == ("2016", "municipality")
    assert first["approval_rate_difference"] == pytest.approx(1.0)


def test_period_change(tables: dict) -> None:
    # One period only: no consecutive pair, so the change tables are empty but well formed.
    for name in CHANGE_TABLES:
        assert tables[name].empty
        assert list(tables[name].columns) == list(catalog.table(name).columns)
    config = BreakdownConfig(periods={"late": (2017, 2017), "early": (2016, 2016)})
    changes = build_tables(BUSINESS, PROJECT, config)["project_support_equality_period_change"]
    row = changes[changes["equality_assessment"] == "all"].iloc[0]
    # Periods are compared in the order of their first year, not of the configuration.
    assert (row["period_from"], row["period_to"]) == ("early", "late")
    assert row["approval_rate_change_pp"] == pytest.approx((1 / 2 - 2 / 3) * 100)
    assert row["share_of_amount_change_pp"] == pytest.approx(0.0)


def test_period_change_compares_periods_of_different_length_per_year() -> None:
    # 2016 alone (1 year) against 2016-2017 (2 years): project equality, all levels.
    config = BreakdownConfig(periods={"first": (2016, 2016), "both": (2016, 2017)})
    built = build_tables(BUSINESS, PROJECT, config)
    main = built["project_support_equality"]
    changes_table = catalog.table("project_support_equality_period_change")
    changes = built[changes_table.name]
    assert list(changes.columns) == list(changes_table.columns)
    row = changes[changes["equality_assessment"] == "all"].iloc[0]
    first = main[(main["period"] == "first") & (main["equality_assessment"] == "all")].iloc[0]
    both = main[(main["period"] == "both") & (main["equality_assessment"] == "all")].iloc[0]
    assert (row["years_from"], row["years_to"]) == (1, 2)
    for measure in ("decisions", "granted", "amount_granted_sek"):
        assert row[f"{measure}_from"] == first[measure]
        assert row[f"{measure}_to"] == both[measure]
        assert row[f"{measure}_per_year_from"] == pytest.approx(first[measure])
        assert row[f"{measure}_per_year_to"] == pytest.approx(both[measure] / 2)
        expected = (both[measure] / 2 / first[measure] - 1) * 100
        assert row[f"{measure}_per_year_change_pct"] == pytest.approx(expected)


def test_period_change_of_a_suppressed_total_is_empty() -> None:
    periods = {"a": (2012, 2015), "b": (2016, 2018)}
    published = pd.DataFrame(
        {
            "period": ["a", "b", "a", "b", "a", "b"],
            "group": ["women", "women", "men", "men", "unknown", "unknown"],
            "share_of_amount": [0.2, None, 0.8, 0.7, 0.0, 0.3],
            "approval_rate": [0.5, None, 0.6, 0.7, 0.5, 0.5],
            "decisions": [40, None, 80, 60, 4, 4],
            "granted": [20, None, 48, 42, 2, 2],
            "amount_granted_sek": [400, None, 1600, 900, 1600, 1000],
            "suppressed": [False, True, False, False, False, False],
        }
    ).astype({"decisions": "Int64", "granted": "Int64", "amount_granted_sek": "Int64"})
    changes = period_change(published, ["group"], periods).set_index("group")
    women, men, unknown = changes.loc["women"], changes.loc["men"], changes.loc["unknown"]
    assert bool(women["suppressed"]) and not bool(men["suppressed"])
    assert women["decisions_per_year_from"] == pytest.approx(10.0)
    for column in ("decisions_to", "decisions_per_year_to", "decisions_per_year_change_pct"):
        assert pd.isna(women[column])
    # 1 600 kr over 4 years against 900 kr over 3: 400 a year against 300, a fall of 25 %,
    # though the totals alone would suggest a fall of 44 %.
    assert men["amount_granted_sek_per_year_from"] == pytest.approx(400.0)
    assert men["amount_granted_sek_per_year_to"] == pytest.approx(300.0)
    assert men["amount_granted_sek_per_year_change_pct"] == pytest.approx(-25.0)
    assert men["decisions_per_year_change_pct"] == pytest.approx(0.0)
    # Means of amounts are whole kronor (333 1/3 -> 333); the change uses the exact means.
    assert unknown["amount_granted_sek_per_year_to"] == 333
    assert unknown["amount_granted_sek_per_year_change_pct"] == pytest.approx(
        (1000 / 3 / 400 - 1) * 100
    )
    assert unknown["decisions_per_year_to"] == pytest.approx(4 / 3)


def test_per_year_helpers() -> None:
    periods = {"2012-2015": (2012, 2015), "2016": (2016, 2016)}
    assert period_years(periods, "2012-2015") == 4
    assert period_years(periods, "2016") == 1
    totals = pd.Series([8, None, 0], dtype="Int64")
    means = per_year(totals, 4)
    assert means.iloc[0] == pytest.approx(2.0)
    assert pd.isna(means.iloc[1])
    assert means.iloc[2] == 0
    first = pd.Series([2.0, 0.0, None, 4.0], dtype="Float64")
    last = pd.Series([3.0, 5.0, 1.0, None], dtype="Float64")
    change = relative_change_pct(first, last)
    assert change.iloc[0] == pytest.approx(50.0)
    assert change.iloc[1:].isna().all()  # from zero, or from or to an empty value


def test_period_labelled_like_a_year_is_rejected() -> None:
    with pytest.raises(ValueError, match="look like a year"):
        BreakdownConfig(periods={"2016": (2016, 2016)})
    with pytest.raises(ValueError, match="starts after it ends"):
        BreakdownConfig.from_params({"x": [2018, 2016]}, {})


def test_dimension_tables_show_periods_for_all_types_and_share_the_main_cells() -> None:
    rng = np.random.default_rng(7)
    business = random_business(rng, 400)
    empty_project = clean_frame("project_support", [])
    built = build_tables(business, empty_project, BreakdownConfig(periods=PERIODS))
    main = built["business_support_by_gender"]
    main = main[(main["support_type"] == "all") & (main["period"] == "2016-2017")]
    for dimension in ("programme_area", "industry", "area"):
        other = built[f"business_support_by_gender_and_{dimension}"]
        assert set(other["period"]) == {"2016-2017"}
        assert set(other["support_type"]) == {"all"}
        shared = other[other[dimension] == "all"].drop(columns=dimension).reset_index(drop=True)
        pd.testing.assert_frame_equal(shared, main.reset_index(drop=True))


def test_work_tables_count_organisations_and_their_largest_shares() -> None:
    rows = [
        business_case(2016, "investment", "granted", 100, 80, "women", "women"),
        business_case(2016, "investment", "granted", 100, 20, "women", "women"),
        business_case(2016, "investment", "granted", 100, 50, "women", "women"),
        business_case(2016, "investment", "rejected", 100, 0, "women", "women"),
    ]
    # The first two decisions went to one firm: three organisations, one of them with 100.
    rows[1]["org_pseudonym"] = "org0"
    business = clean_frame("business_support", rows)
    works = build_work_tables(business, clean_frame("project_support", []), OPEN)
    work = works["business_support_by_gender"]
    assert set(catalog.working_columns(catalog.table("business_support_by_gender"))) <= set(work)
    row = work[
        (work["period"] == "2016")
        & (work["support_type"] == "all")
        & (work["classification"] == "leadership")
        & (work["group"] == "women")
    ].iloc[0]
    assert (row["decisions"], row["units"], row["granted_units"]) == (4, 3, 2)
    # Two largest organisations: 100 (two grants summed) and 50.
    assert row["top_amount_granted_sek"] == 150
    assert row["top_amount_applied_sek"] == 300


def test_csv_is_stable_and_atomic(tables: dict, tmp_path: Path) -> None:
    table = tables["business_support_by_gender"].copy()
    path = tmp_path / "tables" / "business_support_by_gender.csv"
    write_csv(table, path)
    first = path.read_bytes()
    write_csv(table, path)
    assert path.read_bytes() == first
    assert list(tmp_path.joinpath("tables").iterdir()) == [path]
    lines = first.decode("utf-8").splitlines()
    assert lines[0].startswith("year,support_type,classification,group,decisions,granted,")
    # 2016 investment women: approval 2/2, share 230/530 to six significant digits.
    assert lines[1].startswith("2016,investment,leadership,women,2,2,1,")
    assert ",0.433962," in lines[1]
    assert ",false," in lines[1]
    text = format_for_csv(pd.DataFrame({"x": pd.array([1 / 3, None, 2.0, 1e-7], "Float64")}))
    assert text["x"].tolist() == ["0.333333", "", "2", "0.0000001"]


# --- properties on random data ---------------------------------------------------------------

TYPES = ["investment", "transport", "seed"]
GROUPS = ["women", "men", "unknown"]
OWNERSHIP = ["women", "men", "mixed", "unknown"]


def random_business(rng: np.random.Generator, n: int) -> pd.DataFrame:
    decision = rng.choice(["granted", "rejected", "withdrawn"], n, p=[0.6, 0.3, 0.1])
    applied = rng.integers(1, 500, n)
    rows = [
        business_case(
            int(rng.integers(2016, 2018)),
            str(rng.choice(TYPES)),
            str(decision[i]),
            int(applied[i]),
            int(rng.integers(0, applied[i] + 1)) if decision[i] == "granted" else 0,
            str(rng.choice(GROUPS)),
            str(rng.choice(OWNERSHIP)),
            float(rng.integers(0, 4)),
            float(rng.integers(0, 4)),
        )
        | {"programme_area": str(rng.choice(["A", "B"])), "industry": str(rng.choice(["C", "G"]))}
        for i in range(n)
    ]
    return clean_frame("business_support", rows)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=2**32 - 1), st.integers(min_value=1, max_value=80))
def test_breakdown_properties(seed: int, n: int) -> None:
    business = random_business(np.random.default_rng(seed), n)
    config = BreakdownConfig(periods=PERIODS)
    works = build_work_tables(business, clean_frame("project_support", []), config)
    work = works["business_support_by_gender"]
    decided = business[business["decision"] != "withdrawn"]

    # Counts reconcile with the clean data.
    totals = work[(work["support_type"] == "all") & (work["group"] == "all")]
    for classification in ("leadership", "ownership"):
        rows = totals[
            (totals["classification"] == classification) & (totals["period"] != "2016-2017")
        ]
        by_year = decided.groupby("decision_year").size()
        assert dict(zip(rows["year"], rows["decisions"], strict=True)) == by_year.to_dict()
        granted = decided.loc[decided["decision"] == "granted", "amount_granted_sek"].sum()
        period = totals[
            (totals["classification"] == classification) & (totals["period"] == "2016-2017")
        ]
        if len(decided):
            assert period["amount_granted_sek"].item() == granted

    # Shares over the groups sum to one; `all` is the sum of its parts.
    cell = ["period", "support_type", "classification"]
    parts = work[work["group"] != "all"]
    sums = parts.groupby(cell)[
        ["decisions", "granted", "amount_granted_sek", "amount_applied_sek"]
    ].sum()
    alls = work[work["group"] == "all"].set_index(cell)[sums.columns].loc[sums.index]
    pd.testing.assert_frame_equal(sums.astype("int64"), alls.astype("int64"))
    share_sums = parts.groupby(cell)["share_of_amount"].sum(min_count=1).dropna()
    assert np.allclose(share_sums.astype(float), 1.0)
    type_cell = ["period", "classification", "group"]
    type_parts = work[work["support_type"] != "all"].groupby(type_cell)["decisions"].sum()
    type_alls = work[work["support_type"] == "all"].set_index(type_cell)["decisions"]
    assert type_parts.to_dict() == type_alls.loc[type_parts.index].to_dict()

    # Organisations: at most the decisions, at least one per row; granted ones at most granted.
    assert (work["units"] <= work["decisions"]).all() and (work["units"] >= 1).all()
    assert (work["granted_units"] <= work["granted"]).all()
    assert (work["top_amount_granted_sek"] <= work["amount_granted_sek"] + 1e-9).all()


def test_output_names_known_to_the_workflow_match_the_tables_built() -> None:
    from rtp_eval.outputs import GENDER_TABLES

    assert table_names() == GENDER_TABLES
    by_size = "business_support_by_gender_and_company_size"
    assert by_size in table_names()
    assert catalog.table(by_size).dimensions["company_size"] == "company_size"
