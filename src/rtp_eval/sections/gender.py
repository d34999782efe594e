"""Sections R1 and R2, gender equality in business and project support: the figures, and the
tables and sentences of the two sections.

Each figure is drawn from the published `business_support_by_gender` table only, with its data
table and a text alternative (see `rtp_eval.figures` for what all figures share).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from rtp_eval import formatting, vocabulary
from rtp_eval.breakdown import CATEGORY_ORDER
from rtp_eval.charts import GROUP_STYLE, OPEN_BAR_HATCH, Chart, Mark, Series
from rtp_eval.charts import values as chart_values
from rtp_eval.explore import (
    FigureExplorer,
    category_filter,
    figure_explorer,
    period_filter,
    table_rows_filter,
    with_filters,
)
from rtp_eval.figures import (
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
    ReportTable,
    TableFilter,
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


def _finished(
    figure: plt.Figure, axes: plt.Axes, chart: Chart, source: str, **legend: Any
) -> Figure:
    """Axis labels, title, legend and source line of a drawn chart; the figure as SVG."""
    axes.set_ylabel(chart.axis_label)
    axes.set_xlabel(chart.category_label)
    axes.set_title(chart.title, loc="left")
    axes.legend(**legend)
    draw_source_line(axes, source)
    return Figure(chart.name, chart.title, to_svg(figure), chart.alt_text, chart.data)


def _yearly_shares(
    name: str, title: str, alt: str, data: pd.DataFrame, years: Sequence[int],
    series: Sequence[Series], axis_label: str,
) -> Chart:  # fmt: skip
    """A chart of shares (0–1) per decision year."""
    return Chart(
        name=name,
        title=title,
        alt_text=alt,
        data=data,
        kind="columns",
        categories=tuple(str(y) for y in years),
        series=tuple(series),
        axis_label=axis_label,
        category_label="Beslutsår",
        value_format="percent",
        axis_max=1.0,
    )


# A measure of a group in a chart: its mark, its name, its value per category, its place in
# the category and its legend entry.
Measure = tuple[Mark, str, Sequence[object], int, str]


def _group_measures(
    label: str,
    group: str,
    category_column: str,
    categories: Sequence[object],
    measures: Sequence[Measure],
    fmt: Callable[[object], str],
) -> tuple[list[Series], list[dict[str, object]]]:
    """A group's marks, one series per measure, and its rows of the figure's data table (a
    column per measure, named as the reader is told on hover)."""
    series = [
        Series(
            label=legend,
            who=label,
            group=group,
            mark=mark,
            values=chart_values(list(values)),
            texts=tuple(f"{what} {fmt(v)}" for v in values),
            slot=slot,
        )
        for mark, what, values, slot, legend in measures
    ]
    rows = [
        {
            category_column: category,
            "grupp": label,
            **{what: fmt(values[i]) for _, what, values, _, _ in measures},
        }
        for i, category in enumerate(categories)
    ]
    return series, rows


def _support_type_words(support_type: str, support_types: Mapping[str, str]) -> str:
    """`` for all support types (the page's figures), else `, Regionalt investeringsstöd`."""
    if support_type == "all":
        return ""
    return f", {support_types.get(support_type, support_type)}"


def amount_share_chart(
    table: pd.DataFrame,
    classification: str = "leadership",
    parity_band: Sequence[float] = vocabulary.DEFAULT_PARITY_BAND,
    support_type: str = "all",
    support_types: Mapping[str, str] | None = None,
) -> Chart:
    """Share of granted amount by group per year, with the share of decisions beside it."""
    rows = _year_rows(table, support_type=support_type, classification=classification)
    groups = groups_present(rows)
    labels = vocabulary.group_labels(classification, parity_band)
    years = sorted(rows["year"].dropna().astype(int).unique())
    series: list[Series] = []
    data = []
    for index, group in enumerate(groups):
        label = labels.get(group, group)
        by_year = _by_year(rows, group)
        decision_share = [cell_value(by_year, y, "share_of_decisions") for y in years]
        amount_share = [cell_value(by_year, y, "share_of_amount") for y in years]
        decisions_what, amount_what = "andel av ärendena", "andel av beviljat belopp"
        shares: tuple[Measure, ...] = (
            ("outline", decisions_what, decision_share, 2 * index, f"{label}: {decisions_what}"),
            ("bar", amount_what, amount_share, 2 * index + 1, f"{label}: {amount_what}"),
        )
        marks, lines = _group_measures(label, group, "år", years, shares, _percent_or_dots)
        series.extend(marks)
        data.extend(lines)
    title = (
        "Andel av ärendena och av beviljat belopp per år, "
        f"{vocabulary.CLASSIFICATIONS[classification]}"
        f"{_support_type_words(support_type, support_types or {})}"
    )
    frame = pd.DataFrame(data)
    alt = _amount_share_alt(frame, years, groups, classification)
    return _yearly_shares(
        f"amount_share_{classification}", title, alt, frame, years, series, "Andel"
    )


def amount_share_figure(
    table: pd.DataFrame,
    source: str,
    classification: str = "leadership",
    parity_band: Sequence[float] = vocabulary.DEFAULT_PARITY_BAND,
) -> Figure:
    """Share of granted amount by group per year, with the share of decisions beside it."""
    chart = amount_share_chart(table, classification, parity_band)
    figure, axes = plt.subplots(figsize=(8, 4.2))
    groups = list(dict.fromkeys(s.group for s in chart.series))
    width = 0.8 / max(len(groups), 1) / 2
    positions = np.arange(len(chart.categories))
    for index, group in enumerate(groups):
        style = GROUP_STYLE[group]
        decision, amount = (s for s in chart.series if s.group == group)
        offset = (index - (len(groups) - 1) / 2) * 2 * width
        axes.bar(
            positions + offset - width / 2,
            nan_list(decision.values),
            width,
            color="white",
            edgecolor=style["color"],
            hatch=style["hatch"] or OPEN_BAR_HATCH,
            label=decision.label,
        )
        axes.bar(
            positions + offset + width / 2,
            nan_list(amount.values),
            width,
            color=style["color"],
            edgecolor=style["color"],
            hatch=style["hatch"],
            label=amount.label,
        )
    axes.set_xticks(positions, list(chart.categories))
    axes.set_ylim(0, 1)
    axes.yaxis.set_major_formatter(lambda v, _: f"{v * 100:.0f} %")
    return _finished(
        figure,
        axes,
        chart,
        source,
        fontsize=8,
        ncols=2,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.15),
        frameon=False,
    )


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


