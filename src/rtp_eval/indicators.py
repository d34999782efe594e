"""Goal follow-up: indicators of the action plan against their baselines and targets.

Indicators are defined in configuration (`config/indicators.yaml`, schema
`workflow/schemas/indicators.schema.yaml`), not here. Each definition names a source, a measure
and a target; this module computes, per indicator and year, the value, the baseline value, the
target, the status, the gap to the target and the trend, as the `indicators` table of the data
contract.

Sources:
- a published table of `results/tables/` (e.g. `business_support_by_gender`): its cells are
  already disclosure-controlled, and an indicator is computed from them only. A value that needs
  a suppressed cell is itself empty (`suppressed` = true); sums over years add published cells
  only, so they reveal nothing that the table does not.
- `supported_firms`: the clean business cases, one unit per granted firm and year (a firm with
  several granted cases in a year counts once, with the values of its latest decision).
- `owner_follow_up`: the follow-up of owned companies and member organisations, one unit per
  organisation and year.
  For these two, a value built from fewer than `min_units` units (the disclosure threshold) is
  suppressed, and only units with every value the measure needs are counted.

Measure: `numerator / denominator`, each the sum of one or more columns over the rows that match
the indicator's and the part's filters; `minus` subtracts a second ratio (a gap between groups).
Unit `percent` and `percentage_points` multiply by 100; `ratio` does not. A row of a published
table that does not exist counts as zero (breakdown tables list only groups that occur), but a
period without any denominator row has no data.

Which period judges a goal (`judgement_period`, set on the one row the goal is judged on):
- the `evaluation_period` when the indicator has one, else the target year;
- before the target year is in the data, the latest year, provisionally;
- if the value of that period is suppressed (or missing), the goal is not silently judged on
  another year: the row judged instead is the latest earlier year with a value, and its
  `judgement_period` names the period it stands in for (it differs from its own `period`); with
  no earlier value the intended row itself is the judged row, with status `no_data`.
Every row has a `period_role`: `before_target_year`, `target_year`, `after_target_year` or
`evaluation_period`. A target applies up to and including its target year: rows after it are
published with their values and gaps but the status `not_assessed`, unless the indicator is
listed in `applies_after` (then they are judged against the same target like any other year).

Uncertainty (`interval_method`, `value_ci_low`/`value_ci_high`, `gap_ci_low`/`gap_ci_high`):
- `wilson`: a share of counted decisions of a published table (catalogue columns of kind
  `count`): the Wilson interval of numerator / denominator summed over published cells;
- `newcombe`: a difference of two such shares (a `minus` measure: the value's interval), or a
  share compared with an `above_baseline` target (the value's interval is Wilson; the gap's is
  that of value − baseline): the MOVER interval of a difference from the two Wilson intervals
  (Newcombe's method 10), so the baseline's own uncertainty counts too;
- `none`: a point comparison. Shares of amounts, jobs, employees or board seats (a few large
  contributions or many people of one firm decide them; the spread per contribution is not
  published), values of `supported_firms` and `owner_follow_up` (their counts are not published
  cells, and an interval's width would give them away) and targets of all or none (0 or 100 %:
  the target is about every unit, so the count itself decides).
The gap interval is the interval the status is read from, in the better direction.

Status (of each row; `value` and `target` in the indicator's unit):
- `no_data`: no value (no cases, or the value is suppressed) or no target (a target relative to
  a baseline without a baseline value);
- `met`: the whole interval has reached the target: value ≥ target when higher is better,
  value ≤ target when lower is better (exactly on target is met); a target `above_baseline`
  asks for more than the baseline, so there the value must be strictly better. Without an
  interval the interval is the value itself;
- `on_track`: not met, the year is before the target year, and the trend (least-squares slope
  over the last `trend_years` years with a value, at least two) carried on from the value to
  the target year reaches the target;
- `uncertain`: the interval straddles the target (within the margin of error);
- `not_met`: the whole interval is on the wrong side of the target;
- `not_assessed`: a year after the target year of a target that does not apply after it.
`gap_to_target` is how far is left in the better direction: target − value (higher is better) or
value − target (lower is better); zero on target, negative beyond it.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rtp_eval import catalog, stats
from rtp_eval.cells import column_totals
from rtp_eval.errors import ConfigError
from rtp_eval.goals_config import (  # noqa: F401  (re-exported: the definitions live there)
    DEFAULT_TREND_YEARS,
    DIRECTIONS,
    UNIT_SOURCES,
    UNITS,
    GoalSettings,
    Indicator,
    Part,
    Ratio,
    load_definitions,
    period_label,
)

STATUSES = ("met", "on_track", "uncertain", "not_met", "not_assessed", "no_data")
# Judgements from worst to best; `no_data` and `not_assessed` are no judgement.
STATUS_ORDER = ("not_met", "uncertain", "on_track", "met")
PERIOD_ROLES = ("before_target_year", "target_year", "after_target_year", "evaluation_period")
INTERVAL_METHODS = ("wilson", "newcombe", "none")
COLUMNS: tuple[str, ...] = catalog.table("indicators").columns


# --- unit sources from clean data ----------------------------------------------------------------


def _sex_flags(sex: pd.Series) -> tuple[pd.Series, pd.Series]:
    known = sex.isin(["woman", "man"]).fillna(False)
    women = (sex == "woman").fillna(False).astype("Int64").where(known)
    men = (sex == "man").fillna(False).astype("Int64").where(known)
    return women.astype("Int64"), men.astype("Int64")


# The clean business columns `supported_firms` reads.
SUPPORTED_FIRM_COLUMNS: tuple[str, ...] = (
    "case_id",
    "decision",
    "decision_date",
    "decision_year",
    "org_pseudonym",
    "ceo_sex",
    "support_type",
    "leadership_group",
    "ownership_group",
    "area",
    "industry",
    "employees_women",
    "employees_men",
    "board_women",
    "board_men",
)


def supported_firms(business: pd.DataFrame) -> pd.DataFrame:
    """One row per granted firm and decision year, from its latest granted case of the year."""
    granted = business[business["decision"] == "granted"].copy()
    granted = granted.sort_values(
        ["decision_year", "org_pseudonym", "decision_date", "case_id"], kind="stable"
    )
    latest = granted.drop_duplicates(["decision_year", "org_pseudonym"], keep="last")
    women, men = _sex_flags(latest["ceo_sex"].astype("string"))
    out = pd.DataFrame(
        {
            "year": latest["decision_year"].astype("Int64"),
            "support_type": latest["support_type"].astype("string"),
            "leadership_group": latest["leadership_group"].astype("string"),
            "ownership_group": latest["ownership_group"].astype("string"),
            "area": latest["area"].astype("string"),
            "industry": latest["industry"].astype("string"),
            "firms": pd.array([1] * len(latest), dtype="Int64"),
            "employees_women": latest["employees_women"].astype("Int64"),
            "employees_men": latest["employees_men"].astype("Int64"),
            "board_women": latest["board_women"].astype("Int64"),
            "board_men": latest["board_men"].astype("Int64"),
            "ceo_women": women,
            "ceo_men": men,
        }
    )
    return out.reset_index(drop=True)[list(UNIT_SOURCES["supported_firms"])]


def owner_units(owner: pd.DataFrame) -> pd.DataFrame:
    """One row per organisation and follow-up year."""
    women, men = _sex_flags(owner["ceo_sex"].astype("string"))

    def flag(column: str) -> pd.Series:
        return owner[column].astype("boolean").astype("Int64")

    out = pd.DataFrame(
        {
            "year": owner["follow_up_year"].astype("Int64"),
            "organisations": pd.array([1] * len(owner), dtype="Int64"),
            "directive_includes_equality": flag("directive_includes_equality"),
            "annual_report_reports_equality": flag("annual_report_reports_equality"),
            "took_part_in_dialogues": flag("took_part_in_dialogues"),
            "board_women": owner["board_women"].astype("Int64"),
            "board_men": owner["board_men"].astype("Int64"),
            "ceo_women": women,
            "ceo_men": men,
        }
    )
    return out.reset_index(drop=True)[list(UNIT_SOURCES["owner_follow_up"])]


# --- evaluating a measure ------------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    """A computed value; `suppressed` when it is missing because of disclosure control.

    `low` and `high` are its confidence interval, missing when it has none.
    """

    value: float = math.nan
    suppressed: bool = False
    low: float = math.nan
    high: float = math.nan

    @property
    def missing(self) -> bool:
        return math.isnan(self.value)

    @property
    def has_interval(self) -> bool:
        return not (self.missing or math.isnan(self.low) or math.isnan(self.high))


NO_DATA = Value()
SUPPRESSED = Value(math.nan, True)


def _select(rows: pd.DataFrame, filters: Mapping[str, tuple[str, ...]]) -> pd.DataFrame:
    mask = np.ones(len(rows), dtype=bool)
    for column, values in filters.items():
        text = rows[column].astype("string").str.strip()
        lowered = text.str.lower().where(text.str.lower().isin(["true", "false"]), text)
        mask &= lowered.isin(list(values)).fillna(False).to_numpy(dtype=bool)
    return rows.loc[mask]


def share_interval(successes: float, total: float, confidence_level: float) -> tuple[float, float]:
    """Wilson interval of successes / total; missing when that is not a share of counts."""
    if not 0.0 <= successes <= total or total <= 0:
        return math.nan, math.nan
    low, high = stats.wilson_interval(successes, total, confidence_level)
    return float(low), float(high)


def difference_interval(a: Value, b: Value) -> tuple[float, float]:
    """Interval of a − b from the intervals of a and b (MOVER; with two Wilson intervals this is
    Newcombe's hybrid score interval, method 10). Missing when either has no interval."""
    if not (a.has_interval and b.has_interval):
        return math.nan, math.nan
    difference = a.value - b.value
    low = difference - math.hypot(a.value - a.low, b.high - b.value)
    high = difference + math.hypot(a.high - a.value, b.value - b.low)
    return low, high


def table_ratio(rows: pd.DataFrame, ratio: Ratio, confidence_level: float | None = None) -> Value:
    """A ratio of sums of published cells; missing if a cell it needs is suppressed.

    With a `confidence_level`, also the Wilson interval of the ratio as a share of counts.
    """
    denominator_rows = _select(rows, ratio.denominator.filters)
    if denominator_rows.empty:
        return NO_DATA
    numerator_rows = _select(rows, ratio.numerator.filters)
    total, denominator_missing = column_totals(denominator_rows, ratio.denominator.columns)
    part, numerator_missing = column_totals(numerator_rows, ratio.numerator.columns)
    if denominator_missing or numerator_missing:
        return SUPPRESSED
    if total <= 0:
        return NO_DATA
    if confidence_level is None:
        return Value(part / total)
    low, high = share_interval(part, total, confidence_level)
    return Value(part / total, False, low, high)


def unit_ratio(rows: pd.DataFrame, ratio: Ratio, min_units: int) -> Value:
    """A ratio over units with complete values; suppressed if fewer than `min_units` units."""
    selected = _select(rows, ratio.denominator.filters)
    complete = selected.dropna(subset=list(ratio.columns))
    if complete.empty:
        return NO_DATA
    if len(complete) < min_units:
        return SUPPRESSED
    total, _ = column_totals(complete, ratio.denominator.columns)
    if total <= 0:
        return NO_DATA
    numerator_rows = _select(complete, ratio.numerator.filters)
    return Value(column_totals(numerator_rows, ratio.numerator.columns)[0] / total)


def _combine(values: Sequence[Value], scale: float) -> Value:
    if any(v.suppressed for v in values):
        return SUPPRESSED
    if any(v.missing for v in values):
        return NO_DATA
    if len(values) == 1:
        result, (low, high) = values[0].value, (values[0].low, values[0].high)
    else:
        result = values[0].value - values[1].value
        low, high = difference_interval(values[0], values[1])
    return Value(result * scale, False, low * scale, high * scale)


@dataclass(frozen=True)
class SourceData:
    """The rows of one source and whether they are a published table or units."""

    frame: pd.DataFrame
    kind: str  # "table" or "units"

    def years(self) -> list[int]:
        if self.kind == "units":
            return sorted(int(y) for y in self.frame["year"].dropna().unique())
        rows = self.frame[self.frame["period_kind"].astype("string") == "year"]
        years = pd.to_numeric(rows["period"], errors="coerce").dropna().unique()
        return sorted(int(y) for y in years)

    def rows(self, first: int, last: int) -> pd.DataFrame:
        """Rows of the years first-last: the table's own period row when it has one."""
        if self.kind == "units":
            years = self.frame["year"]
            return self.frame[(years >= first) & (years <= last)]
        period = self.frame["period"].astype("string")
        label = period_label(first, last)
        own = self.frame[period == label]
        if not own.empty:
            return own
        kinds = self.frame["period_kind"].astype("string")
        numeric = pd.to_numeric(period, errors="coerce")
        mask = (kinds == "year") & (numeric >= first) & (numeric <= last)
        return self.frame[mask.fillna(False).to_numpy(dtype=bool)]


def check_columns(indicator: Indicator, data: SourceData, file: str) -> None:
    """Every column an indicator reads must exist in its source (a configuration error)."""
    where = f"indicators[{indicator.id}]"
    names = ["numerator", "denominator", "minus.numerator", "minus.denominator"]
    parts = [p for r in indicator.ratios for p in (r.numerator, r.denominator)]
    for name, part in zip(names, parts, strict=False):
        for column in (*part.columns, *part.filters):
            if column not in data.frame.columns:
                raise ConfigError(
                    file,
                    f"{where}.measure.{name}",
                    f"'{column}' is not a column of {indicator.source}; columns are: "
                    f"{', '.join(map(str, data.frame.columns))}",
                )
        if data.kind == "table":
            for column in part.columns:
                text = data.frame[column].astype("string").str.strip()
                bad = text[
                    text.notna() & (text != "") & pd.to_numeric(text, errors="coerce").isna()
                ]
                if not bad.empty:
                    raise ConfigError(
                        file,
                        f"{where}.measure.{name}.columns",
                        f"'{column}' of {indicator.source} is not a number (e.g. '{bad.iloc[0]}')",
                    )


def _is_count(column: str) -> bool:
    spec = catalog.COLUMNS.get(column)
    return spec is not None and spec.kind == catalog.COUNT


def _all_or_none(indicator: Indicator) -> bool:
    """A target of 0 or 100 % of a share: it is about every unit, so the count itself decides."""
    if indicator.target_value is None or indicator.minus is not None:
        return False
    share = indicator.target_value / indicator.scale
    return share <= 0.0 or share >= 1.0


def interval_method(indicator: Indicator, kind: str) -> str:
    """`wilson`, `newcombe` or `none` (a point comparison); see the module docstring."""
    columns = [c for r in indicator.ratios for c in r.columns]
    counted = kind == "table" and all(_is_count(c) for c in columns)
    if not counted or _all_or_none(indicator):
        return "none"
    return "newcombe" if indicator.minus is not None or indicator.above_baseline else "wilson"


def measure_value(
    indicator: Indicator,
    data: SourceData,
    first: int,
    last: int,
    min_units: int,
    confidence_level: float | None = None,
) -> Value:
    """The indicator's value over the years first-last; with a `confidence_level` (for a table
    source only) also its interval."""
    rows = data.rows(first, last)
    if data.kind == "units":
        parts = [unit_ratio(rows, r, min_units) for r in indicator.ratios]
    else:
        parts = [table_ratio(rows, r, confidence_level) for r in indicator.ratios]
    return _combine(parts, indicator.scale)


# --- status, gap and trend -----------------------------------------------------------------------


def reaches(value: float, target: float, direction: str, strict: bool = False) -> bool:
    """Whether `value` is at (or, if `strict`, beyond) `target` in the better direction."""
    if direction == "higher":
        return value > target if strict else value >= target
    return value < target if strict else value <= target


def gap_to_target(value: float, target: float, direction: str) -> float:
    """What is left in the better direction (negative: beyond the target)."""
    if math.isnan(value) or math.isnan(target):
        return math.nan
    return target - value if direction == "higher" else value - target


def gap_interval(
    interval: tuple[float, float], target: float, direction: str
) -> tuple[float, float]:
    """The interval of the gap to the target from the interval of the value."""
    ends = sorted(gap_to_target(end, target, direction) for end in interval)
    return ends[0], ends[1]


def comparison_interval(value: Value, baseline: Value, above_baseline: bool) -> tuple[float, float]:
    """The interval of the value that the status is read from.

    Against a target of the baseline, the baseline is an estimate too: the interval is that of
    value − baseline (MOVER), moved back to the value's scale by adding the baseline.
    """
    if not value.has_interval:
        return math.nan, math.nan
    if not above_baseline:
        return value.low, value.high
    low, high = difference_interval(value, baseline)
    return baseline.value + low, baseline.value + high


def trend_slope(years: Sequence[int], values: Sequence[float], last: int, window: int) -> float:
    """Least-squares change per year over the years last-window+1 … last with a value."""
    points = [
        (y, v)
        for y, v in zip(years, values, strict=True)
        if last - window < y <= last and not math.isnan(v)
    ]
    if len(points) < 2:
        return math.nan
    x = np.array([p[0] for p in points], dtype=float)
    y = np.array([p[1] for p in points], dtype=float)
    x = x - x.mean()
    return float((x * (y - y.mean())).sum() / (x * x).sum())


def assess(
    value: float,
    target: float,
    direction: str,
    *,
    year: int,
    target_year: int,
    trend: float = math.nan,
    strict: bool = False,
    interval: tuple[float, float] = (math.nan, math.nan),
) -> str:
    """The status of one value against its target (see the module docstring).

    `interval` is the value's interval (`comparison_interval`); without one the status is a
    point comparison.
    """
    if math.isnan(value) or math.isnan(target):
        return "no_data"
    low, high = (value, value) if any(math.isnan(end) for end in interval) else interval
    worst, best = (low, high) if direction == "higher" else (high, low)
    if reaches(worst, target, direction, strict):
        return "met"
    if year < target_year and not math.isnan(trend):
        projected = value + trend * (target_year - year)
        if reaches(projected, target, direction, strict):
            return "on_track"
    if reaches(best, target, direction, strict):
        return "uncertain"
    return "not_met"


def period_role(year: int, kind: str, target_year: int) -> str:
    if kind == "period":
        return "evaluation_period"
    if year < target_year:
        return "before_target_year"
    return "target_year" if year == target_year else "after_target_year"


def intended_period(indicator: Indicator, years: Sequence[int]) -> str:
    """The period a goal is meant to be judged on: its evaluation period, else its target year,
    else (the target year not yet in the data) the latest year, provisionally."""
    if indicator.evaluation_period is not None:
        return period_label(*indicator.evaluation_period)
    if years and indicator.target_year > max(years):
        return str(max(years))
    return str(indicator.target_year)


def judged_position(rows: Sequence[Mapping[str, Any]], intended: str) -> int:
    """The row a goal is judged on: the intended period's, or, when its value is missing, the
    latest year up to the intended period's end with a value (the row then says so)."""
    own = next(i for i, row in enumerate(rows) if row["period"] == intended)
    if not math.isnan(rows[own]["value"]):
        return own
    last = int(intended.split("-")[-1])
    earlier = [
        i
        for i, row in enumerate(rows)
        if i != own
        and row["period_kind"] == "year"
        and row["year"] <= last
        and not math.isnan(row["value"])
    ]
    return max(earlier, key=lambda i: rows[i]["year"]) if earlier else own


# --- the table -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    """What every row of one indicator shares."""

    indicator: Indicator
    baseline: Value
    target: float
    method: str
    applies_after: bool


def indicator_rows(
    indicator: Indicator,
    data: SourceData,
    min_units: int,
    trend_years: int,
    *,
    applies_after: bool = False,
    confidence_level: float = stats.DEFAULT_CONFIDENCE_LEVEL,
) -> pd.DataFrame:
    """One row per year of the source (and one for the evaluation period, if configured), and
    a row for the intended period if the source has none."""
    method = interval_method(indicator, data.kind)
    level = None if method == "none" else confidence_level
    baseline = measure_value(indicator, data, *indicator.baseline, min_units, level)
    # Without a target value the target is to be above the baseline.
    target = baseline.value if indicator.target_value is None else indicator.target_value
    context = _Context(indicator, baseline, target, method, applies_after)
    years = data.years()
    intended = intended_period(indicator, years)
    if indicator.evaluation_period is None and int(intended) not in years:
        years = sorted([*years, int(intended)])
    values = [measure_value(indicator, data, y, y, min_units, level) for y in years]
    numbers = [v.value for v in values]
    rows = []
    for year, value in zip(years, values, strict=True):
        trend = math.nan if value.missing else trend_slope(years, numbers, year, trend_years)
        rows.append(_row(context, str(year), year, "year", value, trend))
    if indicator.evaluation_period is not None:
        first, last = indicator.evaluation_period
        value = measure_value(indicator, data, first, last, min_units, level)
        rows.append(_row(context, period_label(first, last), last, "period", value, math.nan))
    rows[judged_position(rows, intended)]["judgement_period"] = intended
    return pd.DataFrame(rows)


def _row(
    context: _Context, period: str, year: int, kind: str, value: Value, trend: float
) -> dict[str, Any]:
    indicator, target = context.indicator, context.target
    role = period_role(year, kind, indicator.target_year)
    interval = comparison_interval(value, context.baseline, indicator.above_baseline)
    status = assess(
        value.value,
        target,
        indicator.direction,
        year=year,
        target_year=indicator.target_year,
        trend=trend,
        strict=indicator.above_baseline,
        interval=interval,
    )
    if role == "after_target_year" and not context.applies_after:
        status = "not_assessed"
    gap_low, gap_high = gap_interval(interval, target, indicator.direction)
    return {
        "indicator_id": indicator.id,
        "year": year if kind == "year" else None,
        "value": value.value,
        "baseline_value": context.baseline.value,
        "target_value": target,
        "target_year": indicator.target_year,
        "status": status,
        "gap_to_target": gap_to_target(value.value, target, indicator.direction),
        "period": period,
        "period_kind": kind,
        "trend_per_year": trend,
        "suppressed": value.suppressed,
        "name_sv": indicator.name_sv,
        "national_goal": indicator.national_goal,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "baseline_period": period_label(*indicator.baseline),
        "target_rule": "above_baseline" if indicator.above_baseline else "value",
        "value_ci_low": value.low,
        "value_ci_high": value.high,
        "gap_ci_low": gap_low,
        "gap_ci_high": gap_high,
        "interval_method": context.method,
        "period_role": role,
        "judgement_period": None,
    }


FLOAT_COLUMNS = (
    "value",
    "baseline_value",
    "target_value",
    "gap_to_target",
    "trend_per_year",
    "value_ci_low",
    "value_ci_high",
    "gap_ci_low",
    "gap_ci_high",
)


def build_indicators(
    settings: GoalSettings,
    sources: Mapping[str, SourceData],
    min_units: int,
    file: str = "config/indicators.yaml",
    *,
    applies_after: Collection[str] = (),
    confidence_level: float = stats.DEFAULT_CONFIDENCE_LEVEL,
) -> pd.DataFrame:
    """The `indicators` table: indicators in configured order, years ascending, periods last.

    `applies_after`: ids of indicators whose target also judges the years after its target year.
    """
    frames = []
    for indicator in settings.indicators:
        if indicator.source not in sources:
            raise ConfigError(
                file, f"indicators[{indicator.id}].source", f"no data for '{indicator.source}'"
            )
        data = sources[indicator.source]
        check_columns(indicator, data, file)
        frames.append(
            indicator_rows(
                indicator,
                data,
                min_units,
                settings.trend_years,
                applies_after=indicator.id in applies_after,
                confidence_level=confidence_level,
            )
        )
    table = pd.concat(frames, ignore_index=True)
    dtypes = {column: catalog.COLUMNS[column].dtype for column in COLUMNS}
    for column in FLOAT_COLUMNS:
        table[column] = pd.to_numeric(table[column]).where(lambda s: ~np.isnan(s))
    return table[list(COLUMNS)].astype(dtypes)


def read_table(path: str) -> pd.DataFrame:
    """A published table as text (empty cells missing), for filtering by its labels."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
