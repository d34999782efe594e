"""Snakemake step: render the HTML report from the published tables."""

import datetime as dt
import json
from pathlib import Path

import pandas as pd

from rtp_eval import __version__, io
from rtp_eval.catalog import table as catalog_table
from rtp_eval.formatting import long_date
from rtp_eval.outputs import STRATA_TABLE
from rtp_eval.pdf import add_figure_alt_texts, figure_labels, render_pdf
from rtp_eval.report import (
    ANALYST_IMAGE_FOLDER,
    appendix_context,
    audit_sentence,
    data_epoch,
    explorer_context,
    quality_context,
    realia_context,
    render_report,
    report_figure,
    software_versions,
)
from rtp_eval.runner import run_step
from rtp_eval.sections.gender import gender_context, gender_figure_explorers
from rtp_eval.sections.goals import goals_context
from rtp_eval.sections.intersectional import (
    intersectional_context,
    intersectional_figure_explorers,
)


def read_table(path: str) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, na_values=[""], dtype={"period": str})


def main(snakemake) -> None:
    params = snakemake.params
    support_types = pd.read_csv(snakemake.input.support_types, dtype=str)
    owner_types = pd.read_csv(snakemake.input.owner_types, dtype=str)
    sections = pd.read_csv(snakemake.input.sni_sections, dtype=str)
    business = read_table(snakemake.input.business)
    projects = read_table(snakemake.input.projects)
    equality = read_table(snakemake.input.equality)
    differences = read_table(snakemake.input.differences)
    changes = read_table(snakemake.input.changes)
    industry = read_table(snakemake.input.industry)
    area = read_table(snakemake.input.area)
    strata_table = read_table(snakemake.input.intersectional)
    owner_labels = dict(zip(owner_types["code"], owner_types["label_sv"], strict=True))
    type_labels = dict(zip(support_types["code"], support_types["label_sv"], strict=True))
    epoch = data_epoch(business)
    years = pd.to_numeric(business["year"], errors="coerce").dropna().astype(int)
    confidence_level = params.statistics["confidence_level"]
    parity_band = params.classifications["ownership_balance_pct"]
    figures = []
    for svg_path in [*snakemake.input.figures_svg, *snakemake.input.intersectional_figures]:
        stem = Path(svg_path).with_suffix("")
        meta = json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))
        data = pd.read_csv(stem.with_suffix(".csv"), dtype=str, keep_default_na=False)
        figures.append(
            report_figure(stem.name, Path(svg_path).read_text(encoding="utf-8"), meta, data)
        )
    context = {
        **params.report,
        "demo": params.demo,
        "region": params.region,
        "classifications": params.classifications,
        "confidence_level": confidence_level,
        "min_units": params.disclosure["min_units"],
        "dominance_n": params.disclosure["dominance_n"],
        "dominance_k_pct": params.disclosure["dominance_k_pct"],
        "median_min_units": params.disclosure["median_min_units"],
        "all_rejected_min_units": params.disclosure["all_rejected_min_units"],
        "audit_sentence": audit_sentence(
            params.disclosure["min_units"],
            params.disclosure["amount_margin_pct"],
            catalog_table("disclosure_audit").title_sv,
        ),
        "version": __version__,
        "code_version": params.code,
        "config_hash": params.config_hash,
        "code_commit": params.commit,
        "software": software_versions(),
        "first_year": int(years.min()),
        "last_year": int(years.max()),
        "data_date": long_date(dt.datetime.fromtimestamp(epoch, dt.UTC).date()),
        **quality_context(read_table(snakemake.input.quality), read_table(snakemake.input.reasons)),
        **gender_context(
            business,
            projects,
            equality,
            differences,
            type_labels,
            changes,
            confidence_level,
            owner_labels,
        ),
        **realia_context(
            industry,
            area,
            dict(zip(sections["section"], sections["label_sv"], strict=True)),
            params.area_labels,
            Path(snakemake.input.realia).read_text(encoding="utf-8"),
            Path(snakemake.input.realia),
            ANALYST_IMAGE_FOLDER,
        ),
        **appendix_context(
            business,
            projects,
            type_labels,
            owner_labels,
            {name: catalog_table(name).title_sv for name in params.published_tables},
            parity_band,
        ),
        **goals_context(read_table(snakemake.input.indicators), confidence_level),
        **intersectional_context(
            strata_table,
            read_table(snakemake.input.intersectional_summary),
            read_table(snakemake.input.intersectional_strata),
            params.intersectional,
            confidence_level,
        ),
    }
    inter = context["inter"]
    context["explorer"] = explorer_context(
        context,
        [
            *gender_figure_explorers(business, type_labels, confidence_level, parity_band),
            # Read as the figures' own step reads them, so the page's first drawing is the
            # figure of the PDF.
            *intersectional_figure_explorers(
                io.read_table(snakemake.input.intersectional, STRATA_TABLE),
                io.read_table(snakemake.input.intersectional_strata, "intersectional_model_strata"),
                inter["keys"],
                inter["period"],
                confidence_level,
            ),
        ],
        {
            "business_support_by_gender": business,
            "project_support_by_gender": projects,
            "project_support_equality": equality,
            "approval_rate_difference": differences,
            "business_support_by_gender_period_change": changes,
            "business_support_by_gender_and_industry": industry,
            "business_support_by_gender_and_area": area,
            "intersectional_business_support": strata_table,
        },
    )
    html = render_report(context, figures)
    io.write_text(snakemake.output.html, html)
    # The project folder is the working directory: the PDF may read files there, nothing else.
    pdf = render_pdf(
        html,
        source_date_epoch=epoch,
        public_url=params.report.get("public_url"),
        project=Path.cwd(),
    )
    io.write_bytes(snakemake.output.pdf, add_figure_alt_texts(pdf, figure_labels(html)))


if "snakemake" in globals():
    run_step(main, snakemake)  # noqa: F821
