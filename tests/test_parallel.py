"""Work spread over forked processes: results in order, errors as in one process."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest

from rtp_eval.errors import InputFileError, UserFacingError
from rtp_eval.parallel import WorkerError, map_in_forks


def square_with_pid(value: int) -> tuple[int, int]:
    return value * value, os.getpid()


def fail_on(bad: int, kind: str, value: int) -> int:
    if value == bad:
        if kind == "user":
            raise InputFileError(f"data/raw/x/{value}.csv", "no header row", row=1)
        raise ZeroDivisionError("division by zero in the worker")
    return value


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_results_come_in_the_order_of_the_items_whatever_the_cost_order(workers: int) -> None:
    items = list(range(7))
    # The cost puts the last item first: the results still follow the items.
    results = map_in_forks(square_with_pid, items, workers, cost=lambda value: value)
    assert [square for square, _ in results] == [value * value for value in items]


def test_more_than_one_worker_runs_the_items_in_other_processes() -> None:
    results = map_in_forks(square_with_pid, [1, 2, 3, 4], 2)
    assert os.getpid() not in {pid for _, pid in results}
    alone = map_in_forks(square_with_pid, [1, 2, 3, 4], 1)
    assert {pid for _, pid in alone} == {os.getpid()}


def test_a_single_item_runs_in_this_process() -> None:
    assert map_in_forks(square_with_pid, [5], 4) == [(25, os.getpid())]


def test_a_user_facing_error_in_a_worker_keeps_its_message() -> None:
    # InputFileError takes its own constructor arguments: it does not pickle back as it is.
    with pytest.raises(UserFacingError) as raised:
        map_in_forks(functools.partial(fail_on, 2, "user"), [1, 2, 3], 2)
    assert raised.value.user_message() == (
        "Cannot import file data/raw/x/2.csv, row 1: no header row"
    )


def test_a_user_facing_error_in_this_process_is_raised_as_it_is() -> None:
    with pytest.raises(InputFileError):
        map_in_forks(functools.partial(fail_on, 2, "user"), [1, 2, 3], 1)


def test_an_unexpected_error_in_a_worker_carries_its_traceback() -> None:
    with pytest.raises(WorkerError) as raised:
        map_in_forks(functools.partial(fail_on, 3, "bug"), [1, 2, 3], 2)
    message = str(raised.value)
    assert "ZeroDivisionError: division by zero in the worker" in message
    assert "fail_on" in message


@pytest.mark.parametrize("workers", [1, 2])
def test_every_failed_item_is_reported_in_item_order_after_the_others_ran(
    workers: int, tmp_path: Path
) -> None:
    done = tmp_path / "done"
    done.mkdir()
    with pytest.raises(UserFacingError) as raised:
        map_in_forks(functools.partial(fail_on_any, [4, 2], done), [1, 2, 3, 4, 5], workers)
    assert raised.value.user_message().splitlines() == [
        "Cannot import file 2.csv: unreadable",
        "Cannot import file 4.csv: unreadable",
    ]
    assert sorted(p.name for p in done.iterdir()) == ["1", "3", "5"]


def test_an_unexpected_error_in_this_process_propagates_at_once() -> None:
    with pytest.raises(ZeroDivisionError):
        map_in_forks(functools.partial(fail_on, 1, "bug"), [1, 2, 3], 1)


def fail_on_any(bad: list[int], done: Path, value: int) -> int:
    if value in bad:
        raise InputFileError(f"{value}.csv", "unreadable")
    (done / str(value)).touch()
    return value
