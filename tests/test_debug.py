"""The debug runner: one rule's script run without Snakemake, on the objects the workflow gives."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rtp_eval.debug import (
    EXIT_MISSING_INPUTS,
    EXIT_NO_SUCH_JOB,
    MissingInputs,
    MissingInputsError,
    NoSuchJobError,
    check_wildcard_names,
    find_project_root,
    main,
    missing_inputs_message,
    mock_snakemake,
    parse_wildcards,
    snakemake_command,
)
from rtp_eval.outputs import GENDER_CASE_TABLES
from tests.conftest import FIXTURE, REPO, make_project, snakemake

SNAKEFILE = REPO / "Snakefile"


def debug(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The debug runner as a user runs it, from the project folder."""
    command = [sys.executable, "-m", "rtp_eval.debug", "--snakefile", str(SNAKEFILE), *args]
    return subprocess.run(
        command, cwd=workdir, capture_output=True, text=True, check=False, timeout=600
    )


def contents(workdir: Path, paths: list[str]) -> dict[str, bytes]:
    return {path: (workdir / path).read_bytes() for path in paths}


def test_wildcards_are_parsed_from_name_value_pairs() -> None:
    assert parse_wildcards(["source=business_support", " year = 2016"]) == {
        "source": "business_support",
        "year": "2016",
    }
    assert parse_wildcards(["label=a=b"]) == {"label": "a=b"}


@pytest.mark.parametrize("bad", [["2016"], ["=2016"], ["year=2016", "year=2017"]])
def test_malformed_wildcards_are_refused(bad: list[str]) -> None:
    with pytest.raises(NoSuchJobError):
        parse_wildcards(bad)


def test_wrong_wildcard_names_name_the_missing_and_the_unknown() -> None:
    check_wildcard_names("some_rule", {"source", "year"}, {"source": "x", "year": "1"})
    with pytest.raises(NoSuchJobError) as raised:
        check_wildcard_names("some_rule", {"source", "year"}, {"year": "1", "yaer": "2"})
    message = raised.value.user_message()
    assert "missing source" in message
    assert "no wildcard yaer" in message
    assert "some_rule source=... year=..." in message


def test_missing_inputs_message_separates_made_and_provided_files(tmp_path: Path) -> None:
    missing = MissingInputs(
        producible=("results/clean/a/2016.parquet", "results/clean/b/2016.parquet"),
        unproducible=("data/raw/a/2016.csv",),
    )
    message = missing_inputs_message(
        "gender_breakdown", missing, tmp_path, tmp_path / "Snakefile", tmp_path
    )
    made, provided = message.split("No rule makes these")
    command = made.splitlines()[-1].split()
    assert command[1:] == ["--cores", "all", *missing.producible]
    assert "data/raw/a/2016.csv" in provided
    assert "data/raw/a/2016.csv" not in made


def test_command_names_the_snakefile_and_directory_only_when_needed(tmp_path: Path) -> None:
    project = tmp_path / "project"
    here = snakemake_command(project, project / "Snakefile", ["t"], project)
    assert shlex.split(here)[1:] == ["--cores", "all", "t"]
    elsewhere = snakemake_command(project, project / "Snakefile", ["t"], tmp_path)
    assert shlex.split(elsewhere)[1:] == ["--cores", "all", "--directory", "project", "t"]
    other = snakemake_command(project, SNAKEFILE, ["t"], project)
    assert shlex.split(other)[1:] == [
        "--cores",
        "all",
        "--snakefile",
        SNAKEFILE.as_posix(),
        "--directory",
        ".",
        "t",
    ]


def test_project_root_is_the_nearest_folder_with_a_snakefile(tmp_path: Path) -> None:
    (tmp_path / "Snakefile").write_text("")
    (tmp_path / "notebooks" / "deep").mkdir(parents=True)
    assert find_project_root(tmp_path / "notebooks" / "deep") == tmp_path


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


def run_main(project: Path, *args: str) -> int:
    return main(["--directory", str(project), "--snakefile", str(SNAKEFILE), *args])


