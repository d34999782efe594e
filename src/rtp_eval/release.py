"""Release of the rendered report to the edition folder, once the disclosure audit has passed.

The report is rendered from the protected tables while the audit checks them; neither waits
for the other. Only this step puts the HTML and the PDF where they are published, and only if
the audit's summary says that no suppressed value failed its protection. The files are copied
byte for byte, by the writer the step passes (`rtp_eval.io.write_bytes`: a temporary file, then
a rename).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping
from pathlib import Path

from rtp_eval.errors import PublishError


def audit_failures(summary: Path) -> int:
    """Failures the audit summary counts over all tables (its `rule = all` rows).

    A summary that cannot be read as the audit writes it is refused: its absence of failures
    would prove nothing.
    """
    try:
        with summary.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise PublishError(
            f"{summary}: the disclosure audit's summary cannot be read ({error})"
        ) from error
    totals = [row for row in rows if row.get("rule") == "all"]
    if not totals:
        raise PublishError(f"{summary}: the disclosure audit's summary has no 'all' rows")
    failures = 0
    for row in totals:
        try:
            failures += int(row["failures"])
        except (KeyError, TypeError, ValueError):
            raise PublishError(
                f"{summary}: table {row.get('table')!r} has no failure count "
                f"(column 'failures', got {row.get('failures')!r})"
            ) from None
    return failures


def release(
    files: Mapping[Path, Path], audit_summary: Path, write: Callable[[Path, bytes], None]
) -> None:
    """Write each rendered file to its published path if the audit passed; otherwise refuse."""
    failures = audit_failures(audit_summary)
    if failures:
        raise PublishError(
            f"The disclosure audit counts {failures} failure(s) in {audit_summary}: "
            "the report is not released."
        )
    for source, target in files.items():
        write(target, source.read_bytes())
