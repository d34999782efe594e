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

Status (of each row; `value` and `target` in the indicator's unit):
- `no_data`: no value (no cases, or the value is suppressed) or no target (a target relative to
  a baseline without a baseline value);
- `met`: the value has reached the target: value ≥ target when higher is better, value ≤ target
  when lower is better (exactly on target is met); a target `above_baseline` asks for more than
  the baseline, so there the value must be strictly better than the baseline;
- `on_track`: not met, the year is before the target year, and the trend (least-squares slope
  over the last `trend_years` years with a value, at least two) carried on to the target year
  reaches the target;
- `not_met`: everything else.
`gap_to_target` is how far is left in the better direction: target − value (higher is better) or
value − target (lower is better); zero on target, negative beyond it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from rtp_eval import catalog
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

STATUSES = ("met", "on_track", "not_met", "no_data")
NATIONAL_GOALS_SV = {
    1: "Delmål 1: En jämn fördelning av makt och inflytande",
    2: "Delmål 2: Ekonomisk jämställdhet",
}
UNIT_SV = {"percent": "procent", "percentage_points": "procentenheter", "ratio": "kvot"}
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
    """A computed value; `suppressed` when it is missing because of disclosure control."""

    value: float = math.nan
    suppressed: bool = False

    @property
    def missing(self) -> bool:
        return math.isnan(self.value)


NO_DATA = Value()
SUPPRESSED = Value(math.nan, True)


def _select(rows: pd.DataFrame, filters: Mapping[str, tuple[str, ...]]) -> pd.DataFrame:
    mask = np.ones(len(rows), dtype=bool)
    for column, values in filters.items():
        text = rows[column].astype("string").str.strip()
        lowered = text.str.lower().where(text.str.lower().isin(["true", "false"]), text)
        mask &= lowered.isin(list(values)).fillna(False).to_numpy(dtype=bool)
    return rows.loc[mask]


def _numbers(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    return frame[list(columns)].apply(pd.to_numeric, errors="coerce").astype("Float64")


def table_ratio(rows: pd.DataFrame, ratio: Ratio) -> Value:
    """A ratio of sums of published cells; missing if a cell it needs is suppressed."""
    denominator_rows = _select(rows, ratio.denominator.filters)
    if denominator_rows.empty:
        return NO_DATA
    numerator_rows = _select(rows, ratio.numerator.filters)
    denominator = _numbers(denominator_rows, ratio.denominator.columns)
    numerator = _numbers(numerator_rows, ratio.numerator.columns)
    if denominator.isna().any().any() or numerator.isna().any().any():
        return SUPPRESSED
    total = float(denominator.sum().sum())
    if total <= 0:
        return NO_DATA
    return Value(float(numerator.sum().sum()) / total)


def unit_ratio(rows: pd.DataFrame, ratio: Ratio, min_units: int) -> Value:
    """A ratio over units with complete values; suppressed if fewer than `min_units` units."""
    selected = _select(rows, ratio.denominator.filters)
    complete = selected.dropna(subset=list(ratio.columns))
    if complete.empty:
        return NO_DATA
    if len(complete) < min_units:
        return SUPPRESSED
    total = float(_numbers(complete, ratio.denominator.columns).sum().sum())
    if total <= 0:
        return NO_DATA
    numerator_rows = _select(complete, ratio.numerator.filters)
    return Value(float(_numbers(numerator_rows, ratio.numerator.columns).sum().sum()) / total)


def _combine(values: Sequence[Value], scale: float) -> Value:
    if any(v.suppressed for v in values):
        return SUPPRESSED
    if any(v.missing for v in values):
        return NO_DATA
    result = values[0].value - (values[1].value if len(values) > 1 else 0.0)
    return Value(result * scale)


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


def measure_value(
    indicator: Indicator, data: SourceData, first: int, last: int, min_units: int
) -> Value:
    rows = data.rows(first, last)
    if data.kind == "units":
        parts = [unit_ratio(rows, r, min_units) for r in indicator.ratios]
    else:
        parts = [table_ratio(rows, r) for r in indicator.ratios]
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
) -> str:
    """The status of one value (see the module docstring)."""
    if math.isnan(value) or math.isnan(target):
        return "no_data"
    if reaches(value, target, direction, strict):
        return "met"
    if year < target_year and not math.isnan(trend):
        projected = value + trend * (target_year - year)
        if reaches(projected, target, direction, strict):
            return "on_track"
    return "not_met"


# --- the table -----------------------------------------------------------------------------------


def indicator_rows(
    indicator: Indicator, data: SourceData, min_units: int, trend_years: int
) -> pd.DataFrame:
    """One row per year of the source (and one for the evaluation period, if configured)."""
    baseline = measure_value(indicator, data, *indicator.baseline, min_units)
    target = baseline.value if indicator.above_baseline else float(indicator.target_value)
    years = data.years()
    values = [measure_value(indicator, data, y, y, min_units) for y in years]
    numbers = [v.value for v in values]
    rows = []
    for year, value in zip(years, values, strict=True):
        trend = math.nan if value.missing else trend_slope(years, numbers, year, trend_years)
        rows.append(_row(indicator, str(year), year, "year", value, baseline, target, trend))
    if indicator.evaluation_period is not None:
        first, last = indicator.evaluation_period
        value = measure_value(indicator, data, first, last, min_units)
        label = period_label(first, last)
        rows.append(_row(indicator, label, last, "period", value, baseline, target, math.nan))
    if not rows:
        rows.append(
            _row(
                indicator,
                str(indicator.target_year),
                indicator.target_year,
                "year",
                NO_DATA,
                baseline,
                target,
                math.nan,
            )
        )
    return pd.DataFrame(rows)


def _row(
    indicator: Indicator,
    period: str,
    year: int,
    kind: str,
    value: Value,
    baseline: Value,
    target: float,
    trend: float,
) -> dict[str, Any]:
    status = assess(
        value.value,
        target,
        indicator.direction,
        year=year,
        target_year=indicator.target_year,
        trend=trend,
        strict=indicator.above_baseline,
    )
    return {
        "indicator_id": indicator.id,
        "year": year if kind == "year" else None,
        "value": value.value,
        "baseline_value": baseline.value,
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
    }


def build_indicators(
    settings: GoalSettings,
    sources: Mapping[str, SourceData],
    min_units: int,
    file: str = "config/indicators.yaml",
) -> pd.DataFrame:
    """The `indicators` table: indicators in configured order, years ascending, periods last."""
    frames = []
    for indicator in settings.indicators:
        if indicator.source not in sources:
            raise ConfigError(
                file, f"indicators[{indicator.id}].source", f"no data for '{indicator.source}'"
            )
        data = sources[indicator.source]
        check_columns(indicator, data, file)
        frames.append(indicator_rows(indicator, data, min_units, settings.trend_years))
    table = pd.concat(frames, ignore_index=True)
    dtypes = {
        "indicator_id": "string",
        "year": "Int64",
        "value": "Float64",
        "baseline_value": "Float64",
        "target_value": "Float64",
        "target_year": "Int64",
        "status": "string",
        "gap_to_target": "Float64",
        "period": "string",
        "period_kind": "string",
        "trend_per_year": "Float64",
        "suppressed": "boolean",
        "name_sv": "string",
        "national_goal": "Int64",
        "unit": "string",
        "direction": "string",
        "baseline_period": "string",
        "target_rule": "string",
    }
    for column in ("value", "baseline_value", "target_value", "gap_to_target", "trend_per_year"):
        table[column] = pd.to_numeric(table[column]).where(lambda s: ~np.isnan(s))
    return table[list(COLUMNS)].astype(dtypes)


def read_table(path: str) -> pd.DataFrame:
    """A published table as text (empty cells missing), for filtering by its labels."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])


# --- for the report ------------------------------------------------------------------------------

STATUS_SV: dict[str, tuple[str, str]] = {
    # status -> (symbol, text); the symbol repeats the text, so colour is never needed.
    "met": ("✓", "Uppnått"),
    "on_track": ("↗", "På väg"),
    "not_met": ("✗", "Inte uppnått"),
    "no_data": ("–", "Uppgift saknas"),
}
SPARKLINE_SIZE = (120, 32)


def _numbers_text(value: float, decimals: int = 1) -> str:
    from rtp_eval import formatting

    return formatting.number(value, decimals).replace("-", "−")


def value_text(value: object, decimals: int = 1) -> str:
    """A value in Swedish format, `..` when missing (also what the tables test expects)."""
    if value is None or pd.isna(value):
        return ".."
    return _numbers_text(float(value), decimals)


def unit_text(unit: str) -> str:
    return {"percent": "%", "percentage_points": "procentenheter", "ratio": ""}.get(unit, unit)


def gap_unit_text(unit: str) -> str:
    return {"percent": "procentenheter", "percentage_points": "procentenheter"}.get(unit, "")


def sparkline_svg(years: Sequence[int], values: Sequence[float], target: float) -> str:
    """A small line chart of the yearly values with the target as a dashed line.

    Hidden from assistive technology (`aria-hidden`): the element around it carries the text
    alternative. Coordinates are rounded, so the same values give the same bytes.
    """
    width, height = SPARKLINE_SIZE
    pad = 4.0
    points = [(y, v) for y, v in zip(years, values, strict=True) if not math.isnan(v)]
    levels = [v for _, v in points] + ([] if math.isnan(target) else [target])
    if not levels or not years:
        low, high = 0.0, 1.0
    else:
        low, high = min(levels), max(levels)
        if high - low < 1e-9:
            low, high = low - 1.0, high + 1.0
    first, last = min(years, default=0), max(years, default=1)
    span = max(last - first, 1)

    def x(year: int) -> float:
        return pad + (year - first) / span * (width - 2 * pad)

    def y(value: float) -> float:
        return height - pad - (value - low) / (high - low) * (height - 2 * pad)

    parts = [
        f'<svg class="sparkline" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" aria-hidden="true" focusable="false">'
    ]
    if not math.isnan(target):
        parts.append(
            f'<line x1="{pad:.1f}" y1="{y(target):.1f}" x2="{width - pad:.1f}" '
            f'y2="{y(target):.1f}" stroke="#4a4a4a" stroke-width="1" stroke-dasharray="3 2"/>'
        )
    # Consecutive years with a value are joined; a missing year breaks the line.
    run: list[tuple[int, float]] = []
    runs: list[list[tuple[int, float]]] = []
    previous: int | None = None
    for year, value in points:
        if previous is not None and year != previous + 1:
            runs.append(run)
            run = []
        run.append((year, value))
        previous = year
    if run:
        runs.append(run)
    for segment in runs:
        if len(segment) > 1:
            coordinates = " ".join(f"{x(a):.1f},{y(b):.1f}" for a, b in segment)
            parts.append(
                f'<polyline points="{coordinates}" fill="none" stroke="#00467f" '
                'stroke-width="1.5"/>'
            )
        for year, value in segment:
            radius = 2.5 if (year, value) == points[-1] else 1.2
            parts.append(
                f'<circle cx="{x(year):.1f}" cy="{y(value):.1f}" r="{radius}" fill="#00467f"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def sparkline_label(name: str, rows: pd.DataFrame, unit: str, target: float) -> str:
    """The text alternative of a sparkline: first and last value, and the target."""
    shown = rows.dropna(subset=["value"])
    name = name[:1].lower() + name[1:]
    suffix = f" {unit_text(unit)}" if unit_text(unit) else ""
    if shown.empty:
        return f"Utveckling för {name}: inga redovisade värden."
    first, last = shown.iloc[0], shown.iloc[-1]
    text = (
        f"Utveckling för {name}: {value_text(first['value'])}{suffix} {int(first['year'])}, "
        f"{value_text(last['value'])}{suffix} {int(last['year'])}"
    )
    if not math.isnan(target):
        text += f"; målet är {value_text(target)}{suffix}"
    return text + "."


def assessed_row(rows: pd.DataFrame) -> pd.Series:
    """The row a goal is judged on: its evaluation period if it has one, else the latest year
    with a value (else the latest year)."""
    periods = rows[rows["period_kind"] == "period"]
    if not periods.empty:
        return periods.iloc[-1]
    years = rows[rows["period_kind"] == "year"].sort_values("year")
    with_value = years.dropna(subset=["value"])
    return with_value.iloc[-1] if not with_value.empty else years.iloc[-1]


def not_met_sentence(row: Mapping[str, Any]) -> str:
    """How far is left, for a goal that is not met."""
    unit = str(row["unit"])
    suffix = f" {unit_text(unit)}" if unit_text(unit) else ""
    gap_suffix = f" {gap_unit_text(unit)}" if gap_unit_text(unit) else ""
    target = (
        f"högre än utgångsvärdet {value_text(row['baseline_value'])}{suffix} "
        f"({row['baseline_period']})"
        if row["target_rule"] == "above_baseline"
        else f"{value_text(row['target_value'])}{suffix} till {int(row['target_year'])}"
    )
    gap = float(row["gap_to_target"])
    left = (
        f"det återstår {value_text(gap)}{gap_suffix}"
        if gap > 0
        else "värdet ligger på utgångsvärdet"
    )
    return (
        f"{row['name_sv']}: {value_text(row['value'])}{suffix} ({row['period']}). "
        f"Målet är {target}; {left}."
    )


def goal_sections(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of the report's goal tables, one table per national sub-goal."""
    order = list(dict.fromkeys(table["indicator_id"]))
    sections: dict[int, list[dict[str, Any]]] = {}
    for indicator_id in order:
        rows = table[table["indicator_id"] == indicator_id]
        row = assessed_row(rows)
        years = rows[rows["period_kind"] == "year"].sort_values("year")
        target = float(row["target_value"]) if not pd.isna(row["target_value"]) else math.nan
        unit = str(row["unit"])
        symbol, status_text = STATUS_SV[str(row["status"])]
        name = str(row["name_sv"])
        label = f"{name} ({unit_text(unit)})" if unit_text(unit) else name
        sections.setdefault(int(row["national_goal"]), []).append(
            {
                "id": indicator_id,
                "name": label,
                "key": f"indicator_id={indicator_id};period={row['period']}",
                "period": str(row["period"]),
                "value": value_text(row["value"]),
                "baseline": value_text(row["baseline_value"]),
                "baseline_period": str(row["baseline_period"]),
                "target": value_text(row["target_value"]),
                "target_text": (
                    f"{int(row['target_year'])}, högre än utgångsvärdet"
                    if row["target_rule"] == "above_baseline"
                    else str(int(row["target_year"]))
                ),
                "gap": value_text(row["gap_to_target"]),
                "trend": value_text(row["trend_per_year"], 2),
                "status": str(row["status"]),
                "status_symbol": symbol,
                "status_text": status_text,
                "sparkline": sparkline_svg(
                    [int(y) for y in years["year"]],
                    [math.nan if pd.isna(v) else float(v) for v in years["value"]],
                    target,
                ),
                "sparkline_label": sparkline_label(name, years, unit, target),
                "sentence": not_met_sentence(row) if row["status"] == "not_met" else None,
            }
        )
    return [
        {"goal": goal, "title": NATIONAL_GOALS_SV.get(goal, f"Delmål {goal}"), "rows": rows}
        for goal, rows in sorted(sections.items())
    ]
