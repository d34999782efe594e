"""Snakemake step: import every year of the owner follow-up (see rtp_eval.owner_follow_up),
each file to its own outputs."""

from pathlib import Path

from rtp_eval import io
from rtp_eval.config import read_limits
from rtp_eval.owner_follow_up import import_owner_file
from rtp_eval.reading import ReadOptions
from rtp_eval.reference import load_reference
from rtp_eval.runner import log, run_step


def main(snakemake) -> None:
    params = snakemake.params
    out = snakemake.output
    reference = load_reference(
        Path(params.reference_dir),
        # Only the sex labels are used here; the other lists are checked by the case imports.
        extra_labels={"sex": params.labels.get("sex", {})},
        region_county_codes=params.county_codes,
    )
    limits = read_limits({"limits": params.limits})
    files = zip(
        params.years,
        params.read_options,
        snakemake.input.raw,
        out.clean,
        out.quarantine,
        out.quality,
        strict=True,
    )
    for year, read_options, raw, clean, quarantine, quality in files:
        path = Path(raw)
        result = import_owner_file(
            path,
            path.as_posix(),
            int(year),
            reference.labels["sex"],
            params.columns,
            ReadOptions(**read_options),
            limits,
        )
        counts = {k: v for k, v in result.quality.items() if k.startswith("rows_")}
        log.info("%s: %s", result.quality["file"], counts)
        io.write_import_result(
            result.clean, result.quarantine, result.quality, clean, quarantine, quality
        )


if "snakemake" in globals():
    run_step(main, snakemake)  # noqa: F821
