"""Snakemake step: the archive page listing every edition (reports/index.html)."""

from collections import defaultdict
from pathlib import Path

from rtp_eval import io
from rtp_eval.editions import (
    BUNDLE_FOLDER,
    REVISIONS_CSV,
    YEAR_TABLES,
    archive_entries,
    bundle_years,
    read_bundle_csv,
    render_archive,
)
from rtp_eval.runner import run_step


def main(snakemake) -> None:
    reports = Path(snakemake.output.html).parent
    files: dict[str, list[str]] = defaultdict(list)
    for path in map(Path, snakemake.input.files):
        relative = path.relative_to(reports)
        files[relative.parts[0]].append(relative.relative_to(relative.parts[0]).as_posix())
    years, revisions = {}, {}
    for edition, names in files.items():
        folder = reports / edition
        tables = {
            Path(name).stem: read_bundle_csv((folder / name).read_text(encoding="utf-8"))
            for name in names
            if name in {f"{BUNDLE_FOLDER}/{table}.csv" for table in YEAR_TABLES}
        }
        years[edition] = bundle_years(tables)
        if REVISIONS_CSV in names:
            text = (folder / REVISIONS_CSV).read_text(encoding="utf-8")
            revisions[edition] = len(read_bundle_csv(text))
    entries = archive_entries(snakemake.params.editions, files, years, revisions)
    io.write_text(
        snakemake.output.html,
        render_archive(
            entries=entries,
            title=snakemake.params.report["title"],
            region=snakemake.params.region,
            demo=snakemake.params.demo,
        ),
    )


if "snakemake" in globals():
    run_step(main, snakemake)  # noqa: F821