def approval_rate_chart(
    table: pd.DataFrame,
    classification: str = "leadership",
    confidence_level: float = DEFAULT_CONFIDENCE_LEVEL,
    parity_band: Sequence[float] = vocabulary.DEFAULT_PARITY_BAND,
    support_type: str = "all",
    support_types: Mapping[str, str] | None = None,
) -> Chart:
    """Approval rate per group and year with Wilson intervals (as published in the table)."""
    rows = _year_rows(table, support_type=support_type, classification=classification)
    labels = vocabulary.group_labels(classification, parity_band)
    lower, upper = vocabulary.interval_columns(confidence_level)
    level = vocabulary.confidence_text(confidence_level)
    groups = [g for g in groups_present(rows) if g != "unknown"] or groups_present(rows)
    years = sorted(rows["year"].dropna().astype(int).unique())
    series = []
    data = []
    for index, group in enumerate(groups):
        label = labels.get(group, group)
        by_year = _by_year(rows, group)
        rate = [cell_value(by_year, y, "approval_rate") for y in years]
        low = [cell_value(by_year, y, "approval_rate_ci_low") for y in years]
        high = [cell_value(by_year, y, "approval_rate_ci_high") for y in years]
        texts = []
        for year, r, lo, hi in zip(years, rate, low, high, strict=True):
            data.append(
                {
                    "år": year,
                    "grupp": label,
                    "beviljandegrad": _percent_or_dots(r),
                    lower: _percent_or_dots(lo),
                    upper: _percent_or_dots(hi),
                }
            )
            texts.append(
                f"beviljandegrad {_percent_or_dots(r)} ({level} intervall "
                f"{_percent_or_dots(lo)}–{_percent_or_dots(hi)})"
            )
        series.append(
            Series(
                label=label,
                who=label,
                group=group,
                mark="point",
                values=chart_values(rate),
                low=chart_values(low),
                high=chart_values(high),
                texts=tuple(texts),
                slot=index,
            )
        )
    title = (
        f"Beviljandegrad per år med {level} osäkerhetsintervall, "
        f"{vocabulary.CLASSIFICATIONS[classification]}"
        f"{_support_type_words(support_type, support_types or {})}"
    )
    alt = (
        f"Punktdiagram med osäkerhetsintervall över beviljandegraden per grupp och år "
        f"{years[0]}–{years[-1]}. "
        if years
        else "Diagrammet saknar data. "
    ) + "Värdena finns i tabellen under diagrammet."
    return _yearly_shares(
        f"approval_rate_{classification}",
        title,
        alt,
        pd.DataFrame(data),
        years,
        series,
        "Beviljade av beslutade ärenden",
    )


