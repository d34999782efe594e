"""Snakemake step: the website folder, a copy of the archive and every edition's files."""

from pathlib import Path

from rtp_eval import io
from rtp_eval.editions import remove_other_files, site_files
from rtp_eval.errors import PublishError
from rtp_eval.runner import log, run_step


def main(snakemake) -> None:
    # The archive lies at the top of the reports folder, and its copy at the top of the site's.
    reports = Path(snakemake.input.archive).parent
    site = Path(snakemake.output.archive).parent
    sources = [Path(snakemake.input.archive), *map(Path, snakemake.input.files)]
    copies = site_files(sources, reports, site)
    declared = {Path(snakemake.output.archive), *map(Path, snakemake.output.files)}
    if set(copies.values()) != declared:
        raise PublishError("The website's files are not the ones the rule declares.")
    for source, target in copies.items():
        io.write_bytes(target, source.read_bytes())
    removed = remove_other_files(site, set(copies.values()))
    log.info("Website folder %s: %d files (%d left over removed)", site, len(copies), len(removed))


if "snakemake" in globals():
    run_step(main, snakemake)  # noqa: F821
