"""Snakemake step: import one raw file (see rtp_eval.importing) and aggregate its gender
breakdown cells (see rtp_eval.breakdown; rule gender_breakdown combines the years)."""

import datetime as dt
import os
from pathlib import Path

from rtp_eval import io
from rtp_eval.breakdown import BreakdownConfig, partial_cells
from rtp_eval.config import classification_settings, read_limits, validation_settings
from rtp_eval.importing import import_file
from rtp_eval.pseudonymise import resolve_key
from rtp_eval.reading import ReadOptions
from rtp_eval.reference import load_reference
from rtp_eval.runner import log, run_step


def main(snakemake) -> None:
    settings = snakemake.params.settings
    raw = Path(snakemake.input.raw)
    display_name = raw.as_posix()
    pseudonymisation = settings["pseudonymisation"]
    key = resolve_key(
        demo=settings["demo"],
        use_demo_key=pseudonymisation.get("use_demo_key", False),
        key_env=pseudonymisation.get("key_env", "RTP_EVAL_PSEUDONYM_KEY"),
        key_file=pseudonymisation.get("key_file", "~/.config/rtp-eval/pseudonym.key"),
        environ=dict(os.environ),
    )
    reference = load_reference(
        Path(snakemake.params.reference_dir),
        extra_labels=settings["labels"],
        region_county_codes=settings["region"]["county_codes"],
        programme_areas=settings["region"].get("programme_areas", {}),
        unlisted_labels=settings["validation"].get("unlisted_labels", {}),
    )
    result = import_file(
        raw,
        display_name,
        settings["source"],
        settings["columns"],
        reference,
        validation_settings(settings, settings["year"], dt.date.today()),
        classification_settings(settings),
        key,
        ReadOptions(**settings["read_options"]),
        read_limits(settings),
    )
    counts = {k: v for k, v in result.quality.items() if k.startswith("rows_")}
    log.info("%s: %s", result.quality["file"], counts)
    out = snakemake.output
    io.write_import_result(
        result.clean, result.quarantine, result.quality, out.clean, out.quarantine, out.quality
    )
    write_partial_cells(snakemake, settings["source"])


def write_partial_cells(snakemake, source: str) -> None:
    # Read back the written table so the cells come from exactly what later stages read.
    clean = io.read_clean([snakemake.output.clean], source)
    # Only the number of largest organisations kept per cell matters here; the periods are
    # computed when the years are combined.
    config = BreakdownConfig(dominance_n=int(snakemake.params.dominance_n))
    partial = partial_cells(clean, source, config)
    io.write_parquet(partial.cells, snakemake.output.cells)
    io.write_parquet(partial.cases, snakemake.output.cases)
    log.info("%s: %d cells, %d decided cases", source, len(partial.cells), len(partial.cases))


if "snakemake" in globals():
    run_step(main, snakemake)  # noqa: F821
