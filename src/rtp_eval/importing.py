"""Import of one raw file: read, validate, pseudonymise, classify, reconcile."""

from __future__ import annotations

import hashlib
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
from rtp_eval.reading import ReadOptions, read_raw_file
from rtp_eval.reference import Reference
from rtp_eval.validation import ValidationSettings, validate


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
) -> ImportResult:
    """Import one file; raises InputFileError if it cannot be read at all."""
    table = read_raw_file(path, display_name, read_options)
    raw_bytes = path.read_bytes()
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
    quality = quality_record(
        source=source,
        file=display_name,
        sha256=hashlib.sha256(raw_bytes).hexdigest(),
        rows_read=len(table.rows),
        clean=clean,
        quarantine=result.quarantine,
        details={
            "format": table.format,
            "encoding": table.encoding,
            "delimiter": table.delimiter,
            "header_row": table.header_row,
            "blank_rows_skipped": table.blank_rows_skipped,
            "extra_columns": list(result.mapping.extra_columns),
            "columns": dict(result.mapping.headers),
            "as_of_date": validation_settings.as_of_date.isoformat(),
        },
    )
    return ImportResult(clean, result.quarantine, quality)


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
    file: str,
    sha256: str,
    rows_read: int,
    clean: pd.DataFrame,
    quarantine: pd.DataFrame,
    details: Mapping[str, Any],
) -> dict[str, Any]:
    """The per-file quality record; raises if the row counts do not reconcile."""
    withdrawn = int((clean["decision"] == "withdrawn").sum())
    record: dict[str, Any] = {
        "source": source,
        "file": file,
        "sha256": sha256,
        "rows_read": rows_read,
        "rows_accepted": len(clean) - withdrawn,
        "rows_quarantined": len(quarantine),
        "rows_withdrawn": withdrawn,
        "reasons": dict(sorted(Counter(quarantine["reason_code"]).items())),
        **details,
    }
    check_reconciliation(record)
    return record


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
