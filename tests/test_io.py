"""Reading the clean yearly files: only the asked columns and decisions, typed by the schema."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from rtp_eval import schema
from rtp_eval.io import read_clean, write_parquet


def _clean(year: int, decisions: list[str]) -> pd.DataFrame:
    columns = schema.clean_columns("project_support")
    rows = [{c: pd.NA for c in columns} | {"decision": d, "decision_year": year} for d in decisions]
    return pd.DataFrame(rows, columns=list(columns)).astype(schema.clean_dtypes("project_support"))


def test_read_clean_keeps_only_the_asked_columns_and_decisions(tmp_path: Path) -> None:
    paths = [tmp_path / "2017.parquet", tmp_path / "2016.parquet"]
    write_parquet(_clean(2017, ["granted", "withdrawn"]), paths[0])
    write_parquet(_clean(2016, ["rejected", "granted", "withdrawn"]), paths[1])
    frame = read_clean(
        paths, "project_support", columns=["decision_year", "decision"], decisions=["granted"]
    )
    assert list(frame.columns) == ["decision_year", "decision"]
    # Files are read in path order (years ascending), rows in file order.
    assert frame["decision_year"].tolist() == [2016, 2017]
    assert str(frame["decision_year"].dtype) == "Int64"


def test_read_clean_of_no_files_is_an_empty_typed_frame() -> None:
    frame = read_clean([], "business_support")
    assert list(frame.columns) == list(schema.clean_columns("business_support"))
    assert len(frame) == 0
    assert str(frame["amount_granted_sek"].dtype) == "Int64"
