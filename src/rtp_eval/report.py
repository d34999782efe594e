"""Rendering the HTML report from the published tables (and only from them)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from rtp_eval import formatting, vocabulary
from rtp_eval.explore import (
    FigureExplorer,
    explorer_data,
    period_filter,
    report_tables,
    script_json,
    table_rows_filter,
    with_filters,
)
from rtp_eval.report_content import (
    Cell,
    ReportTable,
    dimension_table,
    owner_type_table,
    ownership_table,
    periods_in,
    significance_level,
)


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
    env.filters["source_sv"] = lambda s: vocabulary.SOURCES.get(s, s)
    env.filters["confidence"] = vocabulary.confidence_text
    env.filters["significance"] = significance_level
    env.globals["suppression_note"] = vocabulary.SUPPRESSION_NOTE
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


_NUMBER_TEXT = re.compile(r"^(\.\.|[-−]?[\d\s\u00a0.,]+\s*(%|kr)?)?$")


def figure_table(name: str, title: str, data: pd.DataFrame) -> ReportTable:
    columns = [str(c) for c in data.columns]
    text = data.astype(str)
    rows = [[Cell(v) for v in record] for record in text.itertuples(index=False)]
    # Words (groups, categories) are left-aligned like text; figures right-aligned.
    words = frozenset(
        index
        for index, column in enumerate(text.columns)
        if not text[column].str.fullmatch(_NUMBER_TEXT).all()
    )
    return ReportTable(
        id=f"data-{name}",
        caption=f"Data till diagrammet: {title}",
        columns=columns,
        rows=rows,
        text_columns=words,
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


def render_report(context: Mapping[str, Any], figures: Sequence[ReportFigure] = ()) -> str:
    by_name = {f.name: f for f in figures}
    return environment().get_template("report.html.j2").render(**context, figures=by_name)


def data_epoch(business: pd.DataFrame) -> int:
    """The end of the latest decision year (UTC), as the report's fixed document date."""
    years = pd.to_numeric(business["year"], errors="coerce").dropna()
    last = int(years.max()) if not years.empty else 2000
    return int(dt.datetime(last, 12, 31, tzinfo=dt.UTC).timestamp())


# Images in the analyst's texts come only from here, and are embedded in the report, so neither
# the web page nor the PDF build ever fetches anything from the network.
ANALYST_IMAGE_FOLDER = Path("config") / "texts"
ANALYST_IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
}


def analyst_text(
    markdown: str,
    *,
    source: Path | None = None,
    image_folder: Path | None = None,
) -> str:
    """The analyst's Markdown as HTML: raw HTML escaped, the top heading level made h3.

    The text sits in a section headed by an h2, so whatever levels the analyst used, the
    highest becomes h3 and the others keep their distance to it (no skipped levels).

    Images (`![alternativtext](bild.png)`, relative to `source`'s folder) must lie in
    `image_folder` and have a text alternative; they are embedded as data: URLs, so the report
    stays one self-contained file. Anything else is a `ReportTextError` naming file and line.
    """
    from markdown_it import MarkdownIt
    from markdown_it.renderer import RendererHTML

    # Comments go, but their line breaks stay, so that errors name the line in the file.
    without_comments = re.sub(
        r"<!--.*?-->\s*",
        lambda match: "\n" * match.group().count("\n"),
        markdown,
        flags=re.DOTALL,
    )
    parser = MarkdownIt("commonmark", {"html": False})
    renderer = parser.renderer
    assert isinstance(renderer, RendererHTML)  # the text of an image's alt needs its methods
    env: dict[str, Any] = {}
    tokens = parser.parse(without_comments, env)
    name = str(source) if source is not None else "analystexten"
    base = source.parent if source is not None else Path(".")
    for block in tokens:
        images = [child for child in block.children or [] if child.type == "image"]
        for image, line in zip(images, _image_lines(block, len(images)), strict=True):
            alt = renderer.renderInlineAsText(image.children or [], parser.options, env)
            src = image.attrGet("src")
            image.attrSet(
                "src", _embedded_image(str(src or ""), alt, base, image_folder, name, line)
            )
    rendered = parser.renderer.render(tokens, parser.options, env)
    levels = [int(level) for level in re.findall(r"<h([1-6])>", rendered)]
    shift = 3 - min(levels) if levels else 0
    return re.sub(
        r"<(/?)h([1-6])>",
        lambda m: f"<{m.group(1)}h{min(6, int(m.group(2)) + shift)}>",
        rendered,
    )


def _image_lines(block: Any, count: int) -> list[int]:
    """The line (from 1) of each of a block's `count` images: where its `![` stands if the
    block's text has exactly that many, else the block's first line."""
    first = block.map[0] + 1 if block.map else 1
    starts = [match.start() for match in re.finditer(r"!\[", block.content)]
    if len(starts) != count:
        return [first] * count
    return [first + block.content[:start].count("\n") for start in starts]


