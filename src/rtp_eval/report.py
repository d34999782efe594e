"""Rendering the HTML report from the published tables (and only from them)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jinja2
import pandas as pd

from rtp_eval import formatting
from rtp_eval.breakdown import CATEGORY_ORDER
from rtp_eval.report_content import (
    Cell,
    ReportTable,
    approval_difference_table,
    dimension_table,
    equality_table,
    jobs_table,
    key_findings,
    owner_type_table,
    ownership_table,
    periods_in,
    project_table,
    representation_table,
    resources_table,
)

SOURCE_LABELS_SV = {"business_support": "Företagsstöd", "project_support": "Projektstöd"}


@dataclass(frozen=True)
class ReportFigure:
    name: str
    title: str
    svg_markup: str
    alt_text: str
    data_table: ReportTable


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("rtp_eval", "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["number"] = formatting.number
    env.filters["kronor"] = formatting.kronor
    env.filters["percent"] = formatting.percent
    env.filters["source_sv"] = lambda s: SOURCE_LABELS_SV.get(s, s)
    return env


def inline_svg(svg: str, name: str, label: str) -> str:
    """Make an SVG safe to inline: unique ids per figure and an accessible name."""
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.DOTALL)
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{name}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{name}-\1)", svg)
    svg = re.sub(r'xlink:href="#([^"]+)"', rf'xlink:href="#{name}-\1"', svg)
    label = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return re.sub(
        r"<svg\b", f'<svg role="img" aria-label="{label}" focusable="false"', svg, count=1
    )


def figure_table(name: str, title: str, data: pd.DataFrame) -> ReportTable:
    columns = [str(c) for c in data.columns]
    rows = [[Cell(str(v)) for v in record] for record in data.astype(str).itertuples(index=False)]
    return ReportTable(
        id=f"data-{name}", caption=f"Data till diagrammet: {title}", columns=columns, rows=rows
    )


def report_figure(name: str, svg: str, meta: Mapping[str, str], data: pd.DataFrame) -> ReportFigure:
    """A figure for the report from its SVG, its metadata (title, alt text) and data table."""
    return ReportFigure(
        name=name,
        title=meta["title"],
        svg_markup=inline_svg(svg, name, meta["alt_text"]),
        alt_text=meta["alt_text"],
        data_table=figure_table(name, meta["title"], data),
    )


def quality_context(quality: pd.DataFrame, reasons: pd.DataFrame) -> dict[str, Any]:
    """Rows and totals for the data-quality section."""
    totals = {
        name: int(quality[name].sum())
        for name in ("rows_read", "rows_accepted", "rows_quarantined", "rows_withdrawn")
    }
    by_reason = (
        reasons.groupby(["reason_code", "reason_sv"], as_index=False)["rows"]
        .sum()
        .sort_values(["rows", "reason_code"], ascending=[False, True], kind="stable")
    )
    files = quality.astype(object).where(quality.notna(), None)
    return {
        "files": files.to_dict("records"),
        "totals": totals,
        "reasons": by_reason.to_dict("records"),
    }


def gender_context(
    business: pd.DataFrame,
    projects: pd.DataFrame,
    equality: pd.DataFrame,
    differences: pd.DataFrame,
    support_types: Mapping[str, str],
) -> dict[str, Any]:
    """Tables and sentences of the R1 and R2 sections."""
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
        "r1_difference": approval_difference_table(differences),
        "r1_projects": project_table(projects),
        "r2_by_type": [resources_table(business, p, ordered_types) for p in pooled],
        "r2_jobs": jobs_table(business),
        "equality": [equality_table(equality, p) for p in pooled],
        "periods": pooled,
    }


def render_report(context: Mapping[str, Any], figures: Sequence[ReportFigure] = ()) -> str:
    by_name = {f.name: f for f in figures}
    return environment().get_template("report.html.j2").render(**context, figures=by_name)


def data_epoch(business: pd.DataFrame) -> int:
    """The end of the latest decision year (UTC), as the report's fixed document date."""
    years = pd.to_numeric(business["year"], errors="coerce").dropna()
    last = int(years.max()) if not years.empty else 2000
    return int(dt.datetime(last, 12, 31, tzinfo=dt.UTC).timestamp())


def analyst_text(markdown: str) -> str:
    """The analyst's Markdown as HTML: raw HTML escaped, the top heading level made h3.

    The text sits in a section headed by an h2, so whatever levels the analyst used, the
    highest becomes h3 and the others keep their distance to it (no skipped levels).
    """
    from markdown_it import MarkdownIt

    without_comments = re.sub(r"<!--.*?-->\s*", "", markdown, flags=re.DOTALL)
    rendered = MarkdownIt("commonmark", {"html": False}).render(without_comments)
    levels = [int(level) for level in re.findall(r"<h([1-6])>", rendered)]
    shift = 3 - min(levels) if levels else 0
    return re.sub(
        r"<(/?)h([1-6])>",
        lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + shift)}>",
        rendered,
    )


def realia_context(
    industry: pd.DataFrame,
    area: pd.DataFrame,
    sections: Mapping[str, str],
    area_labels: Mapping[str, str],
    analyst_markdown: str,
) -> dict[str, Any]:
    """R3: industry and place as context for the analyst's own text."""
    pooled = [p for p, kind in periods_in(industry) if kind == "period"]
    last = pooled[-1] if pooled else None
    tables = []
    if last is not None:
        tables.append(
            dimension_table(
                industry,
                "business_support_by_gender_and_industry",
                "industry",
                last,
                {**sections, "unknown": "Uppgift saknas"},
                f"Företagsstöd per bransch (SNI-avdelning), {last}",
                "Bransch",
            )
        )
        tables.append(
            dimension_table(
                area,
                "business_support_by_gender_and_area",
                "area",
                last,
                area_labels,
                f"Företagsstöd per område, {last}",
                "Område",
            )
        )
    return {"realia_tables": tables, "realia_text": analyst_text(analyst_markdown)}


def appendix_context(
    business: pd.DataFrame,
    projects: pd.DataFrame,
    support_types: Mapping[str, str],
    owner_types: Mapping[str, str],
    bundle: Mapping[str, str],
) -> dict[str, Any]:
    """Tabellbilaga: further tables and the list of published files."""
    pooled = [p for p, kind in periods_in(business) if kind == "period"]
    return {
        "appendix_tables": [
            *(ownership_table(business, p, support_types) for p in pooled),
            *(owner_type_table(projects, p, owner_types) for p in pooled),
        ],
        "bundle": bundle,
    }


def software_versions() -> dict[str, str]:
    """Versions of the interpreter and the packages that shape the numbers and the report."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    versions = {"Python": platform.python_version()}
    for package in (
        "rtp-eval",
        "snakemake",
        "pandas",
        "numpy",
        "pyarrow",
        "scipy",
        "statsmodels",
        "matplotlib",
        "jinja2",
        "babel",
        "markdown-it-py",
        "openpyxl",
        "weasyprint",
        "pikepdf",
    ):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "saknas"
    return versions


def goals_context(indicators: pd.DataFrame) -> dict[str, Any]:
    """The goal follow-up section (Måluppfyllelse) from the published `indicators` table."""
    from rtp_eval.indicators import goal_sections

    frame = indicators.copy()
    for column in ("year", "target_year", "national_goal"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
    for column in ("value", "baseline_value", "target_value", "gap_to_target", "trend_per_year"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Float64")
    frame["period"] = frame["period"].astype(str)
    sections = goal_sections(frame)
    sentences = [row["sentence"] for s in sections for row in s["rows"] if row["sentence"]]
    return {"goals": {"sections": sections, "not_met": sentences}}
