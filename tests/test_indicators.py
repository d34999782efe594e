"""Goal indicators: every default indicator on a hand-made fixture, status and gap rules at
their edges, and clear configuration errors."""

from __future__ import annotations

import copy
import math

import pandas as pd
import pytest
import yaml

from rtp_eval.config import load_schema
from rtp_eval.errors import ConfigError
from rtp_eval.indicators import (
    SourceData,
    assess,
    build_indicators,
    gap_to_target,
    load_definitions,
    owner_units,
    supported_firms,
    trend_slope,
)
from rtp_eval.owner_follow_up import CLEAN_DTYPES
from rtp_eval.schema import clean_columns, clean_dtypes
from rtp_eval.sections.goals import goal_sections, sparkline_svg
from tests.conftest import REPO

SCHEMA = load_schema(REPO / "workflow" / "schemas" / "indicators.schema.yaml")
FILE = "config/indicators.yaml"


def _document() -> dict:
    with (REPO / "config" / "indicators.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _load(document: dict):
    return load_definitions(document, SCHEMA, FILE)


# --- the hand-made fixture -----------------------------------------------------------------------


def _table(rows: list[dict]) -> pd.DataFrame:
    """A published table as the indicators step reads it: text, empty cells missing."""
    frame = pd.DataFrame(rows)
    frame["period_kind"] = ["period" if "-" in str(p) else "year" for p in frame["period"]]
    return frame.astype("string")


def _business_table() -> pd.DataFrame:
    def row(period, support_type, group, amount, granted, **jobs):
        return {
            "period": period,
            "support_type": support_type,
            "classification": "leadership",
            "group": group,
            "amount_granted_sek": amount,
            "granted": granted,
            "expected_jobs_women": jobs.get("w", 0),
            "expected_jobs_men": jobs.get("m", 0),
            "expected_jobs_foreign_born_women": jobs.get("fw", 0),
            "expected_jobs_foreign_born_men": jobs.get("fm", 0),
        }

    return _table(
        [
            row("2015", "all", "women", 20, 2),
            row("2015", "all", "all", 100, 10, w=3, m=7, fw=1, fm=2),
            row("2015", "investment", "women", 10, 1),
            row("2015", "investment", "all", 50, 4),
            row("2016", "all", "women", 30, 3),
            row("2016", "all", "all", 100, 10, w=4, m=6, fw=1, fm=1),
            # no investment row for women-led firms in 2016: none were granted
            row("2016", "investment", "all", 40, 2),
            # another classification must not be counted
            {**row("2016", "all", "women", 99, 9), "classification": "ownership"},
        ]
    )


def _difference_table() -> pd.DataFrame:
    def row(period, wg, wd, mg, md):
        return {
            "source": "business_support",
            "period": period,
            "classification": "leadership",
            "category": "all",
            "women_granted": wg,
            "women_decisions": wd,
            "men_granted": mg,
            "men_decisions": md,
        }

    return _table([row("2015", 3, 4, 8, 10), row("2016", 9, 10, 4, 5)])


def _project_table() -> pd.DataFrame:
    return _table(
        [
            {"period": "2015", "owner_type": "all", "group": "women", "granted": 3},
            {"period": "2015", "owner_type": "all", "group": "all", "granted": 5},
            {"period": "2016", "owner_type": "all", "group": "women", "granted": None},
            {"period": "2016", "owner_type": "all", "group": "all", "granted": 6},
        ]
    )


def _equality_table() -> pd.DataFrame:
    def row(period, level, amount, applied=0, recorded=0):
        return {
            "period": period,
            "equality_assessment": level,
            "amount_granted_sek": amount,
            "routine_applied": applied,
            "routine_recorded": recorded,
        }

    return _table(
        [
            row("2015", "1", 60),
            row("2015", "2", 30),
            row("2015", "3", 10),
            row("2015", "all", 100, 1, 4),
            row("2016", "2", 100),
            row("2016", "all", 200, 3, 4),
        ]
    )


def _business_cases() -> pd.DataFrame:
    columns = list(clean_columns("business_support"))

    def case(
        case_id,
        year,
        org,
        decision="granted",
        day=1,
        ceo=None,
        emp=(None, None),
        board=(None, None),
    ):
        row = dict.fromkeys(columns)
        row |= {
            "case_id": case_id,
            "decision_year": year,
            "decision_date": pd.Timestamp(year, 3, day),
            "org_pseudonym": org,
            "decision": decision,
            "support_type": "investment",
            "ceo_sex": ceo,
            "employees_women": emp[0],
            "employees_men": emp[1],
            "board_women": board[0],
            "board_men": board[1],
        }
        return row

    rows = [
        # 2015: firm A has two granted cases; only its latest counts.
        case("A1", 2015, "A", day=1, ceo="woman", emp=(100, 100), board=(9, 9)),
        case("A2", 2015, "A", day=20, ceo="woman", emp=(1, 3), board=(1, 1)),
        case("B1", 2015, "B", ceo="man", emp=(2, 2), board=(0, 2)),
        case("C1", 2015, "C", ceo="woman", emp=(0, 4), board=(1, 3)),
        case("D1", 2015, "D", decision="rejected", ceo="woman", emp=(50, 0), board=(5, 0)),
        # 2016: two firms only, below the disclosure threshold of 3.
        case("A3", 2016, "A", ceo="woman", emp=(1, 1), board=(1, 1)),
        case("B2", 2016, "B", ceo="man", emp=(1, 1), board=(1, 1)),
        # 2017: three firms; E has no CEO sex and counts for employees only.
        case("A4", 2017, "A", ceo="woman", emp=(2, 2), board=(1, 1)),
        case("B3", 2017, "B", ceo="man", emp=(2, 2), board=(1, 1)),
        case("E1", 2017, "E", ceo=None, emp=(2, 0), board=(None, None)),
    ]
    return pd.DataFrame(rows, columns=columns).astype(clean_dtypes("business_support"))


def _owner_rows() -> pd.DataFrame:
    def org(year, name, directive, report, women, men):
        return {
            "source_file": f"owner_follow_up/{year}.csv",
            "source_row": 2,
            "follow_up_year": year,
            "organisation": name,
            "ownership_share_pct": 100.0,
            "directive_includes_equality": directive,
            "annual_report_reports_equality": report,
            "took_part_in_dialogues": True,
            "board_women": women,
            "board_men": men,
            "ceo_sex": "man",
        }

    rows = [
        org(2016, "W", True, False, 1, 4),
        org(2016, "X", False, False, 1, 4),
        org(2016, "Y", False, False, 1, 4),
        org(2016, "Z", False, False, 1, 4),
        org(2018, "W", True, True, 2, 3),
        org(2018, "X", True, True, 2, 3),
        org(2018, "Y", True, False, 1, 4),
        org(2018, "Z", True, False, 3, 2),
    ]
    return pd.DataFrame(rows, columns=list(CLEAN_DTYPES)).astype(CLEAN_DTYPES)


def _sources() -> dict[str, SourceData]:
    return {
        "business_support_by_gender": SourceData(_business_table(), "table"),
        "approval_rate_difference": SourceData(_difference_table(), "table"),
        "project_support_by_gender": SourceData(_project_table(), "table"),
        "project_support_equality": SourceData(_equality_table(), "table"),
        "supported_firms": SourceData(supported_firms(_business_cases()), "units"),
        "owner_follow_up": SourceData(owner_units(_owner_rows()), "units"),
    }


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return build_indicators(_load(_document()), _sources(), min_units=3)


def _row(table: pd.DataFrame, indicator: str, period: str) -> pd.Series:
    selected = table[(table["indicator_id"] == indicator) & (table["period"] == period)]
    assert len(selected) == 1, (indicator, period)
    return selected.iloc[0]


# (indicator, period) -> (value, baseline, target, status), values in percent / points
EXPECTED = {
    ("business_women_led_amount_share", "2016"): (30.0, 20.0, 30.0, "met"),
    ("business_women_led_amount_share", "2015"): (20.0, 20.0, 30.0, "not_met"),
    # 3 of 10 decisions: the Wilson interval straddles 30 %, but the trend (+10 a year) reaches
    # it by the target year 2018.
    ("business_women_led_grant_share", "2016"): (30.0, 20.0, 30.0, "on_track"),
    ("investment_women_led_amount_share", "2016"): (0.0, 20.0, 30.0, "not_met"),
    ("investment_women_led_grant_share", "2016"): (0.0, 25.0, 30.0, "uncertain"),  # 0 of 2
    ("business_approval_rate_gap", "2015"): (-5.0, -5.0, 0.0, "uncertain"),
    ("business_approval_rate_gap", "2016"): (10.0, -5.0, 0.0, "on_track"),
    ("expected_jobs_women_share", "2015"): (30.0, 30.0, 40.0, "not_met"),
    ("expected_jobs_women_share", "2016"): (40.0, 30.0, 40.0, "met"),
    ("expected_jobs_foreign_born_women_share", "2016"): (10.0, 10.0, 10.0, "not_met"),
    ("expected_jobs_foreign_born_men_share", "2016"): (10.0, 20.0, 20.0, "not_met"),
    ("supported_firms_women_employees_share", "2015"): (25.0, 25.0, 25.0, "not_met"),
    ("supported_firms_women_employees_share", "2017"): (60.0, 25.0, 25.0, "met"),
    ("supported_firms_women_employees_share", "2016-2017"): (800 / 14, 25.0, 25.0, "met"),
    ("supported_firms_women_ceo_share", "2015"): (200 / 3, 200 / 3, 200 / 3, "not_met"),
    ("supported_firms_women_ceo_share", "2016-2017"): (50.0, 200 / 3, 200 / 3, "not_met"),
    ("supported_firms_women_board_share", "2015"): (25.0, 25.0, 25.0, "not_met"),
    ("supported_firms_women_board_share", "2016-2017"): (50.0, 25.0, 25.0, "met"),
    ("project_women_manager_share", "2015"): (60.0, 60.0, 40.0, "uncertain"),  # 3 of 5
    ("project_routine_share", "2015"): (25.0, 25.0, 100.0, "not_met"),
    ("project_routine_share", "2016"): (75.0, 25.0, 100.0, "on_track"),
    ("project_equality_integrated_amount_share", "2015"): (40.0, 40.0, 40.0, "not_met"),
    ("project_equality_integrated_amount_share", "2016"): (50.0, 40.0, 40.0, "met"),
    ("owner_directive_share", "2016"): (25.0, 25.0, 100.0, "not_met"),
    ("owner_directive_share", "2018"): (100.0, 25.0, 100.0, "met"),
    ("owner_annual_report_share", "2018"): (50.0, 0.0, 100.0, "not_met"),
    ("owner_board_women_share", "2016"): (20.0, 20.0, 40.0, "not_met"),
    ("owner_board_women_share", "2018"): (40.0, 20.0, 40.0, "met"),
}


@pytest.mark.parametrize(("key", "expected"), EXPECTED.items(), ids=lambda v: str(v))
def test_default_indicator_on_fixture(table: pd.DataFrame, key, expected) -> None:
    row = _row(table, *key)
    value, baseline, target, status = expected
    assert float(row["value"]) == pytest.approx(value)
    assert float(row["baseline_value"]) == pytest.approx(baseline)
    assert float(row["target_value"]) == pytest.approx(target)
    assert row["status"] == status
    assert not row["suppressed"]


def test_every_default_indicator_is_computed(table: pd.DataFrame) -> None:
    ids = [i["id"] for i in _document()["indicators"]]
    assert list(dict.fromkeys(table["indicator_id"])) == ids
    assert {i for i, _ in EXPECTED} == set(ids)


def test_suppressed_cells_and_few_units_give_no_value(table: pd.DataFrame) -> None:
    # A suppressed women's cell in a published table.
    row = _row(table, "project_women_manager_share", "2016")
    assert pd.isna(row["value"]) and row["suppressed"] and row["status"] == "no_data"
    # Two supported firms in 2016: fewer than min_units.
    row = _row(table, "supported_firms_women_employees_share", "2016")
    assert pd.isna(row["value"]) and row["suppressed"] and row["status"] == "no_data"
    # Three firms in 2017, but only two with a known CEO sex: too few for the CEO share.
    row = _row(table, "supported_firms_women_ceo_share", "2017")
    assert pd.isna(row["value"]) and row["suppressed"]


def test_counts_each_firm_once_per_year() -> None:
    firms = supported_firms(_business_cases())
    assert firms.groupby("year").size().to_dict() == {2015: 3, 2016: 2, 2017: 3}
    firm_a = firms[(firms["year"] == 2015) & (firms["employees_women"] == 1)]
    assert len(firm_a) == 1  # the latest case of firm A, not the first


def test_table_period_row_is_used_when_present() -> None:
    sources = _sources()
    frame = sources["business_support_by_gender"].frame
    pooled = frame[frame["period"] == "2015"].assign(period="2012-2015", period_kind="period")
    pooled.loc[pooled["group"] == "women", "amount_granted_sek"] = "15"
    frame = pd.concat([frame, pooled], ignore_index=True)
    sources["business_support_by_gender"] = SourceData(frame, "table")
    result = build_indicators(_load(_document()), sources, min_units=3)
    row = _row(result, "business_women_led_amount_share", "2016")
    assert float(row["baseline_value"]) == pytest.approx(15.0)
    assert list(result[result["indicator_id"] == "business_women_led_amount_share"]["period"]) == [
        "2015",
        "2016",
    ]


def test_gap_and_trend_columns(table: pd.DataFrame) -> None:
    row = _row(table, "project_routine_share", "2016")
    assert float(row["gap_to_target"]) == pytest.approx(25.0)
    assert float(row["trend_per_year"]) == pytest.approx(50.0)
    row = _row(table, "business_approval_rate_gap", "2016")
    assert float(row["gap_to_target"]) == pytest.approx(-10.0)


def test_missing_owner_follow_up_gives_no_data_rows() -> None:
    sources = _sources()
    empty = owner_units(_owner_rows().iloc[0:0])
    sources["owner_follow_up"] = SourceData(empty, "units")
    result = build_indicators(_load(_document()), sources, min_units=3)
    owner = result[result["indicator_id"].str.startswith("owner_")]
    assert set(owner["status"]) == {"no_data"}
    assert list(owner["year"]) == [2018, 2018, 2018]


# --- status, gap and trend at their edges --------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "target", "direction", "strict", "status"),
    [
        (30.0, 30.0, "higher", False, "met"),  # exactly on target
        (29.999, 30.0, "higher", False, "not_met"),
        (10.0, 10.0, "lower", False, "met"),  # exactly on target, lower is better
        (9.0, 10.0, "lower", False, "met"),
        (11.0, 10.0, "lower", False, "not_met"),
        (25.0, 25.0, "higher", True, "not_met"),  # "more than the baseline": equal is not more
        (25.1, 25.0, "higher", True, "met"),
        (math.nan, 30.0, "higher", False, "no_data"),
        (30.0, math.nan, "higher", False, "no_data"),
    ],
)
def test_status_edges(value, target, direction, strict, status) -> None:
    assert assess(value, target, direction, year=2018, target_year=2018, strict=strict) == status


