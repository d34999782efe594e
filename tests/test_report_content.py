"""Report tables and notes on the comparisons: the p-values, periods per year, rounded shares."""

from __future__ import annotations

import pandas as pd
import pytest

from rtp_eval import catalog
from rtp_eval.breakdown import period_change
from rtp_eval.report_content import (
    ROUNDING_NOTE,
    approval_difference_table,
    equality_table,
    multiple_testing_note,
    period_comparison_tables,
    rounding_note,
    shown_percent,
)
from tests.test_period_change_audit import leadership_rows

NBSP = "\u00a0"


def differences(p_values: list[float | None]) -> pd.DataFrame:
    """approval_rate_difference rows for business support, all types, one per year."""
    rows = [
        {
            "source": "business_support",
            "year": 2012 + i,
            "period": str(2012 + i),
            "period_kind": "year",
            "classification": "leadership",
            "category_type": "support_type",
            "category": "all",
            "women_approval_rate": 0.8,
            "men_approval_rate": 0.7,
            "approval_rate_difference": 0.1,
            "approval_rate_difference_ci_low": -0.05 if p is None or p >= 0.05 else 0.01,
            "approval_rate_difference_ci_high": 0.25,
            "p_value": p,
        }
        for i, p in enumerate(p_values)
    ]
    return pd.DataFrame(rows)


def test_difference_table_names_the_test_of_the_interval() -> None:
    table = approval_difference_table(differences([0.3, 0.01, 0.5]))
    assert table.columns[-1] == "p-värde (test som hör till Newcombes intervall)"
    assert "testet som hör till samma intervall" in table.notes[0]
    assert [row[-1].text for row in table.rows] == ["0,300", "0,010", "0,500"]
    assert all(row[-1].column == "p_value" for row in table.rows)


def test_difference_table_warns_of_many_tests_counting_the_rows_shown() -> None:
    table = approval_difference_table(differences([0.3, None, *([0.5] * 10)]))
    # Eleven p-values are shown; the suppressed one is no test.
    note = table.notes[-1]
    assert note.startswith("p-värdena är ojusterade, ett per rad. Med 11 test")
    assert "i genomsnitt 0,6 p-värden under 0,05" in note
    assert "sållning" in note and "inte som bevis" in note


def test_multiple_testing_note() -> None:
    assert multiple_testing_note(0) == []
    assert multiple_testing_note(1) == []
    (note,) = multiple_testing_note(40)
    assert "Med 40 test hamnar i genomsnitt 2,0 p-värden under 0,05" in note
    (note,) = multiple_testing_note(40, alpha=0.01)
    assert "0,4 p-värden under 0,01" in note


@pytest.mark.parametrize(
    ("text", "value"),
    [(f"19,4{NBSP}%", 19.4), ("100 %", 100.0), (f"−0,5{NBSP}%", -0.5), ("..", None), ("12", None)],
)
def test_shown_percent(text: str, value: float | None) -> None:
    assert shown_percent(text) == value


def test_rounding_note_only_where_printed_shares_miss_100() -> None:
    third = f"33,3{NBSP}%"
    assert rounding_note([[third, third, third]]) == [ROUNDING_NOTE]
    assert rounding_note([["50 %", "50 %"], ["99 %", "2 %"]]) == [ROUNDING_NOTE]
    assert rounding_note([["50,0 %", "50,0 %"]]) == []
    # A hidden share: the group cannot add up, and rounding is not why.
    assert rounding_note([[third, "..", third]]) == []
    assert rounding_note([]) == []
    assert ROUNDING_NOTE == "Andelarna är avrundade och summerar därför inte alltid till 100 %."


def equality_rows(shares: list[float]) -> pd.DataFrame:
    levels = ["0", "1", "2", "all"]
    return pd.DataFrame(
        {
            "period": "2016-2018",
            "equality_assessment": levels,
            "decisions": [3, 3, 3, 9],
            "granted": [3, 3, 3, 9],
            "amount_granted_sek": [100, 100, 100, 300],
            "share_of_amount": [*shares, 1.0],
            "routine_applied": [1, 1, 1, 3],
        }
    )


def test_equality_table_notes_rounding_when_its_shares_miss_100() -> None:
    third = equality_table(equality_rows([1 / 3, 1 / 3, 1 / 3]), "2016-2018")
    assert third.notes == [ROUNDING_NOTE]
    even = equality_table(equality_rows([0.25, 0.25, 0.5]), "2016-2018")
    assert even.notes == []


def published_main() -> pd.DataFrame:
    """business_support_by_gender with leadership rows for two periods, women's first hidden."""
    rows = [
        ("2012-2015", "women", None, None, None),
        ("2012-2015", "men", 600, 500, 252_000_000),
        ("2012-2015", "all", 832, 718, 314_860_200),
        ("2016-2018", "women", 170, 140, 36_581_100),
        ("2016-2018", "men", 393, 320, 161_006_800),
        ("2016-2018", "all", 607, 488, 212_687_200),
    ]
    return leadership_rows(rows)


def test_period_comparison_shows_totals_beside_means_per_year() -> None:
    periods = {"2012-2015": (2012, 2015), "2016-2018": (2016, 2018)}
    changes = period_change(published_main(), ["support_type", "classification", "group"], periods)
    (table,) = period_comparison_tables(changes)
    assert table.columns[1] == "Beviljat belopp 2012-2015 (4 år)"
    assert table.columns[3] == "Beviljat belopp 2016-2018 (3 år)"
    assert [row[0].text for row in table.rows] == ["Kvinnoledda", "Mansledda", "Samtliga"]
    total = {cell.column: cell.text for cell in table.rows[-1][1:]}
    # 314.9 and 212.7 million kronor in 4 and 3 years: 78.7 and 70.9 million a year.
    assert total["amount_granted_sek_from"] == f"314{NBSP}860{NBSP}200{NBSP}kr"
    assert total["amount_granted_sek_per_year_from"] == f"78{NBSP}715{NBSP}050{NBSP}kr"
    assert total["amount_granted_sek_per_year_to"] == f"70{NBSP}895{NBSP}733{NBSP}kr"
    assert total["amount_granted_sek_per_year_change_pct"] == "-9,9"
    assert total["decisions_per_year_from"] == "208,0"
    assert total["decisions_per_year_to"] == "202,3"
    women = table.rows[0]
    assert [c.text for c in women[1:3]] == ["..", ".."]
    assert women[-1].text == "56,7"
    for cell in women[1:]:
        assert cell.table == "business_support_by_gender_period_change"
        assert cell.key == (
            "period_from=2012-2015;period_to=2016-2018;support_type=all;"
            "classification=leadership;group=women"
        )
        assert cell.column in catalog.table(cell.table).columns


def test_period_comparison_without_pairs_is_empty() -> None:
    changes = period_change(published_main(), ["support_type", "classification", "group"], {})
    assert period_comparison_tables(changes) == []
