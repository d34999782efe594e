"""Sections R1 and R2, gender equality in business and project support: the figures, and the
tables and sentences of the two sections.

Each figure is drawn from the published `business_support_by_gender` table only, with its data
table and a text alternative (see `rtp_eval.figures` for what all figures share).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from rtp_eval import formatting, vocabulary
from rtp_eval.breakdown import CATEGORY_ORDER
from rtp_eval.figures import (
    GROUP_STYLE,
    Figure,
    cell_value,
    configure_matplotlib,
    draw_source_line,
    groups_present,
    nan_list,
    to_svg,
)
from rtp_eval.outputs import GENDER_FIGURES
from rtp_eval.report_content import (
    approval_difference_table,
    equality_table,
    jobs_table,
    key_findings,
    period_comparison_tables,
    periods_in,
    project_table,
    representation_table,
    resources_table,
)
from rtp_eval.stats import DEFAULT_CONFIDENCE_LEVEL


def _year_rows(table: pd.DataFrame, **filters: str) -> pd.DataFrame:
    rows = table[table["period_kind"] == "year"]
    for column, value in filters.items():
        rows = rows[rows[column] == value]
    return rows[rows["group"] != "all"].copy()


def _by_year(rows: pd.DataFrame, group: str) -> pd.DataFrame:
    selected = rows[rows["group"] == group]
    return selected.set_index(selected["year"].astype(int))


def _percent_or_dots(value: object) -> str:
    return formatting.percent(value, 0)


def amount_share_figure(
    table: pd.DataFrame,
    source: str,
    classification: str = "leadership",
    parity_band: Sequence[float] = vocabulary.DEFAULT_PARITY_BAND,
) -> Figure:
    """Share of granted amount by group per year, with the share of decisions beside it."""
    rows = _year_rows(table, support_type="all", classification=classification)
    groups = groups_present(rows)
    labels = vocabulary.group_labels(classification, parity_band)
    years = sorted(rows["year"].dropna().astype(int).unique())
    figure, axes = plt.subplots(figsize=(8, 4.2))
    width = 0.8 / max(len(groups), 1) / 2
    positions = np.arange(len(years))
    data = []
    for index, group in enumerate(groups):
        style = GROUP_STYLE[group]
        by_year = _by_year(rows, group)
        decision_share = [cell_value(by_year, y, "share_of_decisions") for y in years]
        amount_share = [cell_value(by_year, y, "share_of_amount") for y in years]
        offset = (index - (len(groups) - 1) / 2) * 2 * width
        axes.bar(
            positions + offset - width / 2,
            nan_list(decision_share),
            width,
            color="white",
            edgecolor=style["color"],
            hatch=style["hatch"] or "..",
            label=f"{labels.get(group, group)}: andel av ärendena",
        )
        axes.bar(
            positions + offset + width / 2,
            nan_list(amount_share),
            width,
            color=style["color"],
            edgecolor=style["color"],
            hatch=style["hatch"],
            label=f"{labels.get(group, group)}: andel av beviljat belopp",
        )
        for year, dec, amt in zip(years, decision_share, amount_share, strict=True):
            data.append(
                {
                    "år": year,
                    "grupp": labels.get(group, group),
                    "andel av ärendena": _percent_or_dots(dec),
                    "andel av beviljat belopp": _percent_or_dots(amt),
                }
            )
    axes.set_xticks(positions, [str(y) for y in years])
    axes.set_ylim(0, 1)
    axes.yaxis.set_major_formatter(lambda v, _: f"{v * 100:.0f} %")
    axes.set_ylabel("Andel")
    axes.set_xlabel("Beslutsår")
    title = (
        "Andel av ärendena och av beviljat belopp per år, "
        f"{vocabulary.CLASSIFICATIONS[classification]}"
    )
    axes.set_title(title, loc="left")
    axes.legend(fontsize=8, ncols=2, loc="upper center", bbox_to_anchor=(0.5, -0.15), frameon=False)
    draw_source_line(axes, source)
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
    table: pd.DataFrame,
    source: str,
    classification: str = "leadership",
    confidence_level: float = DEFAULT_CONFIDENCE_LEVEL,
    parity_band: Sequence[float] = vocabulary.DEFAULT_PARITY_BAND,
) -> Figure:
    """Approval rate per group and year with Wilson intervals (as published in the table)."""
    rows = _year_rows(table, support_type="all", classification=classification)
    labels = vocabulary.group_labels(classification, parity_band)
    lower, upper = vocabulary.interval_columns(confidence_level)
    groups = [g for g in groups_present(rows) if g != "unknown"] or groups_present(rows)
    years = sorted(rows["year"].dropna().astype(int).unique())
    figure, axes = plt.subplots(figsize=(8, 4))
    data = []
    for index, group in enumerate(groups):
        style = GROUP_STYLE[group]
        by_year = _by_year(rows, group)
        rate = np.array(nan_list([cell_value(by_year, y, "approval_rate") for y in years]))
        low = np.array(nan_list([cell_value(by_year, y, "approval_rate_ci_low") for y in years]))
        high = np.array(nan_list([cell_value(by_year, y, "approval_rate_ci_high") for y in years]))
        x = np.arange(len(years)) + (index - (len(groups) - 1) / 2) * 0.2
        axes.errorbar(
            x,
            rate,
            yerr=[rate - low, high - rate],
            fmt=style["marker"],
            color=style["color"],
            capsize=3,
            label=labels.get(group, group),
        )
        for year, r, lo, hi in zip(years, rate, low, high, strict=True):
            data.append(
                {
                    "år": year,
                    "grupp": labels.get(group, group),
                    "beviljandegrad": _percent_or_dots(r),
                    lower: _percent_or_dots(lo),
                    upper: _percent_or_dots(hi),
                }
            )
    axes.set_xticks(np.arange(len(years)), [str(y) for y in years])
    axes.set_ylim(0, 1.02)
    axes.yaxis.set_major_formatter(lambda v, _: f"{v * 100:.0f} %")
    axes.set_ylabel("Beviljade av beslutade ärenden")
    axes.set_xlabel("Beslutsår")
    title = (
        f"Beviljandegrad per år med {vocabulary.confidence_text(confidence_level)} "
        f"osäkerhetsintervall, {vocabulary.CLASSIFICATIONS[classification]}"
    )
    axes.set_title(title, loc="left")
    axes.legend(fontsize=8, loc="lower left", frameon=False)
    draw_source_line(axes, source)
    frame = pd.DataFrame(data)
    alt = (
        f"Punktdiagram med osäkerhetsintervall över beviljandegraden per grupp och år "
        f"{years[0]}–{years[-1]}. "
        if years
        else "Diagrammet saknar data. "
    ) + "Värdena finns i tabellen under diagrammet."
    return Figure(f"approval_rate_{classification}", title, to_svg(figure), alt, frame)


def grant_size_figure(
    table: pd.DataFrame,
    source: str,
    classification: str = "leadership",
    parity_band: Sequence[float] = vocabulary.DEFAULT_PARITY_BAND,
) -> Figure:
    """Mean and median grant per group, for each configured period."""
    rows = table[(table["period_kind"] == "period") & (table["support_type"] == "all")]
    rows = rows[(rows["classification"] == classification) & (rows["group"] != "all")]
    groups = groups_present(rows)
    labels = vocabulary.group_labels(classification, parity_band)
    periods = sorted(rows["period"].unique())
    figure, axes = plt.subplots(figsize=(8, 4))
    width = 0.8 / max(len(groups), 1)
    data = []
    for index, group in enumerate(groups):
        style = GROUP_STYLE[group]
        by_period = rows[rows["group"] == group].set_index("period")
        mean = nan_list([cell_value(by_period, p, "mean_granted_sek") for p in periods])
        median = nan_list([cell_value(by_period, p, "median_granted_sek") for p in periods])
        x = np.arange(len(periods)) + (index - (len(groups) - 1) / 2) * width
        axes.bar(
            x,
            np.array(mean) / 1000,
            width * 0.9,
            color=style["color"],
            hatch=style["hatch"],
            edgecolor=style["color"],
            label=f"{labels.get(group, group)}: medelvärde",
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
                    "grupp": labels.get(group, group),
                    "medelbelopp": formatting.kronor(m),
                    "medianbelopp": formatting.kronor(md),
                }
            )
    axes.set_xticks(np.arange(len(periods)), periods)
    axes.set_ylabel("Tusen kronor per beviljat ärende")
    axes.set_xlabel("Period")
    title = f"Medel- och medianbelopp per period, {vocabulary.CLASSIFICATIONS[classification]}"
    axes.set_title(title, loc="left")
    axes.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncols=2, frameon=False)
    draw_source_line(axes, source)
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
    women = nan_list(rows["expected_jobs_women"].tolist())
    men = nan_list(rows["expected_jobs_men"].tolist())
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
    draw_source_line(axes, source)
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


def gender_figures(
    business: pd.DataFrame,
    source: str,
    confidence_level: float = DEFAULT_CONFIDENCE_LEVEL,
    parity_band: Sequence[float] = vocabulary.DEFAULT_PARITY_BAND,
) -> list[Figure]:
    """The R1/R2 figures of business support, in the order of GENDER_FIGURES; the configured
    confidence level and even-ownership band are named in their labels."""
    configure_matplotlib()
    figures = [
        amount_share_figure(business, source, "leadership", parity_band),
        amount_share_figure(business, source, "ownership", parity_band),
        approval_rate_figure(business, source, "leadership", confidence_level, parity_band),
        grant_size_figure(business, source, "leadership", parity_band),
        jobs_figure(business, source),
    ]
    assert tuple(f.name for f in figures) == GENDER_FIGURES
    return figures


# --- tables and sentences ----------------------------------------------------------------


def gender_context(
    business: pd.DataFrame,
    projects: pd.DataFrame,
    equality: pd.DataFrame,
    differences: pd.DataFrame,
    support_types: Mapping[str, str],
    changes: pd.DataFrame | None = None,
    confidence_level: float = DEFAULT_CONFIDENCE_LEVEL,
) -> dict[str, Any]:
    """Tables and sentences of the R1 and R2 sections (`changes`: the period comparison)."""
    pooled = [p for p, kind in periods_in(business) if kind == "period"]
    order = CATEGORY_ORDER["support_type"]
    ordered_types = {
        code: support_types[code]
        for code in sorted(
            support_types, key=lambda c: order.index(c) if c in order else len(order)
        )
    }
    return {
        "findings": key_findings(business, projects),
        "r1_business": representation_table(business),
        "r1_difference": approval_difference_table(differences, confidence_level),
        "r1_projects": project_table(projects),
        "r2_by_type": [resources_table(business, p, ordered_types) for p in pooled],
        "r2_jobs": jobs_table(business),
        "equality": [equality_table(equality, p) for p in pooled],
        "periods": pooled,
        **({} if changes is None else {"r2_periods": period_comparison_tables(changes)}),
    }