def test_on_track_needs_a_trend_reaching_the_target_before_the_target_year() -> None:
    assert assess(20.0, 30.0, "higher", year=2016, target_year=2018, trend=5.0) == "on_track"
    assert assess(20.0, 30.0, "higher", year=2016, target_year=2018, trend=4.9) == "not_met"
    assert assess(20.0, 30.0, "higher", year=2018, target_year=2018, trend=50.0) == "not_met"
    assert assess(20.0, 30.0, "higher", year=2016, target_year=2018) == "not_met"
    assert assess(12.0, 10.0, "lower", year=2016, target_year=2018, trend=-1.0) == "on_track"
    assert assess(12.0, 10.0, "lower", year=2016, target_year=2018, trend=1.0) == "not_met"


def test_gap_to_target_by_direction() -> None:
    assert gap_to_target(20.0, 30.0, "higher") == 10.0
    assert gap_to_target(30.0, 30.0, "higher") == 0.0
    assert gap_to_target(35.0, 30.0, "higher") == -5.0
    assert gap_to_target(12.0, 10.0, "lower") == 2.0
    assert gap_to_target(8.0, 10.0, "lower") == -2.0
    assert math.isnan(gap_to_target(math.nan, 10.0, "lower"))


def test_trend_uses_the_last_years_with_a_value() -> None:
    years = [2015, 2016, 2017, 2018]
    assert trend_slope(years, [1.0, 2.0, 3.0, 4.0], 2018, 3) == pytest.approx(1.0)
    assert trend_slope(years, [1.0, math.nan, 3.0, 7.0], 2018, 3) == pytest.approx(4.0)
    assert math.isnan(trend_slope(years, [1.0, math.nan, math.nan, 7.0], 2018, 3))
    assert math.isnan(trend_slope([2018], [1.0], 2018, 3))


