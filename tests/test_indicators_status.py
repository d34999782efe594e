"""Goal judgements: which year judges a goal, suppressed judged years, status with uncertainty
(Wilson, Newcombe, point comparisons), properties of the status function, and the report rows
built from them."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rtp_eval.config import load_schema
from rtp_eval.indicators import (
    STATUS_ORDER,
    SourceData,
    Value,
    assess,
    build_indicators,
    difference_interval,
    load_definitions,
    share_interval,
)
from rtp_eval.io import write_csv
from rtp_eval.sections.goals import goal_sections
from rtp_eval.stats import newcombe_interval, wilson_interval
from tests.conftest import REPO

SCHEMA = load_schema(REPO / "workflow" / "schemas" / "indicators.schema.yaml")
FILE = "config/indicators.yaml"
SOURCE = "business_support_by_gender"


def _definition(**changes: object) -> dict:
    """An indicator: women-led firms' share of granted decisions, 30 % by 2018."""
    return {
        "id": "women_led_grant_share",
        "name_sv": "Kvinnoledda företags andel av beviljade stöd",
        "description_sv": "Test.",
        "national_goal": 2,
        "source": SOURCE,
        "filters": {"support_type": "all", "classification": "leadership"},
        "measure": {
            "numerator": {"columns": ["granted"], "filters": {"group": "women"}},
            "denominator": {"columns": ["granted"], "filters": {"group": "all"}},
        },
        "unit": "percent",
        "direction": "higher",
        "baseline": [2012, 2015],
        "target": {"value": 30, "year": 2018},
    } | changes


def _amounts(definition: dict) -> dict:
    """The same indicator as a share of granted amounts."""
    measure = {
        "numerator": {"columns": ["amount_granted_sek"], "filters": {"group": "women"}},
        "denominator": {"columns": ["amount_granted_sek"], "filters": {"group": "all"}},
    }
    return definition | {"id": "women_led_amount_share", "measure": measure}


def _table(cells: dict[int, tuple[int | None, int]]) -> pd.DataFrame:
    """A published gender table: per year, women's granted decisions (None: suppressed) of all;
    amounts are 1 000 kr per decision."""
    rows = []
    for year, (women, total) in cells.items():
        for group, granted in (("women", women), ("all", total)):
            rows.append(
                {
                    "period": str(year),
                    "period_kind": "year",
                    "support_type": "all",
                    "classification": "leadership",
                    "group": group,
                    "granted": None if granted is None else str(granted),
                    "amount_granted_sek": None if granted is None else str(granted * 1000),
                }
            )
    return pd.DataFrame(rows).astype("string")


BASELINE = {2012: (25, 100), 2013: (25, 100), 2014: (25, 100), 2015: (25, 100)}


def _build(
    cells: dict[int, tuple[int | None, int]], *definitions: dict, **options: object
) -> pd.DataFrame:
    settings = load_definitions({"indicators": list(definitions) or [_definition()]}, SCHEMA, FILE)
    sources = {SOURCE: SourceData(_table(BASELINE | cells), "table")}
    return build_indicators(settings, sources, min_units=3, **options)


def _row(table: pd.DataFrame, period: str, indicator: str = "women_led_grant_share") -> pd.Series:
    selected = table[(table["indicator_id"] == indicator) & (table["period"] == period)]
    assert len(selected) == 1, period
    return selected.iloc[0]


def _judged(table: pd.DataFrame, indicator: str = "women_led_grant_share") -> pd.Series:
    rows = table[(table["indicator_id"] == indicator) & table["judgement_period"].notna()]
    assert len(rows) == 1
    return rows.iloc[0]


# --- which year judges a goal -----------------------------------------------------------------


def test_a_passed_target_year_judges_the_goal_and_later_years_are_not_assessed() -> None:
    cells = {2017: (250, 1000), 2018: (400, 1000), 2019: (100, 1000), 2021: (100, 1000)}
    table = _build(cells)
    judged = _judged(table)
    assert (judged["period"], judged["judgement_period"]) == ("2018", "2018")
    assert judged["status"] == "met" and judged["period_role"] == "target_year"
    for period in ("2019", "2021"):
        row = _row(table, period)
        assert row["period_role"] == "after_target_year"
        assert row["status"] == "not_assessed"
        # The later year's value and distance to the target are still published.
        assert float(row["value"]) == pytest.approx(10.0)
        assert float(row["gap_to_target"]) == pytest.approx(20.0)
    assert _row(table, "2017")["period_role"] == "before_target_year"


