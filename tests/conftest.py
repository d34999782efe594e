"""Shared fixtures: the repository's paths, its reference data and config, and workflow runs.

Workflow runs that tests read are fixtures made with `in_background`: if a collected test needs
one, it starts in a worker thread when the session does, and the tests that need any of them run
after all the others. The runs, mostly single-threaded jobs one after another, so use the cores
the other tests leave idle.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import inspect
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml

from rtp_eval.classify import ClassificationSettings
from rtp_eval.importing import ImportResult, import_file
from rtp_eval.pseudonymise import DEMO_KEY
from rtp_eval.reference import Reference, load_reference
from rtp_eval.settings import resolve
from rtp_eval.validation import ValidationSettings

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "data" / "e2e"
# The shipped configuration as the rules see it: the region's overlay and every default.
SHIPPED_CONFIG = resolve(
    yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8")),
    "config/config.yaml",
)


def import_export(
    path: Path, name: str, source: str, year: int, reference: Reference
) -> ImportResult:
    """Import one export with the shipped configuration's headers, areas and the demo key."""
    return import_file(
        path,
        name,
        source,
        SHIPPED_CONFIG["sources"][source]["columns"],
        reference,
        ValidationSettings(file_year=year, as_of_date=dt.date(2026, 11, 28)),
        ClassificationSettings(area_groups={"Östersund": ("2380",)}),
        DEMO_KEY.encode(),
    )


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def reference() -> Reference:
    return load_reference(
        REPO / "data" / "reference",
        region_county_codes=["23"],
        programme_areas=SHIPPED_CONFIG["region"]["programme_areas"],
    )


@pytest.fixture(scope="session")
def default_config() -> dict:
    return copy.deepcopy(SHIPPED_CONFIG)


# Workflow processes not yet finished: stopped, with their jobs, if the session ends first.
RUNNING: set[subprocess.Popen[str]] = set()
STOPPING = threading.Event()


def start_snakemake(
    workdir: Path, *args: str, hash_seed: str | None = None
) -> subprocess.Popen[str]:
    """Start the workflow of this repository in `workdir` (a fresh process, as a user would), in
    its own process group so that it can be stopped with all its jobs."""
    if STOPPING.is_set():
        raise RuntimeError("the test session is ending: no new workflow run")
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "--snakefile",
        str(REPO / "Snakefile"),
        "--directory",
        str(workdir),
        *args,
    ]
    environment = None if hash_seed is None else {**os.environ, "PYTHONHASHSEED": hash_seed}
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env=environment,
    )
    RUNNING.add(process)
    return process


def kill(process: subprocess.Popen[str]) -> None:
    """SIGKILL a run started by `start_snakemake` and every job of it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def finish(
    process: subprocess.Popen[str], timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    """Wait for a run started by `start_snakemake`; killed if the wait is cut short."""
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except BaseException:
        kill(process)
        process.communicate()
        raise
    finally:
        RUNNING.discard(process)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def snakemake(
    workdir: Path, *args: str, hash_seed: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the workflow of this repository in `workdir` (a fresh process, as a user would)."""
    return finish(start_snakemake(workdir, *args, hash_seed=hash_seed))


def make_project(workdir: Path, raw: Path = FIXTURE / "raw") -> Path:
    """A working directory with raw files, the reference data and the config."""
    shutil.copytree(raw, workdir / "data" / "raw")
    shutil.copytree(REPO / "data" / "reference", workdir / "data" / "reference")
    shutil.copytree(REPO / "config", workdir / "config")
    return workdir


def build(workdir: Path, *args: str, hash_seed: str | None = None) -> Path:
    """The whole workflow run in `workdir` (two cores unless `args` say otherwise)."""
    result = snakemake(workdir, *(args or ("--cores", "2")), hash_seed=hash_seed)
    assert result.returncode == 0, result.stdout + result.stderr
    return workdir


# The functions behind the `in_background` fixtures, by fixture name, in the order defined.
BACKGROUND: dict[str, Callable[..., Any]] = {}


class Background:
    """The runs of the `in_background` fixtures, each in a worker thread of its own."""

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        STOPPING.clear()
        self.factory = factory
        self.lock = threading.Lock()
        self.futures: dict[str, Future[Any]] = {}
        self.executor = ThreadPoolExecutor(
            max_workers=max(1, len(BACKGROUND)), thread_name_prefix="workflow-run"
        )

    def start(self, name: str) -> Future[Any]:
        with self.lock:
            if name not in self.futures:
                self.futures[name] = self.executor.submit(
                    self._run, name, self.factory.mktemp(name)
                )
            return self.futures[name]

    def _run(self, name: str, folder: Path) -> Any:
        make = BACKGROUND[name]
        # The parameters after the folder name other background runs, waited for here.
        needs = list(inspect.signature(make).parameters)[1:]
        return make(folder, *(self.result(need) for need in needs))

    def result(self, name: str) -> Any:
        return self.start(name).result()

    def stop(self) -> None:
        """End the session's runs: those not started are dropped, the others killed."""
        STOPPING.set()
        for future in self.futures.values():
            future.cancel()
        for process in list(RUNNING):
            if process.poll() is None:
                kill(process)
        self.executor.shutdown(wait=True)


def in_background(make: Callable[..., Any]) -> Any:
    """Decorator: `make(folder, ...)`, which lays out a project in the new empty `folder` and runs
    the workflow there, becomes the session fixture of its name, started with the session. Its
    other parameters are other background runs, given to it once they are done."""
    name = make.__name__
    BACKGROUND[name] = make

    def fixture(background: Background) -> Any:
        return background.result(name)

    fixture.__doc__ = make.__doc__
    return pytest.fixture(scope="session", name=name)(fixture)


@pytest.fixture(scope="session", autouse=True)
def background(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Background]:
    runs = Background(tmp_path_factory)
    needed = {name for item in request.session.items for name in getattr(item, "fixturenames", ())}
    for name in BACKGROUND:
        if name in needed:
            runs.start(name)
    yield runs
    runs.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests that read a background run go last, each group in its collected order."""
    items.sort(key=lambda item: not BACKGROUND.keys().isdisjoint(getattr(item, "fixturenames", ())))


@in_background
def demo_build(folder: Path) -> Path:
    """The workflow run on the shipped (fictitious) demo data."""
    return build(make_project(folder, REPO / "data" / "raw"))


@in_background
def fixture_build(folder: Path) -> Path:
    """The workflow run on the small hand-made fixture of tests/data/e2e: with one core, so that
    its jobs run one after another, and a fixed string-hash seed (the reproducibility test builds
    the fixture again with four cores and another seed)."""
    return build(make_project(folder), "--cores", "1", hash_seed="1")
