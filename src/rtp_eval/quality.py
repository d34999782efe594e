"""The combined import quality table and the checks across files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from rtp_eval import catalog, vocabulary
from rtp_eval.errors import InputFileError, ReconciliationError
from rtp_eval.importing import check_reconciliation
from rtp_eval.schema import SOURCES

QUALITY_COLUMNS: tuple[str, ...] = catalog.table("import_quality").columns

QUARANTINE_README = """\
# VARNING – KARANTÄNFILER / WARNING – QUARANTINE FILES

Filerna här innehåller **rådata** från de rader som inte kunde godtas vid importen, med
oförändrade organisations- och personnummer. De får **aldrig publiceras** eller skickas vidare.
Använd dem bara för att rätta exporten i källsystemet och exportera på nytt.

The files here hold **raw rows** that failed validation, with organisation and personal identity
numbers unchanged. They must **never be published** or shared. Use them only to correct the
export in the source system and export again. They are not part of the publishing bundle.

Columns: `file`, `row` (as counted in a spreadsheet, header = row 1), `column`, `reason_code`,
`reason`, `other_problems`, then the row's raw cells as `raw: <header>`.
"""


# The clean columns `verify_counts` and `check_case_ids_across_files` read (so that the check of
# many large files does not load every column).
RECONCILIATION_COLUMNS: tuple[str, ...] = ("case_id", "decision", "source_file", "source_row")
# The owner follow-up has neither case ids nor decisions (nothing is withdrawn).
OWNER_RECONCILIATION_COLUMNS: tuple[str, ...] = ("source_file", "source_row")


def reconciliation_columns(source: str) -> tuple[str, ...]:
    return RECONCILIATION_COLUMNS if source in SOURCES else OWNER_RECONCILIATION_COLUMNS


def verify_counts(record: Mapping[str, Any], clean: pd.DataFrame, quarantine_rows: int) -> None:
    """Recount from the written files: the record must match what is really on disk."""
    withdrawn = int((clean["decision"] == "withdrawn").sum()) if "decision" in clean else 0
    on_disk = {
        "rows_accepted": len(clean) - withdrawn,
        "rows_withdrawn": withdrawn,
        "rows_quarantined": quarantine_rows,
    }
    for name, count in on_disk.items():
        if record[name] != count:
            raise ReconciliationError(
                f"{record['file']}: the quality record says {name} = {record[name]} but the "
                f"written files hold {count}. Delete results/ and run again; if it persists, "
                "report it as a bug with the job's log attached."
            )
    check_reconciliation(record)


def quality_table(records: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """One row per file, in the contract's columns first, sorted by source and file."""
    rows = []
    for record in records:
        row = {name: record.get(name) for name in QUALITY_COLUMNS}
        # Header names are the export's free text: only their number is published.
        row["extra_column_count"] = len(record.get("extra_columns", []))
        row["cells_blanked"] = record.get("cells_blanked", 0)
        rows.append(row)
    table = pd.DataFrame(rows, columns=list(QUALITY_COLUMNS))
    return table.sort_values(["source", "file"], kind="stable").reset_index(drop=True)


def reasons_table(records: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Quarantined rows per file and reason, with the Swedish wording."""
    rows = [
        {
            "source": record["source"],
            "file": record["file"],
            "reason_code": code,
            "reason_sv": vocabulary.QUARANTINE_REASONS.get(code, code),
            "rows": count,
        }
        for record in records
        for code, count in record.get("reasons", {}).items()
    ]
    columns = ["source", "file", "reason_code", "reason_sv", "rows"]
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values(["source", "file", "reason_code"], kind="stable").reset_index(
        drop=True
    )


def check_case_ids_across_files(frames: Sequence[pd.DataFrame]) -> None:
    """A case id must be unique within a source, also across years."""
    combined = pd.concat(
        [f[["case_id", "source_file", "source_row"]] for f in frames], ignore_index=True
    )
    duplicated = combined[combined.duplicated("case_id", keep=False)]
    if duplicated.empty:
        return
    first_id = duplicated["case_id"].iloc[0]
    places = duplicated[duplicated["case_id"] == first_id]
    where = " and ".join(f"{r.source_file} row {r.source_row}" for r in places.itertuples())
    raise InputFileError(
        str(places["source_file"].iloc[0]),
        f"case id '{first_id}' appears in more than one file ({where}); "
        f"{duplicated['case_id'].nunique()} case id(s) are affected",
        hint="A case belongs to the year of its decision: remove it from the other file's export.",
    )
