"""The disclosure audit finds each way an intruder recovers a suppressed cell (hand-made tables)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rtp_eval import catalog
from rtp_eval.audit import AuditRules, propagate, row_labels, run_audit

BY_GENDER = "business_support_by_gender"
BY_AREA = "business_support_by_gender_and_area"


def frame(name: str, rows: list[dict[str, object]]) -> pd.DataFrame:
    """A published table of the catalogue with the given rows (other columns empty)."""
    table = catalog.table(name)
    data = pd.DataFrame(rows).reindex(columns=list(table.columns))
    data["suppressed"] = data["decisions"].isna() if "decisions" in data else False
    return data.astype(table.dtypes)


def business(period: str, group: str, decisions: float | None, **values: object) -> dict:
    """A row of business_support_by_gender for all support types, leadership unless given."""
    row = {
        "period": period,
        "year": int(period) if period.isdigit() else None,
        "period_kind": "year" if period.isdigit() else "period",
        "support_type": values.pop("support_type", "all"),
        "classification": values.pop("classification", "leadership"),
        "group": group,
        "decisions": decisions,
        "granted": values.pop("granted", decisions),
    }
    row.update(values)
    return row


def primaries(table: str, rows: pd.DataFrame, family: str, rule: str) -> pd.DataFrame:
    labels = row_labels(rows, catalog.table(table).keys)
    return pd.DataFrame({"table": table, "row": labels, "family": family, "rule": rule})


def intervals_of(result, table: str, column: str = "decisions") -> pd.DataFrame:
    found = result.intervals
    return found[(found["table"] == table) & (found["column"] == column)]


def test_an_all_row_pins_its_one_suppressed_part() -> None:
    published = frame(
        BY_GENDER,
        [
            business("2014", "women", None),
            business("2014", "men", 10),
            business("2014", "unknown", 5),
            business("2014", "all", 16),
        ],
    )
    result = run_audit({BY_GENDER: published})
    women = intervals_of(result, BY_GENDER)
    assert (women["low"].iloc[0], women["high"].iloc[0]) == (1, 1)
    assert not result.passed
    assert "width >= 3" in result.violations["problem"].iloc[0]


def test_two_suppressed_parts_are_bounded_by_the_published_row_minimum() -> None:
    # A + B = 2 with both rows published: each holds at least one decision, so both are 1.
    published = frame(
        BY_GENDER,
        [
            business("2014", "women", None),
            business("2014", "men", 10),
            business("2014", "unknown", None),
            business("2014", "all", 12),
        ],
    )
    result = run_audit({BY_GENDER: published})
    assert set(intervals_of(result, BY_GENDER)["high"]) == {1.0}


def test_a_wide_enough_interval_passes() -> None:
    published = frame(
        BY_GENDER,
        [
            business("2014", "women", None, granted=None),
            business("2014", "men", 10),
            business("2014", "unknown", None, granted=None),
            business("2014", "all", 20),
        ],
    )
    result = run_audit({BY_GENDER: published})
    found = intervals_of(result, BY_GENDER)
    assert list(found["low"]) == [1, 1] and list(found["high"]) == [9, 9]
    assert result.passed


def test_a_period_is_the_sum_of_its_years() -> None:
    published = frame(
        BY_GENDER,
        [
            business("2012", "women", 4),
            business("2013", "women", None, granted=None),
            business("2012-2013", "women", 5),
        ],
    )
    result = run_audit({BY_GENDER: published})
    found = intervals_of(result, BY_GENDER)
    assert (found["low"].iloc[0], found["high"].iloc[0]) == (1, 1)


def test_a_year_without_a_row_is_zero_in_its_period() -> None:
    # 2013 has rows (men) but none for women: women had no decisions in 2013.
    published = frame(
        BY_GENDER,
        [
            business("2012", "women", None, granted=None),
            business("2013", "men", 4),
            business("2012-2013", "women", 2),
        ],
    )
    found = intervals_of(run_audit({BY_GENDER: published}), BY_GENDER)
    assert (found["low"].iloc[0], found["high"].iloc[0]) == (2, 2)


def test_a_period_is_the_sum_of_shorter_periods() -> None:
    strata = "intersectional_business_support"

    def stratum(period: str, decisions: float | None) -> dict:
        return {
            "period": period,
            "group": "women",
            "birth_background": "all",
            "age_group": "all",
            "area": "all",
            "decisions": decisions,
            "granted": decisions,
        }

    published = frame(
        strata, [stratum("2012-2015", 7), stratum("2016-2018", None), stratum("2012-2018", 9)]
    )
    found = intervals_of(run_audit({strata: published}), strata)
    assert (found["low"].iloc[0], found["high"].iloc[0]) == (2, 2)


def test_the_same_cell_published_in_another_table_is_known() -> None:
    by_gender = frame(
        BY_GENDER,
        [business("2014", "women", None, granted=None), business("2014", "all", 40)],
    )
    by_area = frame(
        BY_AREA,
        [business("2014", "women", 3, area="all"), business("2014", "all", 40, area="all")],
    )
    result = run_audit({BY_GENDER: by_gender, BY_AREA: by_area})
    found = intervals_of(result, BY_GENDER)
    assert (found["low"].iloc[0], found["high"].iloc[0]) == (3, 3)
    assert not result.passed


def test_leadership_and_ownership_totals_are_one_cell() -> None:
    published = frame(
        BY_GENDER,
        [
            business("2014", "all", None, support_type="seed", granted=None),
            business("2014", "all", 2, support_type="seed", classification="ownership"),
        ],
    )
    found = intervals_of(run_audit({BY_GENDER: published}), BY_GENDER)
    assert (found["low"].iloc[0], found["high"].iloc[0]) == (2, 2)


def test_granted_can_never_exceed_decisions() -> None:
    published = frame(
        BY_GENDER,
        [
            business("2014", "women", 2, granted=None),
            business("2014", "men", 3, granted=None),
            business("2014", "all", 5, granted=5),
        ],
    )
    suppressed = published[published["group"] == "women"]
    result = run_audit(
        {BY_GENDER: published}, primaries(BY_GENDER, suppressed, "counts", "threshold")
    )
    found = intervals_of(result, BY_GENDER, "granted")
    assert list(found["high"] - found["low"]) == [0.0, 0.0]
    assert "width >= 1" in set(result.violations["problem"].str.split(": ").str[1])


def test_margin_rule_fails_a_narrow_amount_interval() -> None:
    rows = [
        business("2014", "women", 10, amount_granted_sek=None),
        business("2014", "men", 10, amount_granted_sek=None),
        business("2014", "unknown", 10, amount_granted_sek=50_000),
        business("2014", "all", 30, amount_granted_sek=1_050_000),
        # Men's amount is also the total of men's support types: both types published.
        business("2014", "men", 5, support_type="seed", amount_granted_sek=400_000),
        business("2014", "men", 5, support_type="transport", amount_granted_sek=550_000),
        business("2014", "all", 10, support_type="seed", amount_granted_sek=400_000),
        business("2014", "all", 10, support_type="transport", amount_granted_sek=550_000),
    ]
    published = frame(BY_GENDER, rows)
    women = published[(published["group"] == "women")]
    result = run_audit({BY_GENDER: published}, primaries(BY_GENDER, women, "amounts", "dominance"))
    found = intervals_of(result, BY_GENDER, "amount_granted_sek")
    women_found = found[found["row"].str.contains("group=women")]
    assert (women_found["low"].iloc[0], women_found["high"].iloc[0]) == (50_000, 50_000)
    assert any("±15 %" in p for p in result.violations["problem"])


def test_derived_values_beside_suppressed_cells_are_violations() -> None:
    rows = [
        business("2014", "women", None, approval_rate=0.5, median_granted_sek=100),
        business("2014", "men", 12, granted=4, median_granted_sek=90, amount_granted_sek=500),
        business("2014", "unknown", 12, share_of_amount=0.5, amount_granted_sek=400),
        business("2014", "all", None, amount_granted_sek=None),
    ]
    result = run_audit({BY_GENDER: frame(BY_GENDER, rows)}, rules=AuditRules())
    problems = set(result.violations["problem"])
    assert "published beside a suppressed input" in problems
    assert "published beside a suppressed total" in problems
    assert "median of fewer than 5 grants" in problems


def test_a_change_table_must_not_repeat_a_suppressed_value() -> None:
    change = "business_support_by_gender_period_change"
    main = frame(BY_GENDER, [business("2012-2015", "women", None)])
    repeated = pd.DataFrame(
        {
            "period_from": ["2012-2015"],
            "period_to": ["2016-2018"],
            "support_type": ["all"],
            "classification": ["leadership"],
            "group": ["women"],
            "approval_rate_from": [0.7],
        }
    ).reindex(columns=list(catalog.table(change).columns))
    result = run_audit({BY_GENDER: main, change: repeated.astype(catalog.table(change).dtypes)})
    assert "repeats a value its source table suppresses" in set(result.violations["problem"])


def test_copies_of_women_and_men_counts_are_the_same_cells() -> None:
    difference = "approval_rate_difference"
    main = frame(
        BY_GENDER,
        [
            business("2014", "women", None, granted=None),
            business("2014", "men", 10),
            business("2014", "all", 15),
        ],
    )
    copy = pd.DataFrame(
        {
            "source": ["business_support"],
            "period": ["2014"],
            "classification": ["leadership"],
            "category_type": ["support_type"],
            "category": ["all"],
            "women_decisions": [3],
            "women_granted": [3],
            "men_decisions": [10],
            "men_granted": [10],
        }
    ).reindex(columns=list(catalog.table(difference).columns))
    result = run_audit({BY_GENDER: main, difference: copy.astype(catalog.table(difference).dtypes)})
    found = intervals_of(result, BY_GENDER)
    assert (found["low"].iloc[0], found["high"].iloc[0]) == (3, 3)


def test_propagation_gives_the_bounds_of_a_single_equation() -> None:
    # x + y = 10, 0 <= x <= 3: y lies in 7..10.
    matrix = pd.DataFrame([[1.0, 1.0]]).to_numpy()
    import scipy.sparse as sp

    low, high = propagate(
        sp.csr_matrix(matrix),
        np.array([10.0]),
        np.zeros(1),
        np.array([0.0, 0.0]),
        np.array([3.0, np.inf]),
    )
    assert list(low) == [0.0, 7.0]
    assert list(high) == [3.0, 10.0]


@pytest.mark.parametrize("name", sorted(catalog.TABLES))
def test_every_case_table_maps_its_rows_to_cells(name: str) -> None:
    table = catalog.table(name)
    if table.is_case_table:
        assert table.period_column is not None
        assert all(key in table.keys for key in table.dimensions)


def test_the_model_case_count_is_the_sum_of_the_known_strata() -> None:
    strata = "intersectional_business_support"
    summary = "intersectional_model_summary"

    def stratum(group: str, area: str, decisions: float | None) -> dict:
        return {
            "period": "2012-2018",
            "group": group,
            "birth_background": "all",
            "age_group": "all",
            "area": area,
            "decisions": decisions,
            "granted": decisions,
        }

    # Women in Östersund hidden; with an unknown-sex stratum hidden too the area totals alone
    # leave two unknowns, but the model's count of known cases (women and men, known area)
    # pins women in Östersund.
    rows = [
        stratum("women", "Östersund", None),
        stratum("women", "rest_of_county", 5),
        stratum("men", "Östersund", 9),
        stratum("men", "rest_of_county", 7),
        stratum("unknown", "Östersund", None),
        stratum("all", "Östersund", 14),
    ]
    cases = pd.DataFrame(
        {
            "period": ["2012-2018"],
            "outcome": ["approval"],
            "model": ["null"],
            "cases_before_sampling": [23],
        }
    ).reindex(columns=list(catalog.table(summary).columns))
    published = {
        strata: frame(strata, rows),
        summary: cases.astype(catalog.table(summary).dtypes),
    }
    found = intervals_of(run_audit(published), strata)
    women = found[found["row"].str.contains("group=women")]
    assert (women["low"].iloc[0], women["high"].iloc[0]) == (2, 2)
    without = intervals_of(run_audit({strata: published[strata]}), strata)
    women = without[without["row"].str.contains("group=women")]
    assert women["high"].iloc[0] - women["low"].iloc[0] >= 1
