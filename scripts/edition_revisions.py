"""Snakemake step: an edition's revisions against the previous edition (page and CSV file)."""

from pathlib import Path

from rtp_eval import io
from rtp_eval.editions import (
    compare_bundles,
    read_bundle_csv,
    render_revisions_page,
    revisions_csv,
    revisions_frame,
)
from rtp_eval.runner import log, run_step


def read_bundle(paths) -> dict:
    return {Path(p).stem: read_bundle_csv(Path(p).read_text(encoding="utf-8")) for p in paths}


def main(snakemake) -> None:
    edition = snakemake.wildcards.edition
    previous = snakemake.params.previous
    revisions = (
        compare_bundles(
            read_bundle(snakemake.input.previous_tables), read_bundle(snakemake.input.tables)
        )
        if previous is not None
        else []
    )
    io.write_text(
        snakemake.output.csv, revisions_csv(revisions_frame(revisions, edition, previous))
    )
    io.write_text(
        snakemake.output.html,
        render_revisions_page(
            edition=edition,
            previous=previous,
            revisions=revisions,
            title=snakemake.params.report["title"],
            region=snakemake.params.region,
            demo=snakemake.params.demo,
        ),
    )
    log.info("Edition %s: %d revised cells against %s", edition, len(revisions), previous)


if "snakemake" in globals():
    run_step(main, snakemake)  # noqa: F821
