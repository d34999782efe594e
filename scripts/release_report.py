"""Snakemake step: put the rendered report (HTML and PDF) in the edition folder, once the
disclosure audit has passed (see rtp_eval.release)."""

from pathlib import Path

from rtp_eval import io
from rtp_eval.release import release
from rtp_eval.runner import log, run_step


def main(snakemake) -> None:
    rendered, published = snakemake.input, snakemake.output
    release(
        {
            Path(rendered.html): Path(published.html),
            Path(rendered.pdf): Path(published.pdf),
        },
        Path(rendered.audit),
        io.write_bytes,
    )
    log.info("released %s and %s", published.html, published.pdf)


if "snakemake" in globals():
    run_step(main, snakemake)  # noqa: F821
