"""Rendering the HTML report from the published tables (and only from them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jinja2
import pandas as pd

from rtp_eval import formatting

SOURCE_LABELS_SV = {"business_support": "Företagsstöd", "project_support": "Projektstöd"}


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("rtp_eval", "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["number"] = formatting.number
    env.filters["kronor"] = formatting.kronor
    env.filters["percent"] = formatting.percent
    env.filters["source_sv"] = lambda s: SOURCE_LABELS_SV.get(s, s)
    return env


def quality_context(quality: pd.DataFrame, reasons: pd.DataFrame) -> dict[str, Any]:
    """Rows and totals for the data-quality section."""
    totals = {
        name: int(quality[name].sum())
        for name in ("rows_read", "rows_accepted", "rows_quarantined", "rows_withdrawn")
    }
    by_reason = (
        reasons.groupby(["reason_code", "reason_sv"], as_index=False)["rows"]
        .sum()
        .sort_values(["rows", "reason_code"], ascending=[False, True], kind="stable")
    )
    return {
        "files": quality.to_dict("records"),
        "totals": totals,
        "reasons": by_reason.to_dict("records"),
    }


def render_report(context: Mapping[str, Any]) -> str:
    return environment().get_template("report.html.j2").render(**context)
