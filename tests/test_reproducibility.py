"""Same inputs, same bytes: across directories, core counts, hash seeds, and a run killed half-way.

Three workflow runs on the fixture, all in the background from the start of the session (they
are independent, and running them side by side also shows that nothing is shared between
project directories):

- the shared `fixture_build`: `--cores 1`, string-hash seed 1,
- `--cores 4` with seed 2, in another directory, further down a different path,
- `--cores 1` killed with SIGKILL (the whole process group) once some imports are written, then
  resumed the way the user guide says: `snakemake --unlock`, then
  `snakemake --cores 2 --rerun-incomplete`.

The other two are compared with `fixture_build`: every file under results/ and reports/ must be
byte-identical (Parquet files compared as tables, since they record the writer), and no
temporary file may be left anywhere.
"""

from __future__ import annotations

import ast
import re
import time
from pathlib import Path

import pandas as pd
import pytest

from rtp_eval import io as rtp_io
from tests.conftest import (
    REPO,
    build,
    finish,
    in_background,
    kill,
    make_project,
    snakemake,
    start_snakemake,
)

pytestmark = pytest.mark.e2e
OUTPUT_FOLDERS = ("results", "reports")


def output_files(workdir: Path) -> dict[str, Path]:
    """Every output file, except the per-job timing records of `results/benchmarks/`."""
    return {
        path.relative_to(workdir).as_posix(): path
        for folder in OUTPUT_FOLDERS
        for path in sorted((workdir / folder).rglob("*"))
        if path.is_file() and "benchmarks" not in path.relative_to(workdir).parts
    }


def differences(a: Path, b: Path) -> list[str]:
    """Files that differ between two builds, first the missing ones; empty if identical."""
    files_a, files_b = output_files(a), output_files(b)
    found = [f"only in one build: {name}" for name in sorted(set(files_a) ^ set(files_b))]
    for name in sorted(set(files_a) & set(files_b)):
        if name.endswith(".parquet"):
            try:
                pd.testing.assert_frame_equal(
                    pd.read_parquet(files_a[name]), pd.read_parquet(files_b[name])
                )
            except AssertionError as error:
                found.append(f"{name}: {str(error).splitlines()[0]}")
        elif files_a[name].read_bytes() != files_b[name].read_bytes():
            found.append(name)
    return found


def assert_identical(a: Path, b: Path) -> None:
    found = differences(a, b)
    assert not found, f"{a} and {b} differ; first differing file: {found[0]} (all: {found})"


def temporary_files(workdir: Path) -> list[str]:
    return [
        path.relative_to(workdir).as_posix()
        for folder in OUTPUT_FOLDERS
        for path in (workdir / folder).rglob("*")
        if path.name.endswith(".tmp")
    ]


@in_background
def four_core_build(folder: Path) -> Path:
    """The fixture built again, further down another path, with four cores and another
    string-hash seed than `fixture_build`."""
    workdir = make_project(folder / "another" / "place" / "cores-4")
    return build(workdir, "--cores", "4", hash_seed="2")


@in_background
def interrupted_build(folder: Path) -> dict:
    """The fixture built with one core, killed once some imports are written, then resumed."""
    cut = make_project(folder / "interrupted")
    interrupted = start_snakemake(cut, "--cores", "1", hash_seed="random")
    try:
        deadline = time.monotonic() + 600
        while not list((cut / "results" / "clean").glob("*/*.parquet")):
            assert interrupted.poll() is None, "the run ended before it could be interrupted"
            assert time.monotonic() < deadline, "no import finished in time"
            time.sleep(0.1)
    finally:
        kill(interrupted)
        finish(interrupted, timeout=60)
    after_kill = {
        "parquet": sorted(p.name for p in (cut / "results" / "clean").rglob("*.parquet")),
        "report": (cut / "reports").exists(),
    }
    # Every output present after the kill is whole (written to a temporary file, then renamed).
    for path in (cut / "results" / "clean").rglob("*.parquet"):
        pd.read_parquet(path)
    plain_rerun = snakemake(cut, "--cores", "2")
    unlock = snakemake(cut, "--unlock")
    build(cut, "--cores", "2", "--rerun-incomplete", hash_seed="random")
    return {
        "workdir": cut,
        "after_kill": after_kill,
        "plain_rerun": plain_rerun,
        "unlock": unlock,
    }


