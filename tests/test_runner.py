"""Running a step: the CPU priority of steps off the build's critical path."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import pytest

from rtp_eval.runner import step_niceness
from tests.conftest import REPO


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (SimpleNamespace(niceness=10), 10),
        (SimpleNamespace(niceness=0), 0),
        (SimpleNamespace(niceness=-5), 0),
        (SimpleNamespace(niceness="10"), 0),
        (SimpleNamespace(code="abc"), 0),
        (None, 0),
    ],
)
def test_only_a_positive_whole_niceness_lowers_the_priority(params: object, expected: int) -> None:
    assert step_niceness(params) == expected


STEP = """
import os
from types import SimpleNamespace
from rtp_eval.runner import run_step

before = os.nice(0)
seen = []
run_step(lambda snakemake: seen.append(os.nice(0)), SimpleNamespace(log=[], params={params}))
print(before, seen[0])
"""


@pytest.mark.parametrize(("params", "lowered"), [("SimpleNamespace(niceness=7)", 7), ("None", 0)])
def test_a_step_with_a_niceness_runs_at_lower_priority(params: str, lowered: int) -> None:
    # In a process of its own: a niceness cannot be raised back.
    result = subprocess.run(
        [sys.executable, "-c", STEP.format(params=params)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    before, during = map(int, result.stdout.split())
    # A niceness stops at 19.
    assert during == min(before + lowered, 19)
