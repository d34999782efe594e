"""The import step's batches, and its outputs whatever the number of worker processes."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from rtp_eval.debug import mock_snakemake
from rtp_eval.import_step import (
    ImportContext,
    case_files,
    import_batches,
    import_case_files,
    import_reference,
)
from rtp_eval.pseudonymise import DEMO_KEY
from tests.conftest import REPO, make_project

KINDS = ("clean", "quarantine", "quality", "cells", "cases")


def test_batches_split_business_files_at_the_model_period() -> None:
    files = {
        "business_support": [2021, 2012, 2018, 2019],
        "project_support": [2013, 2012],
    }
    assert import_batches(files, (2012, 2018)) == {
        "business_support": [("business_support", 2019), ("business_support", 2021)],
        "business_support_model_period": [
            ("business_support", 2012),
            ("business_support", 2018),
        ],
        "project_support": [("project_support", 2012), ("project_support", 2013)],
    }


def test_batches_hold_every_file_once_and_none_is_empty() -> None:
    files = {"business_support": [2015, 2016], "project_support": []}
    batches = import_batches(files, (2010, 2020))
    assert batches == {
        "business_support_model_period": [("business_support", 2015), ("business_support", 2016)]
    }
    everything = import_batches({"business_support": [2009, 2010, 2020, 2021]}, (2010, 2020))
    listed = [file for batch in everything.values() for file in batch]
    assert sorted(listed) == [("business_support", y) for y in (2009, 2010, 2020, 2021)]


def test_case_files_pair_the_rules_lists_and_refuse_uneven_ones() -> None:
    files = [{"source": "project_support", "year": 2016, "read_options": {"sheet": "A"}}]
    outputs = {kind: [f"out/{kind}"] for kind in KINDS}
    (one,) = case_files(files, ["data/raw/project_support/2016.xlsx"], outputs)
    assert (one.source, one.year, one.read_options) == ("project_support", 2016, {"sheet": "A"})
    assert (one.clean, one.cases) == ("out/clean", "out/cases")
    with pytest.raises(ValueError, match="differ in number"):
        case_files(files, [], outputs)


@pytest.mark.slow
def test_two_workers_write_the_same_files_as_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path / "project")
    monkeypatch.chdir(project)
    mock = mock_snakemake(
        "import_business_support_model_period",
        workdir=project,
        snakefile=REPO / "Snakefile",
    )
    settings = mock.params.settings
    reference = import_reference(settings, Path(mock.params.reference_dir))
    context = ImportContext(settings, reference, DEMO_KEY.encode(), dt.date(2026, 1, 1), 2)
    written: dict[int, dict[str, bytes]] = {}
    for workers in (1, 2):
        folder = tmp_path / f"workers{workers}"
        outputs = {
            kind: [str(folder / f"{i}.{kind}") for i in range(len(mock.input.raw))]
            for kind in KINDS
        }
        files = case_files(mock.params.files, list(mock.input.raw), outputs)
        assert len(files) == 2
        summaries = import_case_files(context, files, workers)
        assert [s.file for s in summaries] == [f.raw for f in files]
        written[workers] = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
        assert len(written[workers]) == 2 * len(KINDS)
        assert dataclasses.asdict(summaries[0])["rows"]["rows_read"] > 0
    assert written[1] == written[2]
