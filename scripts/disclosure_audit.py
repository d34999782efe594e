"""Snakemake step: audit every published table as an intruder would, before anything is published.

Reads only the published tables in `results/tables/` and the list of primary suppressions (which
protection each hidden cell needs; no values), works out with `rtp_eval.audit` the interval an
intruder can prove for every suppressed value, writes the summary per table and rule (no values)
and the intervals (a work file), and stops the run naming each table, row and interval that is
narrower than its protection.
"""

from pathlib import Path
from typing import Any

import pandas as pd

from rtp_eval.audit import AuditRules, run_audit
from rtp_eval.errors import UserFacingError
from rtp_eval.io import read_table, write_csv
from rtp_eval.runner import log, run_step


def main(snakemake: Any) -> None:
    params = snakemake.params
    rules = AuditRules(
        min_units=int(params.disclosure["min_units"]),
        amount_margin_pct=float(params.disclosure["amount_margin_pct"]),
        median_min_units=int(params.disclosure["median_min_units"]),
    )
    published = {Path(p).stem: read_table(p, Path(p).stem) for p in snakemake.input.tables}
    primaries = pd.read_csv(snakemake.input.primaries, dtype=str, keep_default_na=False)
    result = run_audit(published, primaries, rules)
    write_csv(result.intervals, snakemake.output.intervals)
    write_csv(result.summary, snakemake.output.summary)
    for record in result.summary[result.summary["rule"] == "all"].to_dict("records"):
        log.info("%s", record)
    if not result.passed:
        shown = result.violations.head(20).to_string(index=False)
        raise UserFacingError(
            f"The disclosure audit failed: {len(result.violations)} published value(s) can be "
            f"worked out more closely than their protection allows. Nothing has been published.\n"
            f"{shown}"
        )


if "snakemake" in globals():
    run_step(main, snakemake)  # noqa: F821
