"""Section "Måluppfyllelse": the goal tables, their sparklines and the sentences under them,
from the published `indicators` table (see `rtp_eval.indicators` for how it is computed).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from rtp_eval import formatting, vocabulary
from rtp_eval.indicators import FLOAT_COLUMNS, STATUS_ORDER
from rtp_eval.stats import DEFAULT_CONFIDENCE_LEVEL

# --- the goal tables ------------------------------------------------------------------------------

SPARKLINE_SIZE = (120, 32)


def _numbers_text(value: float, decimals: int = 1) -> str:
    return formatting.number(value, decimals).replace("-", "−")


def value_text(value: object, decimals: int = 1) -> str:
    """A value in Swedish format, `..` when missing (also what the tables test expects)."""
    if value is None or pd.isna(value):
        return ".."
    return _numbers_text(formatting.to_float(value), decimals)


def unit_text(unit: str) -> str:
    return vocabulary.UNIT_SUFFIXES.get(unit, unit)


def gap_unit_text(unit: str) -> str:
    return vocabulary.GAP_UNIT_SUFFIXES.get(unit, "")


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
    text = f"Utveckling för {name}: {value_text(first['value'])}{suffix} {int(first['year'])}"
    if len(shown) > 1:
        text += f", {value_text(last['value'])}{suffix} {int(last['year'])}"
    if not math.isnan(target):
        text += f"; målet är {value_text(target)}{suffix}"
    return text + "."


def _label(value: object) -> str:
    """A period label as text, also when the CSV reader has made `2018` a number."""
    if value is None or pd.isna(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _flag(value: object) -> bool:
    return str(value).strip().lower() == "true"


def _suffix(unit: str) -> str:
    return f" {unit_text(unit)}" if unit_text(unit) else ""


def _gap_suffix(unit: str) -> str:
    return f" {gap_unit_text(unit)}" if gap_unit_text(unit) else ""


def _target_phrase(row: Mapping[str, Any]) -> str:
    if row["target_rule"] == "above_baseline":
        return (
            f"högre än utgångsvärdet {value_text(row['baseline_value'])}{_suffix(str(row['unit']))}"
            f" ({row['baseline_period']})"
        )
    return (
        f"{value_text(row['target_value'])}{_suffix(str(row['unit']))} till "
        f"{int(row['target_year'])}"
    )


def _has_interval(row: Mapping[str, Any]) -> bool:
    return not (pd.isna(row["value_ci_low"]) or pd.isna(row["value_ci_high"]))


def not_met_sentence(row: Mapping[str, Any]) -> str:
    """How far is left, for a goal that is not met."""
    unit = str(row["unit"])
    suffix = _suffix(unit)
    gap_suffix = _gap_suffix(unit)
    gap = float(row["gap_to_target"])
    left = (
        f"det återstår {value_text(gap)}{gap_suffix}"
        if gap > 0
        else "värdet ligger på utgångsvärdet"
    )
    if _has_interval(row):
        left += (
            f"; hela osäkerhetsintervallet, från {value_text(row['value_ci_low'])} till "
            f"{value_text(row['value_ci_high'])}{suffix}, ligger på fel sida om målet"
        )
    return (
        f"{row['name_sv']}: {value_text(row['value'])}{suffix} ({_label(row['period'])}). "
        f"Målet är {_target_phrase(row)}; {left}."
    )


def uncertain_sentence(row: Mapping[str, Any]) -> str:
    """For a goal whose interval straddles the target."""
    unit = str(row["unit"])
    suffix = _suffix(unit)
    gap_suffix = _gap_suffix(unit)
    return (
        f"{row['name_sv']}: {value_text(row['value'])}{suffix} ({_label(row['period'])}), "
        f"osäkerhetsintervall från {value_text(row['value_ci_low'])} till "
        f"{value_text(row['value_ci_high'])}{suffix}. Målet är {_target_phrase(row)}; "
        f"kvar till målet är mellan {value_text(row['gap_ci_low'])} och "
        f"{value_text(row['gap_ci_high'])}{gap_suffix}, så målet ligger inom felmarginalen och "
        "det går inte att säga om det är nått."
    )


def substitute_sentence(row: Mapping[str, Any], intended: str, suppressed: bool) -> str:
    """For a goal whose intended period has no value: says so, and what is shown instead."""
    missing = "döljs (röjandeskydd)" if suppressed else "saknas"
    name = row["name_sv"]
    if pd.isna(row["value"]):
        return (
            f"{name}: {intended} {missing}, och inget tidigare år har ett redovisat värde; "
            "målet kan inte bedömas."
        )
    period = _label(row["period"])
    status = vocabulary.GOAL_STATUSES[str(row["status"])][1].lower()
    return (
        f"{name}: {intended} {missing}; {period}: {value_text(row['value'])}"
        f"{_suffix(str(row['unit']))}. Målet är {_target_phrase(row)}. Bedömningen "
        f"({status}) gäller {period}, inte {intended}."
    )


def goal_sentence(row: Mapping[str, Any], intended: str, suppressed: bool) -> str | None:
    """The sentence under the goal tables for a judged row, if it needs one: a goal not judged
    on its intended period, not met, or within the margin of error."""
    if _label(row["period"]) != intended or pd.isna(row["value"]):
        return substitute_sentence(row, intended, suppressed)
    if row["status"] == "not_met":
        return not_met_sentence(row)
    if row["status"] == "uncertain":
        return uncertain_sentence(row)
    return None


def judged_row(rows: pd.DataFrame) -> pd.Series:
    """The row a goal is judged on (the one with a `judgement_period`)."""
    marked = rows[rows["judgement_period"].map(_label) != ""]
    return marked.iloc[0] if not marked.empty else rows.iloc[-1]


def _status_notes(row: Mapping[str, Any], intended: str) -> list[str]:
    notes = []
    period = _label(row["period"])
    if intended and period != intended and not pd.isna(row["value"]):
        notes.append(f"bedömt på {period}, inte {intended}")
    elif row["period_role"] == "before_target_year":
        notes.append(f"preliminärt, före målåret {int(row['target_year'])}")
    if row["status"] == "uncertain":
        notes.append("inom felmarginalen")
    if row["interval_method"] == "none" and row["status"] in STATUS_ORDER:
        notes.append("punktjämförelse")
    return notes


def _interval_cells(row: Mapping[str, Any], key: str) -> list[dict[str, str]]:
    """The interval's ends with their cells, or `.` alone for a point comparison."""
    if row["interval_method"] == "none":
        return [{"text": ".", "key": "", "column": ""}]
    return [
        {"text": value_text(row[column]), "key": key, "column": column}
        for column in ("value_ci_low", "value_ci_high")
    ]