# --- configuration errors ------------------------------------------------------------------------


def _broken(index: int, change) -> dict:
    document = copy.deepcopy(_document())
    change(document["indicators"][index])
    return document


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        (
            lambda i: i.update(direction="up"),
            "indicators[business_women_led_amount_share].direction",
            "'up'",
        ),
        (
            lambda i: i.pop("unit"),
            "indicators[business_women_led_amount_share]",
            "'unit' is missing",
        ),
        (
            lambda i: i.update(colour="red"),
            "indicators[business_women_led_amount_share]",
            "'colour'",
        ),
        (
            lambda i: i.update(unit="percentage_points"),
            "indicators[business_women_led_amount_share].unit",
            "minus",
        ),
        (
            lambda i: i.update(target={"year": 2018}),
            "indicators[business_women_led_amount_share].target",
            "either",
        ),
        (
            lambda i: i.update(baseline=[2015, 2012]),
            "indicators[business_women_led_amount_share].baseline",
            "after",
        ),
        (
            lambda i: i.update(national_goal=3),
            "indicators[business_women_led_amount_share].national_goal",
            "3",
        ),
    ],
)
def test_wrong_definition_names_indicator_and_field(change, key, words) -> None:
    with pytest.raises(ConfigError) as error:
        _load(_broken(0, change))
    message = error.value.user_message()
    assert f"at '{key}'" in message
    assert words in message
    assert FILE in message


