"""Figures for the report (matplotlib, SVG), each with its data table and a text alternative.

Every figure is drawn from a published (suppressed) table only. Suppressed cells are left out of
the drawing and marked `..` in the figure's data table and text alternative. Women are shown
first; each group has its own colour *and* hatch or marker, so colour is never the only carrier
of meaning. The palette (purple/green/grey/brown) stays distinguishable for the common forms of
colour blindness and has at least 3:1 contrast against white.
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

from rtp_eval import formatting
from rtp_eval.outputs import GENDER_FIGURES

GROUP_STYLE: dict[str, dict[str, str]] = {
    "women": {"color": "#762a83", "hatch": "", "marker": "o"},
    "men": {"color": "#1b7837", "hatch": "//", "marker": "s"},
    "mixed": {"color": "#8c510a", "hatch": "..", "marker": "D"},
    "unknown": {"color": "#595959", "hatch": "xx", "marker": "^"},
}
GROUP_LABELS_SV: dict[str, dict[str, str]] = {
    "leadership": {
        "women": "Kvinnoledda företag",
        "men": "Mansledda företag",
        "unknown": "Okänt kön på vd",
    },
    "ownership": {
        "women": "Kvinnoägda företag",
        "men": "Mansägda företag",
        "mixed": "Jämnt ägda företag (40–60 %)",
        "unknown": "Okänd ägarfördelning",
    },
    "project_manager": {
        "women": "Kvinnlig projektledare",
        "men": "Manlig projektledare",
        "unknown": "Okänt kön på projektledare",
    },
}
GROUP_ORDER = ("women", "men", "mixed", "unknown")
CLASSIFICATION_SV = {"leadership": "efter vd:s kön", "ownership": "efter ägande"}
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


def group_label(classification: str, group: str) -> str:
    return GROUP_LABELS_SV.get(classification, {}).get(group, group)


def _groups_present(frame: pd.DataFrame) -> list[str]:
    present = set(frame["group"])
    return [g for g in GROUP_ORDER if g in present]


def _source_line(axes: plt.Axes, source: str) -> None:
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


def _year_rows(table: pd.DataFrame, **filters: str) -> pd.DataFrame:
    rows = table[table["period_kind"] == "year"]
    for column, value in filters.items():
        rows = rows[rows[column] == value]
    return rows[rows["group"] != "all"].copy()


def _percent_or_dots(value: object) -> str:
    return formatting.percent(value, 0)


def amount_share_figure(
    table: pd.DataFrame, source: str, classification: str = "leadership"
) -> Figure:
    """Share of granted amount by group per year, with the share of decisions beside it."""
    rows = _year_rows(table, support_type="all", classification=classification)
    groups = _groups_present(rows)
    years = sorted(rows["year"].dropna().astype(int).unique())
    figure, axes = plt.subplots(figsize=(8, 4.2))
    width = 0.8 / max(len(groups), 1) / 2
    positions = np.arange(len(years))
    data = []
    for index, group in enumerate(groups):
        style = GROUP_STYLE[group]
        by_year = _by_year(rows, group)
        decision_share = [_value(by_year, y, "share_of_decisions") for y in years]
        amount_share = [_value(by_year, y, "share_of_amount") for y in years]
        offset = (index - (len(groups) - 1) / 2) * 2 * width
        axes.bar(
            positions + offset - width / 2,
            _nan(decision_share),
            width,
            color="white",
            edgecolor=style["color"],
            hatch=style["hatch"] or "..",
            label=f"{group_label(classification, group)}: andel av ärendena",
        )
        axes.bar(
            positions + offset + width / 2,
            _nan(amount_share),
            width,
            color=style["color"],
            edgecolor=style["color"],
            hatch=style["hatch"],
            label=f"{group_label(classification, group)}: andel av beviljat belopp",
        )
        for year, dec, amt in zip(years, decision_share, amount_share, strict=True):
            data.append(
                {
                    "år": year,
                    "grupp": group_label(classification, group),
                    "andel av ärendena": _percent_or_dots(dec),
                    "andel av beviljat belopp": _percent_or_dots(amt),
                }
            )
    axes.set_xticks(positions, [str(y) for y in years])
    axes.set_ylim(0, 1)
    axes.yaxis.set_major_formatter(lambda v, _: f"{v * 100:.0f} %")
    axes.set_ylabel("Andel")
    axes.set_xlabel("Beslutsår")
    title = f"Andel av ärendena och av beviljat belopp per år, {CLASSIFICATION_SV[classification]}"
    axes.set_title(title, loc="left")
    axes.legend(fontsize=8, ncols=2, loc="upper center", bbox_to_anchor=(0.5, -0.15), frameon=False)
    _source_line(axes, source)
    frame = pd.DataFrame(data)
    alt = _amount_share_alt(frame, years, groups, classification)
    return Figure(f"amount_share_{classification}", title, to_svg(figure), alt, frame)


def _amount_share_alt(
    frame: pd.DataFrame, years: Sequence[int], groups: Sequence[str], classification: str
) -> str:
    if not years:
        return "Diagrammet saknar data."
    last = frame[frame["år"] == years[-1]]
    parts = [
        f"{row['grupp'].lower()} {row['andel av ärendena']} av ärendena och "
        f"{row['andel av beviljat belopp']} av beloppet"
        for _, row in last.iterrows()
    ]
    return (
        f"Stapeldiagram över andelen av ärendena och av beviljat belopp per grupp och år "
        f"{years[0]}–{years[-1]}. År {years[-1]} hade " + "; ".join(parts) + ". "
        "Siffrorna för alla år finns i tabellen under diagrammet."
    )


def approval_rate_figure(
    table: pd.DataFrame, source: str, classification: str = "leadership"
) -> Figure:
    """Approval rate per group and year with 95 % Wilson intervals."""
    rows = _year_rows(table, support_type="all", classification=classification)
    groups = [g for g in _groups_present(rows) if g != "unknown"] or _groups_present(rows)
    years = sorted(rows["year"].dropna().astype(int).unique())
    figure, axes = plt.subplots(figsize=(8, 4))
    data = []
    for index, group in enumerate(groups):
        style = GROUP_STYLE[group]
        by_year = _by_year(rows, group)
        rate = np.array(_nan([_value(by_year, y, "approval_rate") for y in years]))
        low = np.array(_nan([_value(by_year, y, "approval_rate_ci_low") for y in years]))
        high = np.array(_nan([_value(by_year, y, "approval_rate_ci_high") for y in years]))
        x = np.arange(len(years)) + (index - (len(groups) - 1) / 2) * 0.2
        axes.errorbar(
            x,
            rate,
            yerr=[rate - low, high - rate],
            fmt=style["marker"],
            color=style["color"],
            capsize=3,
            label=group_label(classification, group),
        )
        for year, r, lo, hi in zip(years, rate, low, high, strict=True):
            data.append(
                {
                    "år": year,
                    "grupp": group_label(classification, group),
                    "beviljandegrad": _percent_or_dots(r),
                    "95 % intervall, lägre": _percent_or_dots(lo),
                    "95 % intervall, övre": _percent_or_dots(hi),
                }
            )
    axes.set_xticks(np.arange(len(years)), [str(y) for y in years])
    axes.set_ylim(0, 1.02)
    axes.yaxis.set_major_formatter(lambda v, _: f"{v * 100:.0f} %")
    axes.set_ylabel("Beviljade av beslutade ärenden")
    axes.set_xlabel("Beslutsår")
    title = (
        f"Beviljandegrad per år med 95 % osäkerhetsintervall, {CLASSIFICATION_SV[classification]}"
    )
    axes.set_title(title, loc="left")
    axes.legend(fontsize=8, loc="lower left", frameon=False)
    _source_line(axes, source)
    frame = pd.DataFrame(data)
    alt = (
        f"Punktdiagram med osäkerhetsintervall över beviljandegraden per grupp och år "
        f"{years[0]}–{years[-1]}. "
        if years
        else "Diagrammet saknar data. "
    ) + "Värdena finns i tabellen under diagrammet."
    return Figure(f"approval_rate_{classification}", title, to_svg(figure), alt, frame)


def grant_size_figure(
    table: pd.DataFrame, source: str, classification: str = "leadership"
) -> Figure:
    """Mean and median grant per group, for each configured period."""
    rows = table[(table["period_kind"] == "period") & (table["support_type"] == "all")]
    rows = rows[(rows["classification"] == classification) & (rows["group"] != "all")]
    groups = _groups_present(rows)
    periods = sorted(rows["period"].unique())
    figure, axes = plt.subplots(figsize=(8, 4))
    width = 0.8 / max(len(groups), 1)
    data = []
    for index, group in enumerate(groups):
        style = GROUP_STYLE[group]
        by_period = rows[rows["group"] == group].set_index("period")
        mean = _nan([_value(by_period, p, "mean_granted_sek") for p in periods])
        median = _nan([_value(by_period, p, "median_granted_sek") for p in periods])
        x = np.arange(len(periods)) + (index - (len(groups) - 1) / 2) * width
        axes.bar(
            x,
            np.array(mean) / 1000,
            width * 0.9,
            color=style["color"],
            hatch=style["hatch"],
            edgecolor=style["color"],
            label=f"{group_label(classification, group)}: medelvärde",
        )
        axes.scatter(
            x,
            np.array(median) / 1000,
            marker="_",
            s=400,
            color="black",
            zorder=3,
            label="Median" if index == 0 else None,
        )
        for period, m, md in zip(periods, mean, median, strict=True):
            data.append(
                {
                    "period": period,
                    "grupp": group_label(classification, group),
                    "medelbelopp": formatting.kronor(m),
                    "medianbelopp": formatting.kronor(md),
                }
            )
    axes.set_xticks(np.arange(len(periods)), periods)
    axes.set_ylabel("Tusen kronor per beviljat ärende")
    axes.set_xlabel("Period")
    title = f"Medel- och medianbelopp per period, {CLASSIFICATION_SV[classification]}"
    axes.set_title(title, loc="left")
    axes.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncols=2, frameon=False)
    _source_line(axes, source)
    frame = pd.DataFrame(data)
    alt = (
        "Stapeldiagram över medelbeloppet per beviljat ärende för varje grupp och period, med "
        "medianen markerad med ett streck. Värdena finns i tabellen under diagrammet."
    )
    return Figure(f"grant_size_{classification}", title, to_svg(figure), alt, frame)


def jobs_figure(table: pd.DataFrame, source: str) -> Figure:
    """Expected new jobs for women and for men per year (all granted cases)."""
    rows = table[
        (table["period_kind"] == "year")
        & (table["support_type"] == "all")
        & (table["classification"] == "leadership")
        & (table["group"] == "all")
    ].copy()
    rows = rows.sort_values("year")
    years = rows["year"].astype(int).tolist()
    figure, axes = plt.subplots(figsize=(8, 4))
    x = np.arange(len(years))
    women = _nan(rows["expected_jobs_women"].tolist())
    men = _nan(rows["expected_jobs_men"].tolist())
    axes.bar(x - 0.2, women, 0.4, color=GROUP_STYLE["women"]["color"], label="Kvinnor")
    axes.bar(
        x + 0.2,
        men,
        0.4,
        color=GROUP_STYLE["men"]["color"],
        hatch=GROUP_STYLE["men"]["hatch"],
        edgecolor=GROUP_STYLE["men"]["color"],
        label="Män",
    )
    axes.set_xticks(x, [str(y) for y in years])
    axes.set_ylabel("Förväntade nya heltidsjobb")
    axes.set_xlabel("Beslutsår")
    title = "Förväntade nya jobb för kvinnor och män per år"
    axes.set_title(title, loc="left")
    axes.legend(fontsize=8, frameon=False)
    _source_line(axes, source)
    frame = pd.DataFrame(
        {
            "år": years,
            "kvinnor": [formatting.number(v, 1) for v in rows["expected_jobs_women"]],
            "män": [formatting.number(v, 1) for v in rows["expected_jobs_men"]],
        }
    )
    alt = (
        "Stapeldiagram över förväntade nya heltidsjobb för kvinnor och för män i beviljade "
        "ärenden per år. Värdena finns i tabellen under diagrammet."
    )
    return Figure("expected_jobs", title, to_svg(figure), alt, frame)


def _by_year(rows: pd.DataFrame, group: str) -> pd.DataFrame:
    selected = rows[rows["group"] == group]
    return selected.set_index(selected["year"].astype(int))


def _value(frame: pd.DataFrame, key: object, column: str) -> object:
    if key not in frame.index:
        return None
    value = frame.loc[key, column]
    if isinstance(value, pd.Series):
        value = value.iloc[0]
    return None if pd.isna(value) else float(value)


def _nan(values: Sequence[object]) -> list[float]:
    return [np.nan if v is None or pd.isna(v) else float(v) for v in values]


def source_line(region: str, demo: bool) -> str:
    text = f"Källa: {region}, beslutade ärenden om företagsstöd. Bearbetning: rtp-eval."
    return text + " FIKTIVA DATA." if demo else text


def gender_figures(business: pd.DataFrame, source: str) -> list[Figure]:
    """The R1/R2 figures of business support, in the order of GENDER_FIGURES."""
    configure_matplotlib()
    figures = [
        amount_share_figure(business, source, "leadership"),
        amount_share_figure(business, source, "ownership"),
        approval_rate_figure(business, source, "leadership"),
        grant_size_figure(business, source, "leadership"),
        jobs_figure(business, source),
    ]
    assert tuple(f.name for f in figures) == GENDER_FIGURES
    return figures