def test_a_target_that_still_applies_judges_later_years_too() -> None:
    cells = {2018: (400, 1000), 2019: (100, 1000)}
    table = _build(cells, applies_after={"women_led_grant_share"})
    assert _row(table, "2019")["status"] == "not_met"
    assert _judged(table)["period"] == "2018"  # the target year still judges the goal
    assert _row_of_sections(table)["later_status"] == "✗ Inte uppnått (2019)"
    assert _row_of_sections(_build(cells))["later_status"] == "Bedöms inte mot målet"
    # The same, set in the definitions file.
    definition = _definition(target={"value": 30, "year": 2018, "applies_after": True})
    settings = load_definitions({"indicators": [definition]}, SCHEMA, FILE)
    assert settings.indicators[0].target_applies_after
    assert (
        not load_definitions({"indicators": [_definition()]}, SCHEMA, FILE)
        .indicators[0]
        .target_applies_after
    )


def test_before_the_target_year_the_latest_year_judges_provisionally() -> None:
    table = _build({2016: (100, 1000), 2017: (200, 1000)})
    judged = _judged(table)
    assert (judged["period"], judged["judgement_period"]) == ("2017", "2017")
    assert judged["period_role"] == "before_target_year"
    row = _row_of_sections(table)
    assert "preliminärt, före målåret 2018" in row["status_notes"]


def test_a_target_year_without_rows_gets_a_row_of_its_own() -> None:
    table = _build({2017: (300, 1000), 2019: (300, 1000)})
    row = _row(table, "2018")
    assert row["status"] == "no_data" and not row["suppressed"]
    assert list(table["period"])[-3:] == ["2017", "2018", "2019"]
    # No decisions in the target year: said so, not suppressed, and 2017 shown instead.
    assert _judged(table)["period"] == "2017"
    section_row = _row_of_sections(table)
    assert section_row["period"] == "2017 (2018 saknas)"
    assert "2018 saknas; 2017: 30,0 %" in section_row["sentence"]


# --- a suppressed judged year ------------------------------------------------------------------


def test_a_suppressed_target_year_is_said_and_the_year_shown_instead_is_named() -> None:
    cells = {2016: (300, 1000), 2017: (100, 1000), 2018: (None, 1000), 2019: (900, 1000)}
    table = _build(cells)
    intended = _row(table, "2018")
    assert intended["suppressed"] and intended["status"] == "no_data"
    assert pd.isna(intended["judgement_period"])
    # The latest earlier year with a value is judged instead, and says for which year.
    judged = _judged(table)
    assert (judged["period"], judged["judgement_period"]) == ("2017", "2018")
    assert judged["status"] == "not_met"
    row = _row_of_sections(table)
    assert row["period"] == "2017 (2018 döljs)"
    assert row["value"] == "10,0"
    assert "bedömt på 2017, inte 2018" in row["status_notes"]
    assert row["sentence"].startswith(
        "Kvinnoledda företags andel av beviljade stöd: 2018 döljs (röjandeskydd); 2017: 10,0 %."
    )
    assert "gäller 2017, inte 2018" in row["sentence"]


def test_a_suppressed_target_year_without_an_earlier_value_cannot_be_judged() -> None:
    cells = {2016: (None, 1000), 2017: (None, 1000), 2018: (None, 1000), 2019: (900, 1000)}
    table = _build(cells | {year: (None, 100) for year in BASELINE})
    judged = _judged(table)
    assert judged["period"] == "2018" and judged["status"] == "no_data"
    row = _row_of_sections(table)
    assert row["period"] == "2018" and row["value"] == ".."
    assert "2018 döljs (röjandeskydd)" in row["sentence"]
    assert "målet kan inte bedömas" in row["sentence"]


# --- status with uncertainty -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("women", "total", "status"),
    [
        (27, 100, "uncertain"),  # 27 %, interval 19-36 %: straddles 30 %
        (33, 100, "uncertain"),  # above the target, but the interval reaches below it
        (400, 1000, "met"),  # 40 %, interval 37-43 %: clears 30 %
        (100, 1000, "not_met"),  # 10 %, interval 8-12 %: entirely below 30 %
        (300, 300, "met"),
    ],
)
def test_a_share_of_decisions_is_judged_on_its_wilson_interval(women, total, status) -> None:
    row = _row(_build({2018: (women, total)}), "2018")
    low, high = wilson_interval(women, total)
    assert row["interval_method"] == "wilson"
    assert float(row["value_ci_low"]) == pytest.approx(100 * float(low))
    assert float(row["value_ci_high"]) == pytest.approx(100 * float(high))
    assert float(row["gap_ci_low"]) == pytest.approx(30 - 100 * float(high))
    assert float(row["gap_ci_high"]) == pytest.approx(30 - 100 * float(low))
    assert row["status"] == status


def test_the_sentence_of_an_uncertain_goal_gives_the_interval() -> None:
    row = _row_of_sections(_build({2018: (27, 100)}))
    assert row["status_text"] == "Osäkert" and row["status_symbol"] == "≈"
    assert "inom felmarginalen" in row["status_notes"]
    assert "osäkerhetsintervall från 19,3 till 36,4 %" in row["sentence"]
    assert "inom felmarginalen" in row["sentence"]
    assert [c["column"] for c in row["interval"]] == ["value_ci_low", "value_ci_high"]


