"""What every figure of the report shares: the matplotlib settings, the SVG output, the groups'
colours and the source line. The figures themselves are drawn by the report's sections
(`rtp_eval.sections`), each with its data table and a text alternative.

Every figure is drawn from a published (suppressed) table only. Suppressed cells are left out of
the drawing and marked `..` in the figure's data table and text alternative. Women are shown
first; each group has its own colour *and* hatch or marker (`rtp_eval.charts.GROUP_STYLE`), so
colour is never the only carrier of meaning. The palette (purple/green/grey/brown) stays
distinguishable for the common forms of colour blindness and has at least 3:1 contrast against
white.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from rtp_eval.formatting import to_float

GROUP_ORDER = ("women", "men", "mixed", "unknown")
SVG_HASH_SALT = "rtp-eval"


@dataclass(frozen=True)
class Figure:
    """A rendered figure: SVG markup, its text alternative and the data it shows."""

    name: str
    title: str
    svg: str
    alt_text: str
    data: pd.DataFrame


def configure_matplotlib() -> None:
    """Settings that make SVG output byte-identical between runs and machines."""
    plt.rcdefaults()
    matplotlib.rcParams.update(
        {
            "svg.hashsalt": SVG_HASH_SALT,
            "svg.fonttype": "none",
            "font.family": "DejaVu Sans",
            "font.size": 10,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": 11,
            "axes.titleweight": "bold",
            "hatch.linewidth": 0.8,
        }
    )


def to_svg(figure: plt.Figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(figure)
    svg = buffer.getvalue()
    # The XML prolog and DOCTYPE are not allowed inside HTML; ids get a stable prefix.
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg)
    return svg


def groups_present(frame: pd.DataFrame) -> list[str]:
    """The groups of `frame` in the order they are shown (women first)."""
    present = set(frame["group"])
    return [g for g in GROUP_ORDER if g in present]


def draw_source_line(axes: plt.Axes, source: str) -> None:
    """The source under the figure, in its bottom left corner."""
    axes.annotate(
        source,
        xy=(0, 0),
        xycoords="figure fraction",
        xytext=(4, 2),
        textcoords="offset points",
        fontsize=8,
        color="#404040",
        va="bottom",
    )


def cell_value(frame: pd.DataFrame, key: object, column: str) -> object:
    """`frame.loc[key, column]` as a float, or None when the row is absent or the cell empty."""
    if key not in frame.index:
        return None
    value = frame.loc[key, column]
    if isinstance(value, pd.Series):
        value = value.iloc[0]
    return None if pd.isna(value) else float(value)


def nan_list(values: Sequence[object]) -> list[float]:
    """Values to draw: missing ones become NaN, which matplotlib leaves out."""
    return [np.nan if v is None or pd.isna(v) else to_float(v) for v in values]