def test_clean_runs_in_different_directories_with_one_and_four_cores_are_byte_identical(
    fixture_build: Path, four_core_build: Path
) -> None:
    assert four_core_build.parent != fixture_build.parent
    assert_identical(fixture_build, four_core_build)
    kinds = {Path(name).suffix for name in output_files(fixture_build)}
    assert {".csv", ".html", ".pdf", ".xlsx", ".svg", ".parquet"} <= kinds


def test_a_killed_run_resumes_to_the_same_outputs(
    interrupted_build: dict, fixture_build: Path
) -> None:
    runs = interrupted_build
    assert runs["after_kill"]["parquet"], "the run was killed after some imports finished"
    assert not runs["after_kill"]["report"], "the run was killed before the report"
    # The plain rerun refuses, and says how to go on; the guide's two commands then work.
    rerun = runs["plain_rerun"]
    message = rerun.stdout + rerun.stderr
    assert rerun.returncode != 0
    assert "--unlock" in message or "--rerun-incomplete" in message, message[-3000:]
    assert runs["unlock"].returncode == 0, runs["unlock"].stderr
    assert_identical(fixture_build, runs["workdir"])
    guide = (REPO / "docs" / "anvandarguide.md").read_text(encoding="utf-8")
    assert ".venv/bin/snakemake --unlock" in guide
    assert ".venv/bin/snakemake --cores 4 --rerun-incomplete" in guide


def test_no_temporary_file_is_left_behind(
    fixture_build: Path, four_core_build: Path, interrupted_build: dict
) -> None:
    for workdir in (fixture_build, four_core_build, interrupted_build["workdir"]):
        assert temporary_files(workdir) == [], workdir


def test_a_temporary_file_left_by_a_killed_job_is_removed_by_the_next_write(
    tmp_path: Path,
) -> None:
    target = tmp_path / "tables" / "import_quality.csv"
    target.parent.mkdir()
    stale = target.parent / ".import_quality.csv.k3j2h1.tmp"
    stale.write_text("half a tab")
    other = target.parent / ".other.csv.a1b2c3.tmp"
    other.write_text("another file's")
    rtp_io.write_text(target, "whole\n")
    assert target.read_text() == "whole\n"
    assert not stale.exists()
    assert other.exists(), "only the target's own leftovers are removed"


# The rule scripts whose outputs must be written atomically, found from the rules themselves.
RULE_SCRIPTS = sorted(
    {
        (REPO / "workflow" / "rules" / match).resolve()
        for rules in (REPO / "workflow" / "rules").glob("*.smk")
        for match in re.findall(r'script:\s*"([^"]+)"', rules.read_text(encoding="utf-8"))
    }
)
WRITERS = {"to_csv", "to_parquet", "to_excel", "to_json", "write_text", "write_bytes"}
WRITERS |= {"savefig", "save", "dump", "write_table", "write_pdf", "copy", "copyfile", "move"}


# Package modules that write a step's outputs for its script.
STEP_WRITERS = {"import_raw_files.py": REPO / "src" / "rtp_eval" / "import_step.py"}


@pytest.mark.parametrize("script", RULE_SCRIPTS, ids=lambda p: p.name)
def test_every_rule_script_writes_through_rtp_eval_io(script: Path) -> None:
    """No direct file writes: every output goes through rtp_eval.io (temporary file + rename)."""
    code = [script, *([STEP_WRITERS[script.name]] if script.name in STEP_WRITERS else [])]
    imports = []
    for path in code:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        direct = []
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            function = node.func
            if isinstance(function, ast.Attribute) and function.attr in WRITERS:
                receiver = function.value
                if not (isinstance(receiver, ast.Name) and receiver.id == "io"):
                    direct.append(f"line {node.lineno}: .{function.attr}(...)")
            if isinstance(function, ast.Name) and function.id == "open":
                modes = [a.value for a in node.args[1:2] if isinstance(a, ast.Constant)]
                modes += [k.value.value for k in node.keywords if k.arg == "mode"]  # type: ignore[attr-defined]
                if any(set(str(mode)) & set("wax+") for mode in modes):
                    direct.append(f"line {node.lineno}: open(..., {modes[0]!r})")
        assert not direct, f"{path.name} writes directly: {direct}"
        imports += [
            (node.module, alias.name)
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
            for alias in node.names
        ]
    assert ("rtp_eval", "io") in imports or any(m == "rtp_eval.io" for m, _ in imports)


def test_the_rule_scripts_were_found() -> None:
    names = {p.name for p in RULE_SCRIPTS}
    assert {"import_raw_files.py", "combine_import_quality.py", "render_report.py"} <= names