@pytest.mark.slow
def test_unknown_rule_lists_the_rules_with_a_script(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_main(project, "gender_breakdwn") == EXIT_NO_SUCH_JOB
    message = capsys.readouterr().err
    assert "'gender_breakdwn' is not a rule of the workflow" in message
    assert "gender_breakdown" in message
    assert run_main(project, "all") == EXIT_NO_SUCH_JOB
    assert "'all' has no script" in capsys.readouterr().err


@pytest.mark.slow
def test_wildcards_outside_the_constraints_or_the_rule_name_no_job(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The editions are the current one and those published before it.
    assert run_main(project, "edition_revisions", "edition=1999") == EXIT_NO_SUCH_JOB
    assert "edition=1999 do not match" in capsys.readouterr().err
    assert run_main(project, "import_project_support", "year=2016") == EXIT_NO_SUCH_JOB
    assert "rule import_project_support has no wildcard year" in capsys.readouterr().err


@pytest.mark.slow
def test_mock_snakemake_gives_what_the_rule_declares(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project / "config")
    mock = mock_snakemake(
        "import_business_support_model_period", workdir=project, snakefile=SNAKEFILE
    )
    assert Path.cwd() == project.resolve()
    assert mock.rule == "import_business_support_model_period"
    assert "data/raw/business_support/2016.csv" in mock.input.raw
    assert "data/reference/sexes.csv" in mock.input.reference
    position = list(mock.input.raw).index("data/raw/business_support/2016.csv")
    assert mock.output.clean[position] == "results/clean/business_support/2016.parquet"
    assert mock.params.files[position] == {
        "source": "business_support",
        "year": 2016,
        "read_options": {},
    }
    assert mock.log == ["logs/import/import_business_support_model_period.log"]
    assert (project / "logs" / "import").is_dir()
    assert dict(mock.wildcards.items()) == {}
    # The column names of this batch's source only: a change for the other source does not
    # rerun it.
    assert set(mock.params.settings["columns"]) == {"business_support"}
    # The rule declares worker processes; the debug runner does all in its own process.
    assert mock.threads == 1
    assert mock.resources.runtime >= 10
    assert mock.resources.mem_mb >= 500
    assert mock.config["demo"] is True
    assert mock.scriptdir == str(REPO / "scripts")


@pytest.mark.slow
def test_mock_snakemake_names_missing_inputs(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    with pytest.raises(MissingInputsError) as raised:
        mock_snakemake("gender_breakdown", snakefile=SNAKEFILE)
    assert "results/work/gender/project_support/2016.cells.parquet" in raised.value.user_message()


@pytest.mark.e2e
@pytest.mark.slow
def test_rules_run_by_the_debug_runner_write_what_snakemake_writes(project: Path) -> None:
    outputs = ["clean/{}.parquet", "quarantine/{}.csv", "work/import/{}.json"]
    outputs += ["work/gender/{}.cells.parquet", "work/gender/{}.cases.parquet"]
    imported = [f"results/{output.format('business_support/2016')}" for output in outputs]
    tables = [f"results/work/{name}.csv" for name in GENDER_CASE_TABLES]

    missing = debug(project, "gender_breakdown")
    assert missing.returncode == EXIT_MISSING_INPUTS, missing.stderr
    assert f"  {imported[3]}\n" in missing.stderr
    assert not (project / tables[0]).exists()
    # The command the message gives makes the inputs.
    command = shlex.split(missing.stderr.strip().splitlines()[-1])
    made = subprocess.run(
        command, cwd=project, capture_output=True, text=True, check=False, timeout=600
    )
    assert made.returncode == 0, made.stderr
    by_snakemake = contents(project, imported)

    imported_again = debug(project, "import_business_support_model_period")
    assert imported_again.returncode == 0, imported_again.stderr
    assert contents(project, imported) == by_snakemake
    # The log goes to the terminal and to the rule's log file.
    log_file = project / "logs/import/import_business_support_model_period.log"
    assert "business_support/2016.csv: {'rows_read'" in imported_again.stderr
    assert "business_support/2016.csv: {'rows_read'" in log_file.read_text()

    combined = debug(project, "gender_breakdown")
    assert combined.returncode == 0, combined.stderr
    by_debug_runner = contents(project, tables)
    for table in tables:
        (project / table).unlink()
    built = snakemake(project, "--cores", "1", *tables)
    assert built.returncode == 0, built.stdout + built.stderr
    assert contents(project, tables) == by_debug_runner


@pytest.mark.e2e
@pytest.mark.slow
def test_a_failing_script_exits_with_its_message(project: Path) -> None:
    shutil.copy(
        FIXTURE / "extra" / "business_support_2018_missing_column.csv",
        project / "data" / "raw" / "business_support" / "2016.csv",
    )
    failed = debug(project, "import_business_support_model_period")
    assert failed.returncode == 1
    assert "Cannot import file data/raw/business_support/2016.csv, row 1" in failed.stderr
    assert "Traceback" not in failed.stderr