def test_a_share_of_amounts_is_a_point_comparison() -> None:
    table = _build({2018: (29, 100)}, _amounts(_definition()))
    row = _row(table, "2018", "women_led_amount_share")
    assert row["interval_method"] == "none"
    assert pd.isna(row["value_ci_low"]) and pd.isna(row["gap_ci_high"])
    assert row["status"] == "not_met"  # 29 % < 30 %, however few the decisions
    section_row = _row_of_sections(table)
    assert "punktjämförelse" in section_row["status_notes"]
    assert [c["text"] for c in section_row["interval"]] == ["."]


def test_a_target_of_all_is_a_point_comparison() -> None:
    definition = _definition(target={"value": 100, "year": 2018})
    table = _build({2018: (100, 100)}, definition)
    row = _row(table, "2018")
    # Every decision counts, so 100 of 100 has met it (a Wilson interval never would).
    assert row["interval_method"] == "none" and row["status"] == "met"


def test_unit_sources_have_no_interval() -> None:
    definition = {
        "id": "ceo_share",
        "name_sv": "Kvinnors andel av vd:arna",
        "description_sv": "Test.",
        "national_goal": 1,
        "source": "supported_firms",
        "measure": {
            "numerator": {"columns": ["ceo_women"]},
            "denominator": {"columns": ["ceo_women", "ceo_men"]},
        },
        "unit": "percent",
        "direction": "higher",
        "baseline": [2015, 2015],
        "target": {"value": 30, "year": 2016},
    }
    firms = pd.DataFrame(
        {"year": [2015] * 4 + [2016] * 4, "ceo_women": [1, 0, 0, 0, 1, 1, 0, 0]}
    ).assign(ceo_men=lambda f: 1 - f["ceo_women"])
    settings = load_definitions({"indicators": [definition]}, SCHEMA, FILE)
    table = build_indicators(settings, {"supported_firms": SourceData(firms, "units")}, 3)
    row = _row(table, "2016", "ceo_share")
    assert row["interval_method"] == "none" and row["status"] == "met"
    assert pd.isna(row["value_ci_low"])


def test_a_gap_between_two_shares_uses_newcombes_interval() -> None:
    a, b = (
        Value(0.6, False, *share_interval(30, 50, 0.95)),
        Value(0.5, False, *share_interval(40, 80, 0.95)),
    )
    low, high = difference_interval(a, b)
    expected = newcombe_interval(30, 50, 40, 80)
    assert low == pytest.approx(float(expected[0]))
    assert high == pytest.approx(float(expected[1]))
    assert math.isnan(difference_interval(a, Value(0.5))[0])


def test_above_baseline_counts_the_baselines_uncertainty_too() -> None:
    definition = _definition(target={"above_baseline": True, "year": 2018})
    table = _build({2018: (28, 100)}, definition)
    row = _row(table, "2018")
    # 28 % against a baseline of 25 % (100 of 400): more on the point, not beyond doubt.
    assert float(row["target_value"]) == pytest.approx(25.0)
    assert row["interval_method"] == "newcombe"
    assert row["status"] == "uncertain"
    expected = newcombe_interval(28, 100, 100, 400)
    assert float(row["gap_ci_low"]) == pytest.approx(-100 * float(expected[1]))
    assert float(row["gap_ci_high"]) == pytest.approx(-100 * float(expected[0]))
    assert _row(_build({2018: (600, 1000)}, definition), "2018")["status"] == "met"


@pytest.mark.parametrize(
    ("interval", "status"),
    [
        ((28.0, 35.0), "uncertain"),
        ((30.0, 35.0), "met"),  # the interval's lower end exactly on the target
        ((20.0, 29.9), "not_met"),
        ((math.nan, math.nan), "met"),  # no interval: the point 32 decides
    ],
)
def test_status_reads_the_interval(interval, status) -> None:
    assert assess(32.0, 30.0, "higher", year=2018, target_year=2018, interval=interval) == status


def test_strict_targets_need_the_whole_interval_beyond_the_baseline() -> None:
    kwargs = {"year": 2018, "target_year": 2018, "strict": True}
    assert assess(26.0, 25.0, "higher", interval=(25.0, 27.0), **kwargs) == "uncertain"
    assert assess(26.0, 25.0, "higher", interval=(25.1, 27.0), **kwargs) == "met"
    assert assess(24.0, 25.0, "higher", interval=(23.0, 25.0), **kwargs) == "not_met"


# --- properties of the status function ---------------------------------------------------------

