"""Snakemake step: import one year of the owner follow-up (see rtp_eval.owner_follow_up)."""

from pathlib import Path

from rtp_eval import io
from rtp_eval.owner_follow_up import import_owner_file
from rtp_eval.reference import load_reference
from rtp_eval.runner import log, run_step


def main(snakemake) -> None:
    params = snakemake.params
    raw = Path(snakemake.input.raw)
    year = int(snakemake.wildcards.year)
    reference = load_reference(
        Path(params.reference_dir),
        extra_labels=params.labels,
        region_county_codes=params.county_codes,
    )
    result = import_owner_file(raw, raw.as_posix(), year, reference.labels["sex"], params.columns)
    quality = result.quality
    log.info(
        "%s: read %d, accepted %d, quarantined %d",
        quality["file"],
        quality["rows_read"],
        quality["rows_accepted"],
        quality["rows_quarantined"],
    )
    io.write_parquet(result.clean, snakemake.output.clean)
    io.write_csv(result.quarantine, snakemake.output.quarantine)
    io.write_json(quality, snakemake.output.quality)


if "snakemake" in globals():
    run_step(main, snakemake)  # noqa: F821
