"""The import step: its files' records, and its outputs whatever the number of workers."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from rtp_eval.debug import mock_snakemake
from rtp_eval.import_step import (
    OUTPUT_KINDS,
    ImportContext,
    case_files,
    import_case_files,
    import_reference,
)
from rtp_eval.pseudonymise import DEMO_KEY
from tests.conftest import REPO, make_project


def test_case_files_pair_the_rules_lists_and_refuse_uneven_ones() -> None:
    files = [{"source": "project_support", "year": 2016, "read_options": {"sheet": "A"}}]
    outputs = {kind: [f"out/{kind}"] for kind in OUTPUT_KINDS}
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
            for kind in OUTPUT_KINDS
        }
        files = case_files(mock.params.files, list(mock.input.raw), outputs)
        assert len(files) == 2
        summaries = import_case_files(context, files, workers)
        assert [s.file for s in summaries] == [f.raw for f in files]
        written[workers] = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
        assert len(written[workers]) == 2 * len(OUTPUT_KINDS)
        assert dataclasses.asdict(summaries[0])["rows"]["rows_read"] > 0
    assert written[1] == written[2]


@pytest.mark.slow
def test_a_new_pseudonym_key_changes_every_import_jobs_params(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Snakemake reruns a job whose params changed: a new key re-imports every file by itself
    # (the user guide says so), without the key itself in the params.
    project = make_project(tmp_path / "project")
    config = project / "config" / "config.yaml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("demo: true", "demo: false").replace(
        "use_demo_key: true", "use_demo_key: false"
    )
    config.write_text(text, encoding="utf-8")
    # mock_snakemake moves into the project: back where the test started, afterwards.
    monkeypatch.chdir(project)
    params = {}
    for key in ("a" * 64, "b" * 64):
        monkeypatch.setenv("RTP_EVAL_PSEUDONYM_KEY", key)
        params[key] = {
            rule: mock_snakemake(rule, workdir=project, snakefile=REPO / "Snakefile").params
            for rule in ("import_business_support_model_period", "import_project_support")
        }
    for rule in ("import_business_support_model_period", "import_project_support"):
        first, second = (params[key][rule].settings for key in params)
        assert first["key_fingerprint"] != second["key_fingerprint"]
        assert "a" * 64 not in str(first) and "b" * 64 not in str(second)