def _embedded_image(
    src: str, alt: str, base: Path, folder: Path | None, name: str, line: int
) -> str:
    """The image file `src` as a data: URL, if it may go into the report."""
    import base64
    import urllib.parse

    from rtp_eval.errors import ReportTextError

    allowed = ANALYST_IMAGE_FOLDER.as_posix() + "/"
    if not alt.strip():
        raise ReportTextError(
            name,
            line,
            f"bilden {src} saknar alternativtext. Skriv vad bilden visar mellan hakparenteserna, "
            "till exempel ![Karta över länets kommuner](karta.png); rapporten och PDF:en "
            "måste kunna läsas även av den som inte ser bilden.",
        )
    parts = urllib.parse.urlsplit(src)
    path = (base / urllib.parse.unquote(parts.path)).resolve()
    if (
        folder is None
        or parts.scheme
        or parts.netloc
        or src.startswith("/")
        or not path.is_relative_to(folder.resolve())
    ):
        raise ReportTextError(
            name,
            line,
            f"bilden {src} får inte användas: bilder i analystexten får bara komma från "
            f"projektets mapp {allowed} (ingen webbadress), så att bygget aldrig hämtar något "
            f"från nätet. Lägg bildfilen i {allowed} och skriv bara filnamnet.",
        )
    media_type = ANALYST_IMAGE_TYPES.get(path.suffix.lower())
    if media_type is None:
        raise ReportTextError(
            name,
            line,
            f"bilden {src} har ett filformat som rapporten inte tar emot; använd "
            + ", ".join(sorted(ANALYST_IMAGE_TYPES))
            + ".",
        )
    if not path.is_file():
        raise ReportTextError(name, line, f"bildfilen {src} finns inte i {allowed}.")
    encoded = base64.b64encode(path.read_bytes()).decode("ascii")
    return f"data:{media_type};base64,{encoded}"


def realia_context(
    industry: pd.DataFrame,
    area: pd.DataFrame,
    sections: Mapping[str, str],
    area_labels: Mapping[str, str],
    analyst_markdown: str,
    analyst_file: Path | None = None,
    image_folder: Path | None = None,
) -> dict[str, Any]:
    """R3: industry and place as context for the analyst's own text (see `analyst_text`)."""
    pooled = [p for p, kind in periods_in(industry) if kind == "period"]
    last = pooled[-1] if pooled else None
    tables = []
    if last is not None:
        for frame, dimension, labels, caption, heading in (
            (
                industry,
                "industry",
                {**sections, "unknown": vocabulary.NOT_STATED},
                f"Företagsstöd per bransch (SNI-avdelning), {last}",
                "Bransch",
            ),
            (area, "area", area_labels, f"Företagsstöd per område, {last}", "Område"),
        ):
            table = dimension_table(
                frame,
                f"business_support_by_gender_and_{dimension}",
                dimension,
                last,
                labels,
                caption,
                heading,
            )
            tables.append(
                with_filters(
                    table,
                    period_filter(pooled, last),
                    table_rows_filter(table, dimension, heading),
                )
            )
    text = analyst_text(analyst_markdown, source=analyst_file, image_folder=image_folder)
    return {"realia_tables": tables, "realia_text": text}


def appendix_context(
    business: pd.DataFrame,
    projects: pd.DataFrame,
    support_types: Mapping[str, str],
    owner_types: Mapping[str, str],
    bundle: Mapping[str, str],
    parity_band: Sequence[float] = vocabulary.DEFAULT_PARITY_BAND,
) -> dict[str, Any]:
    """Tabellbilaga: further tables and the list of published files."""
    pooled = [p for p, kind in periods_in(business) if kind == "period"]
    business_periods = [p for p, _ in periods_in(business)]
    project_periods = [p for p, _ in periods_in(projects)]
    return {
        "appendix_tables": [
            *(
                with_filters(
                    ownership_table(business, p, support_types, parity_band),
                    period_filter(business_periods, p),
                )
                for p in pooled
            ),
            *(
                with_filters(
                    owner_type_table(projects, p, owner_types),
                    period_filter(project_periods, p),
                )
                for p in pooled
            ),
        ],
        "bundle": bundle,
    }


def audit_sentence(min_units: int, amount_margin_pct: float, audit_title: str) -> str:
    """The report's sentence on the disclosure audit.

    The report is rendered while the audit runs and is released to the edition folder only
    once the audit has passed (`rtp_eval.release`), so the sentence states the audit's
    requirements, which every released report has met, rather than its results."""
    margin = formatting.number(amount_margin_pct, 0 if float(amount_margin_pct).is_integer() else 1)
    return (
        "Innan något publiceras granskas alla tabeller över ärenden som en utomstående skulle "
        "göra: med linjärprogrammering över allt de visar räknas för varje dold uppgift ut det "
        "snävaste intervall den kan ringas in till. Rapporten publiceras bara om inget dolt antal "
        f"kan ringas in snävare än ett intervall på {formatting.number(min_units)} beslut och "
        f"inget dolt belopp närmare än ±{margin}\u00a0%; "
        f"granskningen godkände denna utgåva (tabellen ”{audit_title}”)."
    )


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
        "highspy",
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


def explorer_script() -> str:
    """The explorer's script (`templates/explore.js`), to stand inline in the page (one
    self-contained file)."""
    from importlib.resources import files

    script = (files("rtp_eval") / "templates" / "explore.js").read_text(encoding="utf-8")
    if "</" in script:
        raise ValueError("explore.js must not contain '</': it would end the script element")
    return script


def explorer_context(
    context: Mapping[str, Any],
    figures: Sequence[FigureExplorer],
    frames: Mapping[str, pd.DataFrame],
) -> dict[str, str]:
    """What the page template needs for the explorer: the embedded data and the script."""
    data = explorer_data(report_tables(context), figures, frames)
    return {"data": script_json(data), "script": explorer_script()}
