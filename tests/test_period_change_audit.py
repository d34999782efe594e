"""The annual means of the period change tables, seen by the disclosure audit.

A mean per year of a published total is derived from it and reveals nothing new; a suppressed
total must give a suppressed mean, and the audit must catch a mean shown beside an empty total.
"""

from __future__ import annotations

import pandas as pd

from rtp_eval import catalog
from rtp_eval.audit import run_audit
from rtp_eval.breakdown import period_change

MAIN = "business_support_by_gender"
CHANGE = "business_support_by_gender_period_change"
PERIODS = {"2012-2015": (2012, 2015), "2016-2018": (2016, 2018)}
KEYS = ["support_type", "classification", "group"]


def main_table() -> pd.DataFrame:
    """Women's 2012-2015 row suppressed; the men's rows published."""
    rows = [
        ("2012-2015", "women", None, None, None),
        ("2016-2018", "women", 30, 24, 900),
        ("2012-2015", "men", 80, 60, 1600),
        ("2016-2018", "men", 60, 45, 900),
    ]
    return leadership_rows(rows)


def leadership_rows(rows: list[tuple]) -> pd.DataFrame:
    """Published leadership rows of `business_support_by_gender`, all support types: (period,
    group, decisions, granted, amount); a row without decisions is suppressed."""
    table = catalog.table(MAIN)
    data = pd.DataFrame(
        [
            {
                "period": period,
                "period_kind": "period",
                "support_type": "all",
                "classification": "leadership",
                "group": group,
                "decisions": decisions,
                "granted": granted,
                "amount_granted_sek": amount,
                "suppressed": decisions is None,
            }
            for period, group, decisions, granted, amount in rows
        ]
    ).reindex(columns=list(table.columns))
    return data.astype(table.dtypes)


def change_violations(published: dict[str, pd.DataFrame]) -> pd.DataFrame:
    found = run_audit(published).violations
    return found[found["table"] == CHANGE]


def test_the_new_columns_are_derived_or_copies_in_the_catalogue() -> None:
    table = catalog.table(CHANGE)
    for measure in ("decisions", "granted", "amount_granted_sek"):
        for side in ("from", "to"):
            assert catalog.COLUMNS[f"{measure}_{side}"].kind == catalog.COPY
            mean = catalog.COLUMNS[f"{measure}_per_year_{side}"]
            assert mean.kind == catalog.DERIVED
            assert mean.inputs == (f"{measure}_{side}",)
        change = catalog.COLUMNS[f"{measure}_per_year_change_pct"]
        assert change.kind == catalog.DERIVED
        assert set(change.inputs) == {f"{measure}_from", f"{measure}_to"}
    assert set(table.of_kind(catalog.COPY)) >= {"decisions_from", "amount_granted_sek_to"}


def test_means_of_published_totals_pass_the_audit() -> None:
    main = main_table()
    changes = period_change(main, KEYS, PERIODS)
    women = changes[changes["group"] == "women"].iloc[0]
    assert pd.isna(women["decisions_from"]) and pd.isna(women["decisions_per_year_from"])
    assert women["decisions_per_year_to"] == 10
    assert change_violations({MAIN: main, CHANGE: changes}).empty


def test_a_mean_beside_a_suppressed_total_is_caught() -> None:
    main = main_table()
    changes = period_change(main, KEYS, PERIODS)
    planted = changes.copy()
    women = planted["group"] == "women"
    planted.loc[women, "amount_granted_sek_per_year_from"] = 100.0
    found = change_violations({MAIN: main, CHANGE: planted})
    assert set(found["column"]) == {"amount_granted_sek_per_year_from"}
    assert set(found["problem"]) == {"published beside a suppressed input"}


def test_a_copied_total_the_main_table_suppresses_is_caught() -> None:
    main = main_table()
    planted = period_change(main, KEYS, PERIODS)
    planted.loc[planted["group"] == "women", "decisions_from"] = 20
    found = change_violations({MAIN: main, CHANGE: planted})
    assert "repeats a value its source table suppresses" in set(found["problem"])
