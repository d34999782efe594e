"""Running one function over many items in forked worker processes.

A workflow step that handles many small inputs (the raw files) pays one interpreter start with
pandas and pyarrow instead of one per input: the workers are forked from the step's process
after it has loaded them. The results come back in the order of the items whatever the order
the workers finish in, so a step's outputs and log do not depend on timing.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from rtp_eval.errors import UserFacingError

Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass(frozen=True)
class _Failed:
    """An error raised in a worker, as text: exceptions with their own constructor arguments
    (InputFileError) cannot always be pickled back to the parent."""

    message: str
    user_facing: bool


class WorkerError(RuntimeError):
    """An unexpected error in a worker process; the message holds the worker's traceback."""


@dataclass(frozen=True)
class _Guarded(Generic[Item, Result]):
    function: Callable[[Item], Result]

    def __call__(self, item: Item) -> Result | _Failed:
        try:
            return self.function(item)
        except UserFacingError as error:
            return _Failed(error.user_message(), user_facing=True)
        except Exception:
            return _Failed(traceback.format_exc(), user_facing=False)


def _in_this_process(function: Callable[[Item], Result], item: Item) -> Result | UserFacingError:
    """The result, or the user-facing error (other errors propagate, for a debugger)."""
    try:
        return function(item)
    except UserFacingError as error:
        return error


def _results(outcomes: Sequence[Result | _Failed | UserFacingError]) -> list[Result]:
    """The results, or the errors: a bug first, else every user-facing error at once."""
    for outcome in outcomes:
        if isinstance(outcome, _Failed) and not outcome.user_facing:
            raise WorkerError(f"a worker process failed:\n{outcome.message}")
    errors = [o for o in outcomes if isinstance(o, _Failed | UserFacingError)]
    if len(errors) == 1 and isinstance(errors[0], UserFacingError):
        raise errors[0]
    if errors:
        raise UserFacingError(
            "\n".join(e.message if isinstance(e, _Failed) else e.user_message() for e in errors)
        )
    return [o for o in outcomes if not isinstance(o, _Failed | UserFacingError)]


def map_in_forks(
    function: Callable[[Item], Result],
    items: Sequence[Item],
    workers: int,
    cost: Callable[[Item], float] | None = None,
) -> list[Result]:
    """`[function(item) for item in items]`, over up to `workers` forked processes.

    `function` and the items are pickled to the workers (a module-level function, or a
    `functools.partial` of one). `cost` orders the work, largest first, so that one long item
    does not start last. With one worker or one item everything runs in this process.

    A `UserFacingError` (a file that cannot be read) does not stop the other items: once all
    have run, it is raised with the messages of every failed item, in the order of the items
    (a single error in this process as it is). Any other error raises a `WorkerError` with the
    worker's traceback; in this process it propagates at once.
    """
    if workers <= 1 or len(items) <= 1:
        return _results([_in_this_process(function, item) for item in items])
    import concurrent.futures
    import multiprocessing

    guarded = _Guarded(function)
    order = sorted(range(len(items)), key=lambda i: -cost(items[i])) if cost else range(len(items))
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=min(workers, len(items)), mp_context=multiprocessing.get_context("fork")
    ) as pool:
        futures = {i: pool.submit(guarded, items[i]) for i in order}
        outcomes = [futures[i].result() for i in range(len(items))]
    return _results(outcomes)
