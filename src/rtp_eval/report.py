"""Rendering the HTML report from the published tables (and only from them)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from rtp_eval import formatting
from rtp_eval.breakdown import CATEGORY_ORDER
from rtp_eval.intersectional import DIMENSIONS, finest_rows, stratum_label_sv
from rtp_eval.report_content import (
    Cell,
    ReportTable,
    approval_difference_table,
    dimension_table,
    equality_table,
    jobs_table,
    key_findings,
    number_cell,
    owner_type_table,
    ownership_table,
    period_comparison_tables,
    periods_in,
    project_table,
    representation_table,
    resources_table,
)
from rtp_eval.stats import DEFAULT_CONFIDENCE_LEVEL

SOURCE_LABELS_SV = {
    "business_support": "Företagsstöd",
    "project_support": "Projektstöd",
    "owner_follow_up": "Ägaruppföljning",
}


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


def gender_context(
    business: pd.DataFrame,
    projects: pd.DataFrame,
    equality: pd.DataFrame,
    differences: pd.DataFrame,
    support_types: Mapping[str, str],
    changes: pd.DataFrame | None = None,
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
        "r1_difference": approval_difference_table(differences),
        "r1_projects": project_table(projects),
        "r2_by_type": [resources_table(business, p, ordered_types) for p in pooled],
        "r2_jobs": jobs_table(business),
        "equality": [equality_table(equality, p) for p in pooled],
        "periods": pooled,
        **({} if changes is None else {"r2_periods": period_comparison_tables(changes)}),
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

    # Comments go, but their line breaks stay, so that errors name the line in the file.
    without_comments = re.sub(
        r"<!--.*?-->\s*",
        lambda match: "\n" * match.group().count("\n"),
        markdown,
        flags=re.DOTALL,
    )
    parser = MarkdownIt("commonmark", {"html": False})
    env: dict[str, Any] = {}
    tokens = parser.parse(without_comments, env)
    name = str(source) if source is not None else "analystexten"
    base = source.parent if source is not None else Path(".")
    for block in tokens:
        images = [child for child in block.children or [] if child.type == "image"]
        for image, line in zip(images, _image_lines(block, len(images)), strict=True):
            alt = parser.renderer.renderInlineAsText(image.children or [], parser.options, env)
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
    text = analyst_text(analyst_markdown, source=analyst_file, image_folder=image_folder)
    return {"realia_tables": tables, "realia_text": text}


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


def audit_sentence(audit: pd.DataFrame) -> str:
    """The report's one sentence on the disclosure audit, from its published summary."""
    totals = audit[audit["rule"].astype(str) == "all"]
    failures = int(pd.to_numeric(totals["failures"]).fillna(0).sum())
    if failures:
        raise ValueError("the disclosure audit failed: the report must not be built")
    hidden = int(pd.to_numeric(totals["suppressed_counts"]).fillna(0).sum())
    opening = (
        "Innan något publiceras granskas alla tabeller över ärenden som en utomstående skulle "
        "göra: med linjärprogrammering över allt de visar räknas för varje dold uppgift ut det "
        "snävaste intervall den kan ringas in till."
    )
    if not hidden:
        return f"{opening} Granskningen godkände denna utgåva; den har inga dolda uppgifter."
    narrowest = pd.to_numeric(totals["min_count_width"]).min()
    counts = (
        f"kan ringas in snävare än ett intervall på {formatting.number(float(narrowest), 0)} beslut"
        if np.isfinite(narrowest)
        else "kan ringas in alls"
    )
    return (
        f"{opening} Granskningen godkände denna utgåva: inget av de "
        f"{formatting.number(hidden)} dolda antalen {counts}, "
        "och inget dolt belopp närmare än dess skyddsmarginal."
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


# --- intersectional analysis -----------------------------------------------------------------

INTERSECTIONAL_KEYS = ("period", "group", "birth_background", "age_group", "area")
OUTCOMES_SV = {"approval": "Beviljande", "amount": "Beviljat belopp (log)"}
MODELS_SV = {
    "null": "Modell 1: endast strata",
    "main_effects": "Modell 2: strata och huvudeffekter",
    "null_adjusted": "Modell 1, justerad för kontrollvariablerna",
    "main_effects_adjusted": "Modell 2, justerad för kontrollvariablerna",
    "null_with_unknown": "Känslighet: modell 1 med okända uppgifter som egna strata",
}


def _share(value: object) -> str:
    return formatting.percent(value, 1)


def _index(value: object) -> str:
    return formatting.number(value, 2)


def intersectional_table(table: pd.DataFrame, keys: Sequence[str], period: str) -> ReportTable:
    """Every stratum of the model period (all dimensions given), unknown values included."""
    name = "intersectional_business_support"
    rows = []
    for record in finest_rows(table, keys, period).to_dict("records"):

        def cell(column: str, fmt: Any, record: dict[str, Any] = record) -> Cell:
            return number_cell(record, name, INTERSECTIONAL_KEYS, column, fmt)

        rows.append(
            [
                Cell(stratum_label_sv(record, keys)),
                cell("decisions", formatting.number),
                cell("granted", formatting.number),
                cell("approval_rate", _share),
                cell("approval_rate_ci_low", _share),
                cell("approval_rate_ci_high", _share),
                cell("share_of_amount", _share),
                cell("baseline_share", _share),
                cell("representation_index", _index),
                cell("decision_representation_index", _index),
            ]
        )
    return ReportTable(
        id="tabell-intersektionell",
        caption=f"Företagsstöd per stratum (vd:s kön, födelsebakgrund, ålder och område), {period}",
        columns=[
            "Stratum",
            "Beslut",
            "Beviljade",
            "Beviljandegrad",
            "95 % intervall, lägre",
            "95 % intervall, övre",
            "Andel av beviljat belopp",
            "Andel av företagsledarna",
            "Representationsindex",
            "Index för beslutssteget",
        ],
        rows=rows,
        notes=[
            "Representationsindex: stratumets andel av de beviljade ärendena (bland ärenden med "
            "kända uppgifter) delad med dess andel av företagsledarna i regionen. Index för "
            "beslutssteget: andelen av de beviljade delad med andelen av dem som fick beslut; "
            "under 1 betyder att stratumet beviljas mer sällan än genomsnittet."
        ],
    )


def _model_label(record: Mapping[str, Any]) -> str:
    outcome = OUTCOMES_SV.get(record["outcome"], record["outcome"])
    return f"{outcome}: {MODELS_SV.get(record['model'], record['model'])}"


def _p_value(value: object) -> str:
    number = float(value)  # type: ignore[arg-type]
    return "< 0,001" if number < 0.001 else formatting.number(number, 3)


def intersectional_model_table(summary: pd.DataFrame) -> ReportTable:
    name = "intersectional_model_summary"
    keys = ("period", "outcome", "model")
    rows = []
    notes = []
    for record in summary.to_dict("records"):
        fitted = record["status"] == "fitted"
        status = "skattad" if fitted else f"inte skattad: {record['reason_sv']}"
        if fitted and record.get("boundary") is True:
            status += "; variansen på gränsen 0 (singulär)"
        rows.append(
            [
                Cell(_model_label(record)),
                Cell(status),
                number_cell(record, name, keys, "cases", formatting.number),
                number_cell(record, name, keys, "strata", formatting.number),
                number_cell(record, name, keys, "vpc", _share),
                number_cell(record, name, keys, "lr_p_value", _p_value),
                number_cell(record, name, keys, "pcv", _share),
                number_cell(record, name, keys, "auc", _index),
                number_cell(record, name, keys, "flagged_strata", formatting.number),
            ]
        )
        note = record.get("pcv_note_sv")
        if fitted and isinstance(note, str) and note:
            notes.append(f"PCV, {_model_label(record)}: {note}.")
    return ReportTable(
        id="tabell-maihda",
        caption="Flernivåmodeller av beviljande och beviljat belopp (MAIHDA)",
        columns=[
            "Utfall och modell",
            "Status",
            "Ärenden",
            "Strata",
            "VPC",
            "p-värde, ingen varians mellan strata",
            "PCV",
            "AUC",
            "Avvikande strata",
        ],
        rows=rows,
        text_columns=frozenset({1}),
        notes=[
            "Tomma celler (..) betyder att måttet inte hör till modellen eller att modellen inte "
            "skattades.",
            "p-värdet prövar om variansen mellan strata är 0 med ett kvottest; eftersom 0 är "
            "gränsen för en varians jämförs testvärdet med en blandning till hälften av χ²₀ och "
            "χ²₁.",
            *notes,
            *_sampling_notes(summary),
        ],
    )


def intersectional_variance_table(summary: pd.DataFrame) -> ReportTable:
    """The between-strata variance and VPC of every fitted model, with their intervals."""
    name = "intersectional_model_summary"
    keys = ("period", "outcome", "model")
    fitted = summary[summary["status"] == "fitted"]
    rows = [
        [
            Cell(_model_label(record)),
            Cell(str(record.get("method") or "")),
            *(
                number_cell(record, name, keys, column, fmt)
                for column, fmt in (
                    ("stratum_variance", _variance),
                    ("stratum_variance_ci_low", _variance),
                    ("stratum_variance_ci_high", _variance),
                    ("vpc", _share),
                    ("vpc_ci_low", _share),
                    ("vpc_ci_high", _share),
                    ("lr_statistic", _index),
                )
            ),
        ]
        for record in fitted.to_dict("records")
    ]
    return ReportTable(
        id="tabell-maihda-varians",
        caption="Variansen mellan strata och VPC med 95 % profilintervall",
        columns=[
            "Utfall och modell",
            "Skattningsmetod",
            "Varians mellan strata",
            "Intervall, lägre",
            "Intervall, övre",
            "VPC",
            "VPC, lägre",
            "VPC, övre",
            "Kvottest (LR)",
        ],
        rows=rows,
        text_columns=frozenset({1}),
        notes=[
            "Intervallen är profillikelihoodintervall för beviljandemodellerna; för "
            "beloppsmodellerna beräknas inget intervall (..). En varians på gränsen 0 betyder "
            "att data inte visar några skillnader mellan strata utöver slumpen; intervallets "
            "övre gräns visar hur stora skillnader data inte kan utesluta."
        ],
    )


def _variance(value: object) -> str:
    return formatting.number(value, 3)


def _sampling_notes(summary: pd.DataFrame) -> list[str]:
    """A note when the models were fitted on a sample of the largest strata's decisions."""
    if "cases_before_sampling" not in summary.columns:
        return []
    notes = []
    for outcome in ("approval", "amount"):
        rows = summary[summary["outcome"] == outcome]
        counts = rows[["cases", "cases_before_sampling"]].apply(pd.to_numeric).dropna()
        if counts.empty:  # no model, or counts left out by disclosure control
            continue
        cases = int(counts["cases"].max())
        before = int(counts["cases_before_sampling"].max())
        if before > cases:
            label = OUTCOMES_SV.get(outcome, outcome)
            notes.append(
                f"{label}: modellerna skattades på {formatting.number(cases)} "
                f"av {formatting.number(before)} ärenden. Strata med fler ärenden än gränsen "
                "representeras av ett slumpmässigt urval (fast startvärde); mindre strata ingår "
                "med alla sina ärenden."
            )
    return notes


def intersectional_flagged_table(strata: pd.DataFrame, keys: Sequence[str]) -> ReportTable:
    name = "intersectional_model_strata"
    flagged = strata[strata["flagged"].astype("boolean").fillna(False).to_numpy(dtype=bool)]
    rows = []
    for record in flagged.to_dict("records"):
        rows.append(
            [
                Cell(stratum_label_sv(record, keys)),
                number_cell(record, name, INTERSECTIONAL_KEYS, "predicted_approval", _share),
                number_cell(record, name, INTERSECTIONAL_KEYS, "predicted_approval_ci_low", _share),
                number_cell(
                    record, name, INTERSECTIONAL_KEYS, "predicted_approval_ci_high", _share
                ),
                number_cell(record, name, INTERSECTIONAL_KEYS, "main_effects_approval", _share),
                number_cell(record, name, INTERSECTIONAL_KEYS, "interaction_q_value", _q_value),
            ]
        )
    return ReportTable(
        id="tabell-avvikande-strata",
        caption="Strata vars beviljande avviker från vad huvudeffekterna förutsäger (utforskande)",
        columns=[
            "Stratum",
            "Modellskattad beviljandegrad",
            "95 % intervall, lägre",
            "95 % intervall, övre",
            "Enligt huvudeffekterna",
            "q-värde (Benjamini–Hochberg)",
        ],
        rows=rows,
    )


def _q_value(value: object) -> str:
    number = float(value)  # type: ignore[arg-type]
    return "< 0,001" if number < 0.001 else formatting.number(number, 3)


def _vpc_interval(record: Mapping[str, Any]) -> str:
    low, high = record.get("vpc_ci_low"), record.get("vpc_ci_high")
    if formatting.is_missing(low) or formatting.is_missing(high):
        return ""
    return f", 95 % intervall {_share(low)}–{_share(high)}"


def _vpc_text(record: Mapping[str, Any]) -> str:
    return f"VPC {_share(record['vpc'])}{_vpc_interval(record)}"


def _variance_sentence(record: Mapping[str, Any], what: str, alpha: float) -> str:
    """Whether the strata differ in `what`, as the test of σ²_u = 0 says."""
    p_value = record.get("lr_p_value")
    tested = not formatting.is_missing(p_value)
    if tested and float(p_value) >= alpha:
        boundary = (
            " Variansen mellan strata skattas till 0 (på gränsen)."
            if record.get("boundary") is True
            else ""
        )
        return (
            f"Ingen säker skillnad mellan strata i {what}: kvottestet av att variansen mellan "
            f"strata är 0 ger p = {_p_value(p_value)} (modell 1: {_vpc_text(record)})."
            f"{boundary} Den övre gränsen visar hur stora skillnader data inte kan utesluta."
        )
    test = f"; p = {_p_value(p_value)}" if tested else ""
    return (
        f"Skillnader mellan strata står för {_share(record['vpc'])} av variationen i {what} "
        f"(VPC i modell 1{_vpc_interval(record)}{test}); resten är skillnader mellan ärenden "
        "inom samma stratum."
    )


def intersectional_sentences(
    summary: pd.DataFrame, flagged: int, alpha: float = 1 - DEFAULT_CONFIDENCE_LEVEL
) -> list[str]:
    """The model results in plain Swedish, saying no more than the tests support."""

    def pick_row(outcome: str, model: str) -> dict[str, Any] | None:
        rows = summary[(summary["outcome"] == outcome) & (summary["model"] == model)]
        return None if rows.empty else rows.iloc[0].to_dict()

    sentences = []
    null, main = pick_row("approval", "null"), pick_row("approval", "main_effects")
    if null is None or null["status"] != "fitted" or main is None:
        reason = null["reason_sv"] if null is not None else "inga ärenden"
        sentences.append(f"Modellen för beviljande skattades inte: {reason}.")
    else:
        sentences.append(_variance_sentence(null, "om en ansökan beviljas", alpha))
        if not pd.isna(main["pcv"]):
            singular = (
                " (modell 2 har variansen 0 kvar: en singulär skattning)"
                if main.get("boundary") is True
                else ""
            )
            sentences.append(
                f"Kön, födelsebakgrund, ålder och område var för sig (huvudeffekterna) förklarar "
                f"{_share(main['pcv'])} av skillnaderna mellan strata (PCV){singular}. Det som "
                f"återstår, VPC {_share(main['vpc'])}, är det som bara syns i kombinationerna "
                "(interaktioner)."
            )
        else:
            note = str(main.get("pcv_note_sv") or "kan inte skattas").removeprefix(
                "kan inte skattas: "
            )
            sentences.append(
                "Hur stor del av skillnaderna mellan strata som huvudeffekterna förklarar (PCV) "
                f"kan inte skattas: {note}."
            )
        if not pd.isna(null["auc"]):
            sentences.append(
                f"Strata skiljer {_auc_words(float(null['auc']))} mellan beviljade och avslagna "
                f"ansökningar (AUC {_index(null['auc'])}; 0,5 = inte alls, 1 = helt)."
            )
        sentences.append(
            f"{flagged} stratum avviker tydligt från vad huvudeffekterna förutsäger."
            if flagged == 1
            else f"{flagged} strata avviker tydligt från vad huvudeffekterna förutsäger."
            if flagged
            else "Inget stratum som kan redovisas avviker tydligt från vad huvudeffekterna "
            "förutsäger."
        )
        sensitivity = pick_row("approval", "null_with_unknown")
        if sensitivity is not None and sensitivity["status"] == "fitted":
            sentences.append(
                "Känslighetsanalys: när ärenden med okända uppgifter tas med som egna strata "
                f"blir {_vpc_text(sensitivity)} (p = {_p_value(sensitivity['lr_p_value'])})."
            )
    amount_null = pick_row("amount", "null")
    if amount_null is not None and amount_null["status"] == "fitted":
        sentences.append(_variance_sentence(amount_null, "beviljat belopp (logaritmerat)", alpha))
    elif amount_null is not None:
        sentences.append(
            f"Modellen för beviljat belopp skattades inte: {amount_null['reason_sv']}."
        )
    return sentences


def _auc_words(value: float) -> str:
    if value < 0.6:
        return "knappt alls"
    if value < 0.7:
        return "svagt"
    if value < 0.8:
        return "måttligt"
    return "väl"


DIMENSIONS_SV = {
    "leadership_group": "vd:s kön",
    "birth_background": "vd:s födelsebakgrund",
    "age_group": "vd:s åldersgrupp",
    "area": "område",
}
COVARIATES_SV = {"support_type": "stödform", "industry": "bransch (SNI-avdelning)"}


def intersectional_context(
    table: pd.DataFrame,
    summary: pd.DataFrame,
    strata: pd.DataFrame,
    settings: Mapping[str, Any],
) -> dict[str, Any]:
    """Tables, sentences and method facts of the section "Intersektionell analys"."""
    dimensions = list(settings.get("dimensions") or DIMENSIONS)
    keys = [DIMENSIONS[d][1] for d in dimensions]
    model = dict(settings.get("model") or {})
    period = str(model.get("period", "2012-2018"))
    shown = strata[strata["flagged"].astype("boolean").fillna(False).to_numpy(dtype=bool)]
    return {
        "inter": {
            "period": period,
            "periods": list((settings.get("periods") or {period: None}).keys()),
            "dimensions": [DIMENSIONS_SV[d] for d in dimensions],
            "covariates": [COVARIATES_SV.get(c, c) for c in model.get("covariates", [])],
            "model": model,
            "table": intersectional_table(table, keys, period),
            "models": intersectional_model_table(summary),
            "variances": intersectional_variance_table(summary),
            "flagged": intersectional_flagged_table(strata, keys),
            "sentences": intersectional_sentences(summary, len(shown)),
        }
    }
