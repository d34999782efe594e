"""What a figure shows, apart from how it is drawn: its marks, data table and text alternative.

A figure's data is worked out once, as a `Chart`, from the published (protected) tables. The
PDF and the page without scripts draw it with matplotlib (`rtp_eval.sections`); the website
edition's explorer draws the same `Chart`, serialised with `chart_json`, in the reader's browser
when the reader filters the figure (`rtp_eval.explore`). So the two drawings cannot show
different numbers: both come from the same marks, and every value is a published cell.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

Mark = Literal["bar", "outline", "point", "tick"]

# Each group's colour, hatch and marker (matplotlib's codes). Both drawings use them: the
# matplotlib figures (`rtp_eval.figures`) and the page's script (given them by `style_json`).
GROUP_STYLE: dict[str, dict[str, str]] = {
    "women": {"color": "#762a83", "hatch": "", "marker": "o"},
    "men": {"color": "#1b7837", "hatch": "//", "marker": "s"},
    "mixed": {"color": "#8c510a", "hatch": "--", "marker": "D"},
    "unknown": {"color": "#595959", "hatch": "xx", "marker": "^"},
}
# An open (white) bar of a group without a hatch of its own. Line hatches only: a dot hatch is
# drawn dot by dot for every bar, which tripled the time the PDF took to draw its figures.
OPEN_BAR_HATCH = "--"
# The shapes the page's script draws, by matplotlib marker code.
MARKER_SHAPES = {"o": "circle", "s": "square", "D": "diamond", "^": "triangle"}


def style_json() -> dict[str, Any]:
    """The groups' styles as the page's script reads them."""
    return {
        "groups": {
            group: {
                "color": style["color"],
                "hatch": style["hatch"],
                "marker": MARKER_SHAPES[style["marker"]],
            }
            for group, style in GROUP_STYLE.items()
        },
        "openBarHatch": OPEN_BAR_HATCH,
    }


@dataclass(frozen=True)
class Series:
    """One group's marks, a value per category (None: not published, not drawn).

    A reader hovering over or focusing a mark is told `who`, the category and `texts` (the
    value as printed, with its interval where it has one); `label` names the series in the
    legend. Marks with the same `slot` stand at the same place in their category (a median
    tick on its mean bar).
    """

    label: str
    who: str
    group: str
    mark: Mark
    values: tuple[float | None, ...]
    texts: tuple[str, ...]
    slot: int
    low: tuple[float | None, ...] | None = None
    high: tuple[float | None, ...] | None = None


@dataclass(frozen=True)
class Grid:
    """A heat map: a value and its printed text per row and column (None: not published)."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    values: tuple[tuple[float | None, ...], ...]
    texts: tuple[tuple[str, ...], ...]
    legend: str


@dataclass(frozen=True)
class Chart:
    """A figure's content: title, text alternative, data table and marks.

    `kind`: `columns` (categories along the horizontal axis), `rows` (categories down the
    vertical axis, one per line) or `grid` (a heat map, in `grid`).
    """

    name: str
    title: str
    alt_text: str
    data: pd.DataFrame
    kind: Literal["columns", "rows", "grid"]
    categories: tuple[str, ...] = ()
    series: tuple[Series, ...] = ()
    axis_label: str = ""
    category_label: str = ""
    value_format: Literal["percent", "thousands", "number"] = "number"
    axis_max: float | None = None
    reference: float | None = None
    reference_label: str = ""
    grid: Grid | None = None
    legend_notes: tuple[str, ...] = field(default=())


def values(items: Sequence[object]) -> tuple[float | None, ...]:
    """Published values as floats; empty (suppressed) cells as None."""
    out: list[float | None] = []
    for item in items:
        if item is None or (isinstance(item, float) and math.isnan(item)) or pd.isna(item):
            out.append(None)
        else:
            out.append(float(str(item)) if not isinstance(item, (int, float)) else float(item))
    return tuple(out)


def _rounded(value: float | None) -> float | None:
    # Twelve significant digits: enough for every published number, and the same text from
    # the same value on every machine.
    return None if value is None else float(f"{value:.12g}")


def chart_json(chart: Chart) -> dict[str, Any]:
    """The chart for the explorer's script: plain lists, rounded numbers, texts as printed."""
    table = chart.data.astype(str)
    out: dict[str, Any] = {
        "kind": chart.kind,
        "title": chart.title,
        "alt": chart.alt_text,
        "table": {
            "columns": [str(c) for c in table.columns],
            "rows": [list(row) for row in table.itertuples(index=False)],
        },
    }
    if chart.kind == "grid":
        assert chart.grid is not None
        out["grid"] = {
            "rows": list(chart.grid.rows),
            "columns": list(chart.grid.columns),
            "values": [[_rounded(v) for v in row] for row in chart.grid.values],
            "texts": [list(row) for row in chart.grid.texts],
            "legend": chart.grid.legend,
        }
        return out
    out.update(
        {
            "categories": list(chart.categories),
            "axis": {
                "label": chart.axis_label,
                "categoryLabel": chart.category_label,
                "format": chart.value_format,
                "max": chart.axis_max,
            },
            "series": [_series_json(s) for s in chart.series],
        }
    )
    if chart.reference is not None:
        out["reference"] = {"value": _rounded(chart.reference), "label": chart.reference_label}
    return out


def _series_json(series: Series) -> dict[str, Any]:
    out: dict[str, Any] = {
        "label": series.label,
        "who": series.who,
        "group": series.group,
        "mark": series.mark,
        "slot": series.slot,
        "values": [_rounded(v) for v in series.values],
        "texts": list(series.texts),
    }
    if series.low is not None and series.high is not None:
        out["low"] = [_rounded(v) for v in series.low]
        out["high"] = [_rounded(v) for v in series.high]
    return out