RANK = {status: rank for rank, status in enumerate(STATUS_ORDER)}
finite = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False)
width = st.floats(min_value=0.0, max_value=100.0, allow_nan=False)
trends = st.one_of(st.just(math.nan), st.floats(min_value=-50, max_value=50, allow_nan=False))
years = st.integers(min_value=2010, max_value=2030)


@given(
    value=finite,
    step=st.floats(min_value=0.0, max_value=1e3, allow_nan=False),
    target=finite,
    below=width,
    above=width,
    trend=trends,
    year=years,
    target_year=years,
    strict=st.booleans(),
    direction=st.sampled_from(["higher", "lower"]),
)
def test_a_better_value_never_gets_a_worse_status(
    value, step, target, below, above, trend, year, target_year, strict, direction
) -> None:
    """Moving the value (and its interval) in the better direction never worsens the status;
    in particular, moving it towards a target it has not reached."""
    better = value + step if direction == "higher" else value - step

    def status(v: float) -> str:
        return assess(
            v,
            target,
            direction,
            year=year,
            target_year=target_year,
            trend=trend,
            strict=strict,
            interval=(v - below, v + above),
        )

    assert RANK[status(better)] >= RANK[status(value)]


@given(
    n=st.integers(min_value=1, max_value=500),
    data=st.data(),
    target=st.floats(min_value=0.5, max_value=99.5),
    direction=st.sampled_from(["higher", "lower"]),
)
def test_with_wilson_intervals_one_more_success_never_worsens_the_status(
    n, data, target, direction
) -> None:
    k = data.draw(st.integers(min_value=0, max_value=n - 1))

    def status(successes: int) -> str:
        low, high = share_interval(successes, n, 0.95)
        return assess(
            100 * successes / n,
            target,
            direction,
            year=2018,
            target_year=2018,
            interval=(100 * low, 100 * high),
        )

    worse, better = (k, k + 1) if direction == "higher" else (k + 1, k)
    assert RANK[status(better)] >= RANK[status(worse)]


@given(
    value=finite,
    target=finite,
    below=width,
    above=width,
    trend=trends,
    year=years,
    target_year=years,
    strict=st.booleans(),
    interval=st.booleans(),
)
def test_lower_is_better_mirrors_higher_is_better(
    value, target, below, above, trend, year, target_year, strict, interval
) -> None:
    ends = (value - below, value + above) if interval else (math.nan, math.nan)
    common = {"year": year, "target_year": target_year, "strict": strict}
    higher = assess(value, target, "higher", trend=trend, interval=ends, **common)
    lower = assess(-value, -target, "lower", trend=-trend, interval=(-ends[1], -ends[0]), **common)
    assert higher == lower


# --- the report's rows ---------------------------------------------------------------------------


def _row_of_sections(table: pd.DataFrame) -> dict:
    rows = [r for s in goal_sections(table) for r in s["rows"]]
    return rows[0]


# Every element with a source cell holds just the number (a td, or a span of the interval cell).
SOURCED = re.compile(
    r'<(?:td|span)[^>]*data-table="indicators" data-key="([^"]+)" data-column="([^"]+)">'
    r"([^<]*)<"
)


def test_the_goals_section_renders_from_the_published_csv(tmp_path: Path) -> None:
    """The section as the report builds it: from the CSV, every number traceable to its cell."""
    from rtp_eval.report import environment
    from rtp_eval.sections.goals import goals_context

    cells = {2017: (100, 1000), 2018: (None, 1000), 2019: (500, 1000), 2020: (27, 100)}
    table = _build(cells, _definition(), _amounts(_definition()))
    path = tmp_path / "indicators.csv"
    write_csv(table, path)
    published = pd.read_csv(path, keep_default_na=False, na_values=[""], dtype={"period": str})
    context = goals_context(published)
    html = environment().get_template("section_goals.html.j2").render(min_units=3, **context)
    text = pd.read_csv(path, dtype=str, keep_default_na=False)
    checked = 0
    for key, column, shown in SOURCED.findall(html):
        selected = text
        for part in key.split(";"):
            name, _, value = part.partition("=")
            selected = selected[selected[name] == value]
        assert len(selected) == 1, key
        stored = selected.iloc[0][column]
        if shown == "..":
            assert stored == ""
        else:
            number = float(shown.replace("−", "-").replace(",", "."))
            assert abs(float(stored) - number) <= 0.05 + 1e-9, (key, column, shown, stored)
        checked += 1
    assert checked > 15
    assert 'data-column="value_ci_low">' in html
    assert "2017 (2018 döljs)" in html
    assert "värden efter målåret" in html
    assert 'data-key="indicator_id=women_led_grant_share;period=2020" data-column="value">27,0' in (
        html
    )
    assert re.search(r"Bedöms inte mot målet", html)
    assert len(context["goals"]["not_met"]) == 2  # both goals: 2018 suppressed
