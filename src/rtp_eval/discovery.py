"""Finding the raw files: one per source and decision year, `<source>/<YEAR>.csv|xlsx`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rtp_eval.errors import InputFileError
from rtp_eval.schema import SOURCES
from rtp_eval.settings import Limits

RAW_FILE = re.compile(r"^(?P<year>\d{4})\.(?P<ext>csv|xlsx)$")
# config `limits: file_years`: a name like 1899.csv or 2961.csv is a typo, not a decision year.
_FIRST_YEAR, _LAST_YEAR = Limits().file_years
DEFAULT_YEARS: tuple[int, int] = (_FIRST_YEAR, _LAST_YEAR)


@dataclass
class RawFiles:
    files: dict[str, dict[int, Path]]  # source -> year -> path
    ignored: list[Path] = field(default_factory=list)

    def years(self, source: str) -> list[int]:
        return sorted(self.files.get(source, {}))

    def path(self, source: str, year: int) -> Path:
        return self.files[source][year]


def discover_raw_files(raw_dir: Path, years: tuple[int, int] = DEFAULT_YEARS) -> RawFiles:
    """Every `<source>/<YEAR>.csv|xlsx` below `raw_dir`; two files for one year is an error."""
    files: dict[str, dict[int, Path]] = {}
    ignored: list[Path] = []
    for source in SOURCES:
        files[source], skipped = discover_source(raw_dir, source, years)
        ignored += skipped
    return RawFiles(files, ignored)


def discover_source(
    raw_dir: Path, source: str, years: tuple[int, int] = DEFAULT_YEARS
) -> tuple[dict[int, Path], list[Path]]:
    """`<raw_dir>/<source>/<YEAR>.csv|xlsx` by year, and the files whose names do not fit.

    A year outside `years` or two files for one year stop the run: both are mistakes that
    would otherwise publish a wrong year, or one of the two files silently.
    """
    files: dict[int, Path] = {}
    ignored: list[Path] = []
    folder = raw_dir / source
    if not folder.is_dir():
        return files, ignored
    for path in sorted(folder.iterdir()):
        if path.name.startswith((".", "~$")):  # hidden files and Excel's lock files
            continue
        match = RAW_FILE.match(path.name)
        if not match or not path.is_file():
            ignored.append(path)
            continue
        year = int(match.group("year"))
        check_year(year, path, years)
        if year in files:
            raise InputFileError(
                str(path),
                f"there are two files for {source} {year}: {files[year].name} and {path.name}",
                hint="Keep one file per source and year in data/raw.",
            )
        files[year] = path
    return files, ignored


def check_year(year: int, path: Path, years: tuple[int, int]) -> None:
    first, last = years
    if not first <= year <= last:
        raise InputFileError(
            str(path),
            f"the file name's year {year} is outside the accepted years {first}-{last}",
            hint="Name the file after its decision year, or change limits: file_years in config.",
        )


# --- the import jobs -----------------------------------------------------------------------------

BUSINESS = "business_support"
# Reading a spreadsheet takes about five times longer per byte than reading a CSV file.
XLSX_COST_FACTOR = 5.0
# A file whose import takes longer than a Python start with pandas (about a second: a CSV file
# of about 1 MB) is a job of its own; smaller files share jobs.
BATCH_FILE_MAX_COST_MB = 1.0


def import_cost_mb(path: Path) -> float:
    """The file's size in MB, spreadsheets weighted by their slower reading: an estimate of
    its import time (about a second per unit)."""
    size = path.stat().st_size / 1e6
    return size * XLSX_COST_FACTOR if path.suffix.lower() == ".xlsx" else size


def import_batches(
    costs: Mapping[str, Mapping[int, float]],
    model_period: tuple[int, int],
    max_cost_mb: float = BATCH_FILE_MAX_COST_MB,
) -> dict[str, list[tuple[str, int]]]:
    """The import jobs' files as (source, year), by batch name (a rule name's suffix).

    `costs`: per source, each year's file by its `import_cost_mb`; `model_period`: the first
    and last year the models are fitted on.

    A new or changed file reruns its job and every rule that reads any file of the job, so a
    job holds files that the same rules read: the business exports of the models' period (the
    models read them), the business exports of other years, and the project exports; a year
    added after the model period does not refit the models. A file costing more than
    `max_cost_mb` is a job of its own (`<source>_<year>`): starting a job costs less than
    importing it, and adding a year then re-imports only that year. No batch is empty.
    """
    first, last = model_period
    batches: dict[str, list[tuple[str, int]]] = {}
    for source, years in costs.items():
        for year in sorted(years):
            if years[year] > max_cost_mb:
                name = f"{source}_{year}"
            elif source == BUSINESS and first <= year <= last:
                name = f"{source}_model_period"
            else:
                name = source
            batches.setdefault(name, []).append((source, year))
    return {name: batches[name] for name in sorted(batches)}