def _later(rows: pd.DataFrame, target_year: int) -> dict[int, dict[str, str]]:
    """The values of the years after the target year, by year."""
    later = rows[(rows["period_kind"] == "year") & (rows["year"] > target_year)]
    return {
        int(r["year"]): {
            "text": value_text(r["value"]),
            "key": f"indicator_id={r['indicator_id']};period={_label(r['period'])}",
        }
        for _, r in later.iterrows()
    }


def _later_status(rows: pd.DataFrame, target_year: int) -> str:
    """Whether the years after the target year are judged, and if so the latest status."""
    later = rows[(rows["period_kind"] == "year") & (rows["year"] > target_year)]
    if later.empty:
        return ""
    judged = later[later["status"] != "not_assessed"]
    if judged.empty:
        return "Bedöms inte mot målet"
    last = judged.sort_values("year").iloc[-1]
    symbol, text = vocabulary.GOAL_STATUSES[str(last["status"])]
    return f"{symbol} {text} ({int(last['year'])})"


def _typed(table: pd.DataFrame) -> pd.DataFrame:
    """The columns the report reads, typed, whether the table comes from the CSV or not."""
    frame = table.copy()
    for column in (*FLOAT_COLUMNS, "year", "target_year", "national_goal"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    for column in ("period", "judgement_period"):
        frame[column] = frame[column].map(_label)
    return frame


def goal_sections(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows of the report's goal tables, one table per national sub-goal, each with the values
    of the years after the target year."""
    table = _typed(table)
    order = list(dict.fromkeys(table["indicator_id"]))
    sections: dict[int, list[dict[str, Any]]] = {}
    for indicator_id in order:
        rows = table[table["indicator_id"] == indicator_id]
        row = judged_row(rows)
        intended = _label(row["judgement_period"]) or _label(row["period"])
        intended_rows = rows[rows["period"] == intended]
        suppressed = bool(not intended_rows.empty and _flag(intended_rows.iloc[0]["suppressed"]))
        period = _label(row["period"])
        years = rows[rows["period_kind"] == "year"].sort_values("year")
        target = float(row["target_value"]) if not pd.isna(row["target_value"]) else math.nan
        target_year = int(row["target_year"])
        unit = str(row["unit"])
        status = str(row["status"])
        symbol, status_text = vocabulary.GOAL_STATUSES[status]
        name = str(row["name_sv"])
        label = f"{name} ({unit_text(unit)})" if unit_text(unit) else name
        key = f"indicator_id={indicator_id};period={period}"
        period_text = period
        if period != intended:
            period_text = f"{period} ({intended} {'döljs' if suppressed else 'saknas'})"
        sections.setdefault(int(row["national_goal"]), []).append(
            {
                "id": indicator_id,
                "name": label,
                "key": key,
                "period": period_text,
                "value": value_text(row["value"]),
                "interval": _interval_cells(row, key),
                "baseline": value_text(row["baseline_value"]),
                "baseline_period": str(row["baseline_period"]),
                "target": value_text(row["target_value"]),
                "target_year": target_year,
                "target_text": (
                    # No soft hyphen: WeasyPrint then sizes the column as if the words before it
                    # could not be broken, which pushed the PDF's goal tables past the margin.
                    f"{target_year}, högre än utgångsvärdet"
                    if row["target_rule"] == "above_baseline"
                    else str(target_year)
                ),
                "gap": value_text(row["gap_to_target"]),
                "trend": value_text(row["trend_per_year"], 2),
                "status": status,
                "status_symbol": symbol,
                "status_text": status_text,
                "status_notes": _status_notes(row, intended),
                "sparkline": sparkline_svg(
                    [int(y) for y in years["year"]],
                    [math.nan if pd.isna(v) else float(v) for v in years["value"]],
                    target,
                ),
                "sparkline_label": sparkline_label(name, years, unit, target),
                "sentence": goal_sentence(row, intended, suppressed),
                "later": _later(rows, target_year),
                "later_status": _later_status(rows, target_year),
            }
        )
    out = []
    for goal, goal_rows in sorted(sections.items()):
        later_years = sorted({year for r in goal_rows for year in r["later"]})
        out.append(
            {
                "goal": goal,
                "title": vocabulary.national_goal(goal),
                "rows": goal_rows,
                "later_years": later_years,
                "later_rows": [r for r in goal_rows if r["later"]],
            }
        )
    return out


def goals_context(
    indicators: pd.DataFrame, confidence_level: float = DEFAULT_CONFIDENCE_LEVEL
) -> dict[str, Any]:
    """The goal follow-up section (Måluppfyllelse) from the published `indicators` table, whose
    intervals are at `confidence_level`."""
    frame = indicators.copy()
    for column in ("year", "target_year", "national_goal"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
    for column in ("value", "baseline_value", "target_value", "gap_to_target", "trend_per_year"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Float64")
    frame["period"] = frame["period"].astype(str)
    sections = goal_sections(frame)
    sentences = [row["sentence"] for s in sections for row in s["rows"] if row["sentence"]]
    return {
        "goals": {
            "sections": sections,
            "not_met": sentences,
            "confidence_level": confidence_level,
        }
    }