def approval_rate_figure(
    table: pd.DataFrame,
    source: str,
    classification: str = "leadership",
    confidence_level: float = DEFAULT_CONFIDENCE_LEVEL,
    parity_band: Sequence[float] = vocabulary.DEFAULT_PARITY_BAND,
) -> Figure:
    """Approval rate per group and year with Wilson intervals (as published in the table)."""
    chart = approval_rate_chart(table, classification, confidence_level, parity_band)
    figure, axes = plt.subplots(figsize=(8, 4))
    for index, series in enumerate(chart.series):
        style = GROUP_STYLE[series.group]
        rate = np.array(nan_list(series.values))
        low = np.array(nan_list(series.low or ()))
        high = np.array(nan_list(series.high or ()))
        x = np.arange(len(chart.categories)) + (index - (len(chart.series) - 1) / 2) * 0.2
        axes.errorbar(
            x,
            rate,
            yerr=[rate - low, high - rate],
            fmt=style["marker"],
            color=style["color"],
            capsize=3,
            label=series.label,
        )
    axes.set_xticks(np.arange(len(chart.categories)), list(chart.categories))
    axes.set_ylim(0, 1.02)
    axes.yaxis.set_major_formatter(lambda v, _: f"{v * 100:.0f} %")
    return _finished(figure, axes, chart, source, fontsize=8, loc="lower left", frameon=False)


def grant_size_chart(
    table: pd.DataFrame,
    classification: str = "leadership",
    parity_band: Sequence[float] = vocabulary.DEFAULT_PARITY_BAND,
    support_type: str = "all",
    support_types: Mapping[str, str] | None = None,
) -> Chart:
    """Mean and median grant per group, for each configured period."""
    rows = table[(table["period_kind"] == "period") & (table["support_type"] == support_type)]
    rows = rows[(rows["classification"] == classification) & (rows["group"] != "all")]
    groups = groups_present(rows)
    labels = vocabulary.group_labels(classification, parity_band)
    periods = sorted(rows["period"].astype(str).unique())
    series = []
    data = []
    for index, group in enumerate(groups):
        label = labels.get(group, group)
        selected = rows[rows["group"] == group]
        by_period = selected.set_index(selected["period"].astype(str))
        mean = [cell_value(by_period, p, "mean_granted_sek") for p in periods]
        median = [cell_value(by_period, p, "median_granted_sek") for p in periods]
        amounts: tuple[Measure, ...] = (
            ("bar", "medelbelopp", mean, index, f"{label}: medelvärde"),
            ("tick", "medianbelopp", median, index, "Median"),
        )
        marks, lines = _group_measures(label, group, "period", periods, amounts, formatting.kronor)
        series.extend(marks)
        data.extend(lines)
    title = (
        f"Medel- och medianbelopp per period, {vocabulary.CLASSIFICATIONS[classification]}"
        f"{_support_type_words(support_type, support_types or {})}"
    )
    alt = (
        "Stapeldiagram över medelbeloppet per beviljat ärende för varje grupp och period, med "
        "medianen markerad med ett streck. Värdena finns i tabellen under diagrammet."
    )
    return Chart(
        name=f"grant_size_{classification}",
        title=title,
        alt_text=alt,
        data=pd.DataFrame(data),
        kind="columns",
        categories=tuple(periods),
        series=tuple(series),
        axis_label="Tusen kronor per beviljat ärende",
        category_label="Period",
        value_format="thousands",
    )


