"""The import step: the raw case exports in a few jobs (batches), each of one or more files.

Each file is imported on its own (`rtp_eval.importing.import_file`) and written to its own
outputs: clean rows, quarantined rows, quality record, and the year's gender breakdown cells
and decided cases (`rtp_eval.breakdown.partial_cells`; the breakdown rule combines the years).
A batch's files are spread over forked worker processes (`rtp_eval.parallel`): a Python start
with pandas and pyarrow costs more than importing a region's yearly file, so a job per batch
is faster than a job per file, with the same outputs.

Which files form a batch: `rtp_eval.discovery.import_batches`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rtp_eval import io
from rtp_eval.breakdown import BreakdownConfig, partial_cells
from rtp_eval.config import classification_settings, read_limits, validation_settings
from rtp_eval.discovery import import_cost_mb
from rtp_eval.importing import import_file
from rtp_eval.parallel import map_in_forks
from rtp_eval.reading import ReadOptions
from rtp_eval.reference import Reference, load_reference

# The outputs of one file's import, as the rule names them.
OUTPUT_KINDS = ("clean", "quarantine", "quality", "cells", "cases")


@dataclass(frozen=True)
class CaseFile:
    """One raw case export and the paths its import writes."""

    source: str
    year: int
    raw: str
    read_options: Mapping[str, Any]
    clean: str
    quarantine: str
    quality: str
    cells: str
    cases: str

    @property
    def cost(self) -> float:
        """A relative estimate of the file's import time, to start the longest first."""
        return import_cost_mb(Path(self.raw))


@dataclass(frozen=True)
class ImportContext:
    """What every file's import shares: the step's settings, code lists and key."""

    settings: Mapping[str, Any]
    reference: Reference
    key: bytes
    today: dt.date
    dominance_n: int


def import_reference(settings: Mapping[str, Any], reference_dir: Path) -> Reference:
    """The code lists with the region's own labels, as the import step's settings give them."""
    return load_reference(
        reference_dir,
        extra_labels=settings["labels"],
        region_county_codes=settings["region"]["county_codes"],
        programme_areas=settings["region"].get("programme_areas", {}),
        unlisted_labels=settings["validation"].get("unlisted_labels", {}),
    )


@dataclass(frozen=True)
class FileSummary:
    file: str
    rows: dict[str, int]
    cells: int
    cases: int


def case_files(
    files: Sequence[Mapping[str, Any]],
    raw: Sequence[str],
    outputs: Mapping[str, Sequence[str]],
) -> list[CaseFile]:
    """The rule's parallel lists (its `files` param, its raw inputs and each output kind) as
    one record per file; raises ValueError if the lists differ in length."""
    lengths = {len(files), len(raw), *(len(outputs[kind]) for kind in OUTPUT_KINDS)}
    if len(lengths) != 1:
        raise ValueError(f"the import step's files, inputs and outputs differ in number: {lengths}")
    return [
        CaseFile(
            source=str(file["source"]),
            year=int(file["year"]),
            raw=str(path),
            read_options=file.get("read_options", {}),
            **{kind: str(outputs[kind][i]) for kind in OUTPUT_KINDS},
        )
        for i, (file, path) in enumerate(zip(files, raw, strict=True))
    ]


def import_case_file(context: ImportContext, file: CaseFile) -> FileSummary:
    """Import one file and write its outputs; raises InputFileError if it cannot be read."""
    settings = context.settings
    raw = Path(file.raw)
    result = import_file(
        raw,
        raw.as_posix(),
        file.source,
        settings["columns"][file.source],
        context.reference,
        validation_settings(settings, file.year, context.today),
        classification_settings(settings),
        context.key,
        ReadOptions(**file.read_options),
        read_limits(settings),
    )
    io.write_import_result(
        result.clean, result.quarantine, result.quality, file.clean, file.quarantine, file.quality
    )
    # Read back the written table so that the cells come from exactly what later stages read.
    clean = io.read_clean([file.clean], file.source)
    partial = partial_cells(clean, file.source, BreakdownConfig(dominance_n=context.dominance_n))
    io.write_parquet(partial.cells, file.cells)
    io.write_parquet(partial.cases, file.cases)
    rows = {k: int(v) for k, v in result.quality.items() if k.startswith("rows_")}
    return FileSummary(str(result.quality["file"]), rows, len(partial.cells), len(partial.cases))


def import_case_files(
    context: ImportContext, files: Sequence[CaseFile], workers: int
) -> list[FileSummary]:
    """Every file imported, over up to `workers` processes; the summaries in file order."""
    return map_in_forks(
        functools.partial(import_case_file, context), files, workers, cost=lambda f: f.cost
    )
