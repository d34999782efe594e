"""Snakemake step: import one year of the owner follow-up (see rtp_eval.owner_follow_up)."""

from pathlib import Path

from rtp_eval import io
from rtp_eval.config import read_limits
from rtp_eval.owner_follow_up import import_owner_file
from rtp_eval.reading import ReadOptions
from rtp_eval.reference import load_reference
from rtp_eval.runner import log, run_step


def main(snakemake) -> None:
    params = snakemake.params
    raw = Path(snakemake.input.raw)
    year = int(snakemake.wildcards.year)
    reference = load_reference(
        Path(params.reference_dir),
        # Only the sex labels are used here; the other lists are checked by the case imports.
        extra_labels={"sex": params.labels.get("sex", {})},
        region_county_codes=params.county_codes,
    )
    result = import_owner_file(
        raw,
        raw.as_posix(),
        year,
        reference.labels["sex"],
        params.columns,
        ReadOptions(**params.read["read_options"]),
        read_limits(params.read),
    )
    counts = {k: v for k, v in result.quality.items() if k.startswith("rows_")}
    log.info("%s: %s", result.quality["file"], counts)
    out = snakemake.output
    io.write_import_result(
        result.clean, result.quarantine, result.quality, out.clean, out.quarantine, out.quality
    )


if "snakemake" in globals():
    run_step(main, snakemake)  # noqa: F821