def grant_size_figure(
    table: pd.DataFrame,
    source: str,
    classification: str = "leadership",
    parity_band: Sequence[float] = vocabulary.DEFAULT_PARITY_BAND,
) -> Figure:
    """Mean and median grant per group, for each configured period."""
    chart = grant_size_chart(table, classification, parity_band)
    figure, axes = plt.subplots(figsize=(8, 4))
    bars = [s for s in chart.series if s.mark == "bar"]
    ticks = [s for s in chart.series if s.mark == "tick"]
    width = 0.8 / max(len(bars), 1)
    for index, (bar, tick) in enumerate(zip(bars, ticks, strict=True)):
        style = GROUP_STYLE[bar.group]
        x = np.arange(len(chart.categories)) + (index - (len(bars) - 1) / 2) * width
        axes.bar(
            x,
            np.array(nan_list(bar.values)) / 1000,
            width * 0.9,
            color=style["color"],
            hatch=style["hatch"],
            edgecolor=style["color"],
            label=bar.label,
        )
        axes.scatter(
            x,
            np.array(nan_list(tick.values)) / 1000,
            marker="_",
            s=400,
            color="black",
            zorder=3,
            label=tick.label if index == 0 else None,
        )
    axes.set_xticks(np.arange(len(chart.categories)), list(chart.categories))
    return _finished(
        figure,
        axes,
        chart,
        source,
        fontsize=8,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.15),
        ncols=2,
        frameon=False,
    )


def jobs_chart(
    table: pd.DataFrame,
    support_type: str = "all",
    support_types: Mapping[str, str] | None = None,
) -> Chart:
    """Expected new jobs for women and for men per year (all granted cases)."""
    rows = table[
        (table["period_kind"] == "year")
        & (table["support_type"] == support_type)
        & (table["classification"] == "leadership")
        & (table["group"] == "all")
    ].copy()
    rows = rows.sort_values("year")
    years = rows["year"].astype(int).tolist()
    series = []
    for slot, (group, label, column) in enumerate(
        (("women", "Kvinnor", "expected_jobs_women"), ("men", "Män", "expected_jobs_men"))
    ):
        jobs = rows[column].tolist()
        series.append(
            Series(
                label=label,
                who=label,
                group=group,
                mark="bar",
                values=chart_values(jobs),
                texts=tuple(f"{formatting.number(v, 1)} förväntade nya jobb" for v in jobs),
                slot=slot,
            )
        )
    frame = pd.DataFrame(
        {
            "år": years,
            "kvinnor": [formatting.number(v, 1) for v in rows["expected_jobs_women"]],
            "män": [formatting.number(v, 1) for v in rows["expected_jobs_men"]],
        }
    )
    return Chart(
        name="expected_jobs",
        title="Förväntade nya jobb för kvinnor och män per år"
        + _support_type_words(support_type, support_types or {}),
        alt_text=(
            "Stapeldiagram över förväntade nya heltidsjobb för kvinnor och för män i beviljade "
            "ärenden per år. Värdena finns i tabellen under diagrammet."
        ),
        data=frame,
        kind="columns",
        categories=tuple(str(y) for y in years),
        series=tuple(series),
        axis_label="Förväntade nya heltidsjobb",
        category_label="Beslutsår",
        value_format="number",
    )