def test_unknown_column_of_a_unit_source_is_named() -> None:
    index = [i["id"] for i in _document()["indicators"]].index("supported_firms_women_ceo_share")
    document = _broken(index, lambda i: i["measure"]["numerator"].update(columns=["ceo_woman"]))
    with pytest.raises(ConfigError, match=r"supported_firms_women_ceo_share\]\.measure\.numerator"):
        _load(document)


def test_unknown_table_column_is_named_when_computing() -> None:
    document = _broken(0, lambda i: i["measure"]["numerator"].update(columns=["amount_sek"]))
    with pytest.raises(ConfigError) as error:
        build_indicators(_load(document), _sources(), min_units=3)
    assert "indicators[business_women_led_amount_share].measure.numerator" in str(error.value)
    assert "'amount_sek'" in str(error.value)


def test_unknown_source_and_duplicate_id() -> None:
    document = _broken(0, lambda i: i.update(source="business_table"))
    with pytest.raises(ConfigError, match=r"business_women_led_amount_share\]\.source"):
        load_definitions(document, SCHEMA, FILE, table_sources=["business_support_by_gender"])
    document = _broken(1, lambda i: i.update(id="business_women_led_amount_share"))
    with pytest.raises(ConfigError, match="used twice"):
        _load(document)


def test_adding_an_indicator_needs_only_configuration() -> None:
    document = _document()
    document["indicators"].append(
        {
            "id": "transport_women_led_amount_share",
            "name_sv": "Kvinnoledda företags andel av transportbidraget",
            "description_sv": "Exempel.",
            "national_goal": 2,
            "source": "business_support_by_gender",
            "filters": {"support_type": "all", "classification": "leadership"},
            "measure": {
                "numerator": {"columns": ["granted"], "filters": {"group": "women"}},
                "denominator": {"columns": ["granted"], "filters": {"group": ["women", "all"]}},
            },
            "unit": "ratio",
            "direction": "lower",
            "baseline": [2015, 2015],
            "target": {"value": 0.2, "year": 2016},
        }
    )
    result = build_indicators(_load(document), _sources(), min_units=3)
    row = _row(result, "transport_women_led_amount_share", "2016")
    assert float(row["value"]) == pytest.approx(3 / 13)
    assert row["status"] == "uncertain"  # 3 of 13: the Wilson interval holds 0.2


