"""Running a workflow step: logging into the rule's log, and errors people can read."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from typing import Any

from rtp_eval.errors import UserFacingError

log = logging.getLogger("rtp_eval")


def configure_logging(log_file: str | None) -> None:
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file:
        handlers.append(logging.FileHandler(log_file, mode="w", encoding="utf-8"))
    logging.basicConfig(
        level=logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
        handlers=handlers,
        force=True,
    )


def step_niceness(params: Any) -> int:
    """The rule's `niceness` param: how much to lower the job's CPU priority (0: not at all)."""
    value = getattr(params, "niceness", 0) if params is not None else 0
    return int(value) if isinstance(value, int) and value > 0 else 0


def run_step(main: Callable[[Any], None], snakemake: Any) -> None:
    """Call `main(snakemake)`; a user-facing error ends the job with its message only.

    A rule off the build's critical path (nothing waits for it soon) may give a `niceness`
    param: the job then runs at that lower CPU priority, so that on a machine with fewer cores
    than running jobs the jobs that others wait for get the processor first.
    """
    log_files = list(getattr(snakemake, "log", []) or [])
    configure_logging(str(log_files[0]) if log_files else None)
    niceness = step_niceness(getattr(snakemake, "params", None))
    if niceness:
        os.nice(niceness)
    try:
        main(snakemake)
    except UserFacingError as error:
        log.error(error.user_message())
        sys.exit(1)
    except Exception:
        log.exception("Unexpected error; please report it with this log attached")
        raise