def jobs_figure(table: pd.DataFrame, source: str) -> Figure:
    """Expected new jobs for women and for men per year (all granted cases)."""
    chart = jobs_chart(table)
    figure, axes = plt.subplots(figsize=(8, 4))
    x = np.arange(len(chart.categories))
    women, men = chart.series
    axes.bar(x - 0.2, nan_list(women.values), 0.4, color=GROUP_STYLE["women"]["color"],
             label=women.label)  # fmt: skip
    axes.bar(
        x + 0.2,
        nan_list(men.values),
        0.4,
        color=GROUP_STYLE["men"]["color"],
        hatch=GROUP_STYLE["men"]["hatch"],
        edgecolor=GROUP_STYLE["men"]["color"],
        label=men.label,
    )
    axes.set_xticks(x, list(chart.categories))
    return _finished(figure, axes, chart, source, fontsize=8, frameon=False)


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
    owner_types: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Tables and sentences of the R1 and R2 sections (`changes`: the period comparison),
    each main table with the filters the website edition offers on it."""
    pooled = [p for p, kind in periods_in(business) if kind == "period"]
    ordered_types = ordered_support_types(support_types)
    by_type = category_filter(
        "support_type", "Stödform", business["support_type"], ordered_types,
        vocabulary.ALL_SUPPORT_TYPES,
    )  # fmt: skip
    by_owner = category_filter(
        "owner_type", "Organisationstyp", projects["owner_type"], owner_types or {},
        vocabulary.ALL,
    )  # fmt: skip
    by_category = replace(by_type, column="category")
    every_period = [p for p, _ in periods_in(business)]

    def per_period(table: ReportTable, *filters: TableFilter) -> ReportTable:
        return with_filters(table, *filters, table_rows_filter(table, "period", "År eller period"))

    equality_periods = [p for p, _ in periods_in(equality)]
    return {
        "findings": key_findings(business, projects),
        "r1_business": per_period(representation_table(business), by_type),
        "r1_difference": per_period(
            approval_difference_table(differences, confidence_level), by_category
        ),
        "r1_projects": per_period(project_table(projects), by_owner),
        "r2_by_type": [
            with_filters(
                table := resources_table(business, p, ordered_types),
                period_filter(every_period, p),
                table_rows_filter(table, "support_type", "Stödform"),
            )
            for p in pooled
        ],
        "r2_jobs": per_period(jobs_table(business), by_type),
        "equality": [
            with_filters(equality_table(equality, p), period_filter(equality_periods, p))
            for p in pooled
        ],
        "periods": pooled,
        **(
            {}
            if changes is None
            else {
                "r2_periods": [with_filters(t, by_type) for t in period_comparison_tables(changes)]
            }
        ),
    }


def ordered_support_types(support_types: Mapping[str, str]) -> dict[str, str]:
    """The support types in the breakdown's order (unlisted codes last)."""
    order = CATEGORY_ORDER["support_type"]
    return {
        code: support_types[code]
        for code in sorted(
            support_types, key=lambda c: order.index(c) if c in order else len(order)
        )
    }


def gender_figure_explorers(
    business: pd.DataFrame,
    support_types: Mapping[str, str],
    confidence_level: float = DEFAULT_CONFIDENCE_LEVEL,
    parity_band: Sequence[float] = vocabulary.DEFAULT_PARITY_BAND,
) -> list[FigureExplorer]:
    """The R1/R2 figures for every support type (and the approval rate for both
    classifications), as the website edition's filters redraw them."""
    labels = ordered_support_types(support_types)
    by_type = category_filter(
        "support_type", "Stödform", business["support_type"], labels,
        vocabulary.ALL_SUPPORT_TYPES,
    )  # fmt: skip
    # Each chart reads one support type: split once, not once per chart.
    of_type = {code: rows for code, rows in business.groupby("support_type", sort=False)}
    empty = business.iloc[0:0]

    def rows(support_type: str) -> pd.DataFrame:
        return of_type.get(support_type, empty)

    by_classification = TableFilter(
        "classification",
        "Indelning",
        tuple(
            (code, words.removeprefix("efter ").capitalize())
            for code, words in vocabulary.CLASSIFICATIONS.items()
        ),
        "leadership",
        "swap",
    )
    explorers = [
        figure_explorer(
            f"amount_share_{classification}",
            [by_type],
            lambda support_type, classification=classification: amount_share_chart(
                rows(support_type), classification, parity_band, support_type, labels
            ),
        )
        for classification in ("leadership", "ownership")
    ]
    explorers.append(
        figure_explorer(
            "approval_rate_leadership",
            [by_type, by_classification],
            lambda support_type, classification: approval_rate_chart(
                rows(support_type),
                classification,
                confidence_level,
                parity_band,
                support_type,
                labels,
            ),
        )
    )
    explorers.append(
        figure_explorer(
            "grant_size_leadership",
            [by_type],
            lambda support_type: grant_size_chart(
                rows(support_type), "leadership", parity_band, support_type, labels
            ),
        )
    )
    explorers.append(
        figure_explorer(
            "expected_jobs",
            [by_type],
            lambda support_type: jobs_chart(rows(support_type), support_type, labels),
        )
    )
    assert tuple(e.name for e in explorers) == GENDER_FIGURES
    return explorers