# --- report rows ---------------------------------------------------------------------------------


def test_goal_sections_give_status_text_symbol_and_sentence(table: pd.DataFrame) -> None:
    sections = goal_sections(table)
    assert [s["goal"] for s in sections] == [1, 2]
    rows = {r["id"]: r for s in sections for r in s["rows"]}
    assert len(rows) == len(_document()["indicators"])
    routine = rows["project_routine_share"]
    assert routine["status_text"] == "På väg" and routine["status_symbol"] == "↗"
    assert routine["sentence"] is None
    investment = rows["investment_women_led_amount_share"]
    assert investment["status_text"] == "Inte uppnått" and investment["status_symbol"] == "✗"
    assert "det återstår 30,0 procentenheter" in investment["sentence"]
    assert 'aria-hidden="true"' in investment["sparkline"]
    assert investment["sparkline_label"].startswith(
        "Utveckling för kvinnoledda företags andel av beviljat investeringsstöd"
    )
    assert rows["owner_directive_share"]["sentence"] is None


def test_sparkline_is_deterministic_and_survives_gaps() -> None:
    first = sparkline_svg([2015, 2016, 2017], [1.0, math.nan, 3.0], 2.0)
    assert first == sparkline_svg([2015, 2016, 2017], [1.0, math.nan, 3.0], 2.0)
    assert "<polyline" not in first and first.count("<circle") == 2
    assert sparkline_svg([2015], [math.nan], math.nan).startswith("<svg")
