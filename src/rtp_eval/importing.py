"""Import of one raw file: read, validate, pseudonymise, classify, reconcile.

Every raw file, of the case sources and of the owner follow-up, is read by
`rtp_eval.reading.read_raw_file` with its `files:` settings and the configured limits, and
described by the same `quality_record`; only the validation differs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from rtp_eval import schema
from rtp_eval.classify import ClassificationSettings, classify
from rtp_eval.errors import ReconciliationError
from rtp_eval.pseudonymise import pseudonymise
from rtp_eval.reading import HeaderSpec, RawTable, ReadLimits, ReadOptions, read_raw_file
from rtp_eval.reference import Reference
from rtp_eval.validation import ValidationSettings, cell_issue_record, validate


@dataclass
class ImportResult:
    clean: pd.DataFrame  # schema.clean_columns(source): accepted and withdrawn rows
    quarantine: pd.DataFrame
    quality: dict[str, Any]


def import_file(
    path: Path,
    display_name: str,
    source: str,
    aliases: Mapping[str, Sequence[str]],
    reference: Reference,
    validation_settings: ValidationSettings,
    classification_settings: ClassificationSettings,
    key: bytes,
    read_options: ReadOptions | None = None,
    limits: ReadLimits | None = None,
) -> ImportResult:
    """Import one file; raises InputFileError if it cannot be read at all."""
    spec = header_spec(source, aliases)
    table = read_raw_file(path, display_name, read_options, spec, limits)
    result = validate(table, source, aliases, reference, validation_settings)
    clean = to_clean(
        result.accepted,
        source,
        display_name,
        validation_settings.file_year,
        key,
        classification_settings,
        reference.sni_sections,
    )
    withdrawn = int((clean["decision"] == "withdrawn").sum())
    quality = quality_record(
        source=source,
        table=table,
        rows_accepted=len(clean) - withdrawn,
        rows_withdrawn=withdrawn,
        quarantine=result.quarantine,
        details={
            "extra_columns": list(result.mapping.extra_columns),
            "columns": dict(result.mapping.headers),
            **cell_issue_record(result.cell_issues),
            "as_of_date": validation_settings.as_of_date.isoformat(),
        },
    )
    return ImportResult(clean, result.quarantine, quality)


def header_spec(source: str, aliases: Mapping[str, Sequence[str]]) -> HeaderSpec:
    """The required fields of a case source under their configured headers and own names."""
    return HeaderSpec(
        required={name: (*aliases.get(name, ()), name) for name in schema.required_fields(source)},
        config_key=f"sources: {source}: columns",
    )


def to_clean(
    accepted: pd.DataFrame,
    source: str,
    display_name: str,
    year: int,
    key: bytes,
    settings: ClassificationSettings,
    sni_sections: Mapping[str, str],
) -> pd.DataFrame:
    """Typed clean rows: provenance added, identifier replaced by its pseudonym, classified."""
    frame = accepted.copy()
    frame["source_file"] = pd.array([display_name] * len(frame), dtype="string")
    frame["decision_year"] = pd.array([year] * len(frame), dtype="Int64")
    pseudonyms = {value: pseudonymise(value, key) for value in frame["org_id"].dropna().unique()}
    frame["org_pseudonym"] = frame["org_id"].map(pseudonyms).astype("string")
    frame = frame.drop(columns=["org_id"])
    frame = classify(frame, source, settings, sni_sections)
    dtypes = schema.clean_dtypes(source)
    return frame[list(schema.clean_columns(source))].astype(dtypes).reset_index(drop=True)


def quality_record(
    *,
    source: str,
    table: RawTable,
    rows_accepted: int,
    rows_withdrawn: int,
    quarantine: pd.DataFrame,
    details: Mapping[str, Any],
) -> dict[str, Any]:
    """The per-file quality record; raises if the row counts do not reconcile."""
    record: dict[str, Any] = {
        "source": source,
        "file": table.file,
        "sha256": table.sha256,
        "rows_read": len(table.rows),
        "rows_accepted": rows_accepted,
        "rows_quarantined": len(quarantine),
        "rows_withdrawn": rows_withdrawn,
        "reasons": dict(sorted(Counter(quarantine["reason_code"]).items())),
        **read_details(table),
        **details,
    }
    check_reconciliation(record)
    return record


def read_details(table: RawTable) -> dict[str, Any]:
    """How the file was read: format, dialect and where its header and data are."""
    return {
        "format": table.format,
        "encoding": table.encoding,
        "delimiter": table.delimiter,
        "header_row": table.header_row,
        "title_rows": table.title_rows,
        "blank_rows_skipped": table.blank_rows_skipped,
    }


def check_reconciliation(record: Mapping[str, Any]) -> None:
    """rows_read = accepted + quarantined + withdrawn, or the run stops."""
    parts = record["rows_accepted"] + record["rows_quarantined"] + record["rows_withdrawn"]
    if parts != record["rows_read"]:
        raise ReconciliationError(
            f"Row counts of {record['file']} do not add up: read {record['rows_read']}, "
            f"accepted {record['rows_accepted']} + quarantined {record['rows_quarantined']} + "
            f"withdrawn {record['rows_withdrawn']} = {parts}. Nothing was published; please "
            "report this as a bug with the job's log attached (not the raw file: it holds "
            "identity numbers)."
        )
