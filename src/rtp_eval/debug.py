"""Run one rule's script outside Snakemake: in a debugger, a profiler or a notebook.

The scripts in `scripts/` read a global `snakemake` that the `script:` directive injects. This
module builds the same object for one job from the workflow itself (the Snakefile and its
config, loaded through Snakemake's Python API; no job is scheduled or run by Snakemake) and runs
the script with it, so the script runs unchanged:

    .venv/bin/python -m rtp_eval.debug import_project_support
    .venv/bin/python -m rtp_eval.debug --pdb gender_breakdown
    .venv/bin/python -m rtp_eval.debug edition_revisions edition=2012-2021

In a notebook, `snakemake = mock_snakemake("import_project_support")` gives the object (and
moves the working directory to the project, where Snakemake runs its jobs; a rule's wildcards
are keyword arguments); then `%run -i scripts/import_raw_files.py` (`-i`: the script sees
`snakemake`), or call the package functions the script calls, one at a time.

The object gives the script one thread whatever the rule declares, so that steps which spread
their work over forked processes (the import, disclosure control) do it all in this process,
where a debugger or profiler sees it.

The rule's inputs are used as they are: when one is missing, nothing runs and the message names
it with the Snakemake command that makes it. Outdated inputs are not rebuilt; run Snakemake first
when upstream code or data changed. Outputs and the log are written where Snakemake would write
them, but without Snakemake's metadata, so the next `snakemake` run may redo the job.

The log goes where it goes under Snakemake: `rtp_eval.runner.run_step` writes it to the
terminal (stderr) and to the rule's log file.

Exit codes: 0 the script ran, 1 the script failed, 2 the command names no job the workflow has
(unknown rule, wrong wildcards), 3 an input is missing.
"""

from __future__ import annotations

import argparse
import os
import runpy
import shlex
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from snakemake.api import SnakemakeApi
from snakemake.dag import DAG
from snakemake.exceptions import WorkflowError
from snakemake.io import IOCache
from snakemake.iocontainers import Snakemake
from snakemake.jobs import Job
from snakemake.settings.types import DAGSettings, ResourceSettings

from rtp_eval.errors import UserFacingError

EXIT_SCRIPT_FAILED = 1
EXIT_NO_SUCH_JOB = 2
EXIT_MISSING_INPUTS = 3


class NoSuchJobError(UserFacingError):
    """The rule or its wildcards do not name a job of the workflow."""


class MissingInputsError(UserFacingError):
    """Inputs of the job do not exist yet."""


@dataclass(frozen=True)
class RuleJob:
    """One job of the workflow, ready to run its script without Snakemake."""

    rule: str
    script: Path
    workdir: Path
    snakefile: Path
    snakemake: Snakemake


@dataclass(frozen=True)
class MissingInputs:
    """Inputs that do not exist: those a rule makes (`producible`) and those nothing makes."""

    producible: tuple[str, ...]
    unproducible: tuple[str, ...]


def find_project_root(start: Path) -> Path:
    """The nearest folder at or above `start` that holds a Snakefile (`start` if none does)."""
    for folder in (start, *start.parents):
        if (folder / "Snakefile").is_file():
            return folder
    return start


def parse_wildcards(assignments: Sequence[str]) -> dict[str, str]:
    """`["source=business_support", "year=2016"]` -> {"source": ..., "year": ...}."""
    wildcards: dict[str, str] = {}
    for assignment in assignments:
        name, equals, value = assignment.partition("=")
        if not equals or not name.strip():
            raise NoSuchJobError(
                f"'{assignment}' is not a wildcard: write name=value, e.g. year=2016"
            )
        if name.strip() in wildcards:
            raise NoSuchJobError(f"Wildcard '{name.strip()}' is given twice")
        wildcards[name.strip()] = value.strip()
    return wildcards


def check_wildcard_names(rule: str, needed: set[str], given: Mapping[str, str]) -> None:
    """The wildcards of the command line must be exactly those of the rule."""
    missing = sorted(needed - set(given))
    unknown = sorted(set(given) - needed)
    if not missing and not unknown:
        return
    problems = []
    if missing:
        problems.append(f"missing {', '.join(missing)}")
    if unknown:
        problems.append(f"rule {rule} has no wildcard {', '.join(unknown)}")
    usage = " ".join(f"{name}=..." for name in sorted(needed)) or "(no wildcards)"
    raise NoSuchJobError(
        f"Wrong wildcards for rule {rule} ({'; '.join(problems)}).\n"
        f"Usage: python -m rtp_eval.debug {rule} {usage}"
    )


def snakemake_command(
    workdir: Path, snakefile: Path, targets: Sequence[str], invoked_from: Path
) -> str:
    """The command that makes `targets`, runnable from the folder `invoked_from`."""
    executable = Path(sys.executable).with_name("snakemake")
    program = _shown(executable, invoked_from) if executable.exists() else "snakemake"
    location: list[str] = []
    if snakefile.resolve() != (workdir / "Snakefile").resolve():
        location = ["--snakefile", _shown(snakefile, invoked_from)]
    if location or workdir.resolve() != invoked_from.resolve():
        location += ["--directory", _shown(workdir, invoked_from)]
    return shlex.join([program, "--cores", "all", *location, *targets])


def missing_inputs_message(
    rule: str, missing: MissingInputs, workdir: Path, snakefile: Path, invoked_from: Path
) -> str:
    lines = [
        f"Rule {rule} cannot run yet: inputs are missing "
        f"(paths below {_shown(workdir, invoked_from)})."
    ]
    if missing.producible:
        command = snakemake_command(workdir, snakefile, missing.producible, invoked_from)
        lines += [
            "Made by the workflow:",
            *(f"  {path}" for path in missing.producible),
            "Make them with:",
            f"  {command}",
        ]
    if missing.unproducible:
        lines += [
            "No rule makes these; they are files you provide (raw data, reference data, texts):",
            *(f"  {path}" for path in missing.unproducible),
        ]
    return "\n".join(lines)


def load_job(
    rule: str,
    wildcards: Mapping[str, str],
    *,
    workdir: Path | None = None,
    snakefile: Path | None = None,
) -> RuleJob:
    """Build the `snakemake` object of one job from the workflow, as the `script:` directive does.

    Raises NoSuchJobError for an unknown rule or wrong wildcards and MissingInputsError when
    an input does not exist. Paths in the object are relative to `workdir`, as under Snakemake.
    """
    invoked_from = Path.cwd()
    workdir = (workdir or find_project_root(invoked_from)).resolve()
    snakefile = (snakefile or workdir / "Snakefile").resolve()
    if not snakefile.is_file():
        raise NoSuchJobError(f"No Snakefile at {snakefile}: give the project with --snakefile")
    with SnakemakeApi() as api:
        # The API moves into `workdir` and back out when the block ends.
        workflow_api = api.workflow(
            resource_settings=ResourceSettings(cores=os.cpu_count() or 1),
            snakefile=snakefile,
            workdir=workdir,
        )
        # Sets the DAG settings the rules and jobs below read; nothing is scheduled.
        workflow_api.dag(DAGSettings())
        # The Python API has no public way to a single job: these are the internals that
        # `snakemake --dry-run` goes through too.
        workflow = workflow_api._workflow
        # Resources depending on input sizes (mem_mb) read file sizes through this cache.
        workflow.iocache = IOCache(0)
        script_rules = {r.name: r for r in workflow.rules if r.script}
        if rule not in script_rules:
            known = ", ".join(sorted(script_rules))
            what = "has no script" if workflow.is_rule(rule) else "is not a rule of the workflow"
            raise NoSuchJobError(f"'{rule}' {what}. Rules with a script: {known}")
        snakemake_rule = script_rules[rule]
        check_wildcard_names(rule, set(snakemake_rule.wildcard_names), wildcards)
        # Checked before the input functions run, which may fail on a value outside them.
        outputs, _ = snakemake_rule.expand_output(dict(wildcards))
        if not all(snakemake_rule.is_producer(path) for path in outputs):
            raise NoSuchJobError(
                f"{_listed(wildcards)} do not match the values the workflow allows for rule "
                f"{rule} (its wildcard_constraints)"
            )
        try:
            job = Job(snakemake_rule, DAG(workflow, rules=[snakemake_rule]), dict(wildcards))
        except WorkflowError as error:
            raise NoSuchJobError(
                f"The workflow has no job of rule {rule} for {_listed(wildcards)}:\n{error}"
            ) from None
        missing = [str(path) for path in job.input if not os.path.exists(path)]
        if missing:
            producible = tuple(p for p in missing if any(r.is_producer(p) for r in workflow.rules))
            unproducible = tuple(p for p in missing if p not in producible)
            raise MissingInputsError(
                missing_inputs_message(
                    rule, MissingInputs(producible, unproducible), workdir, snakefile, invoked_from
                )
            )
        script = Path(snakemake_rule.basedir) / snakemake_rule.script
        mock = Snakemake(
            job.input,
            job.output,
            job.params,
            job.wildcards,
            # One thread: all the work in this process (see the module's text).
            1,
            job.resources,
            job.log,
            workflow.config,
            rule,
            None,
            str(script.parent.resolve()),
        )
    return RuleJob(rule, script.resolve(), workdir, snakefile, mock)


def prepare_run(job: RuleJob) -> None:
    """Move into the project and create the folders of the outputs and the log, as Snakemake
    does before a job."""
    os.chdir(job.workdir)
    for path in [*job.snakemake.output, *job.snakemake.log]:
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def mock_snakemake(
    rule: str,
    workdir: Path | str | None = None,
    snakefile: Path | str | None = None,
    **wildcards: str,
) -> Snakemake:
    """The `snakemake` object a rule's script receives, for a notebook or an interactive session.

    Moves the working directory to the project (`workdir`, by default the nearest folder with a
    Snakefile), where the object's relative paths point, and creates the output and log
    folders. Raises MissingInputsError naming missing inputs and the command that makes them.
    """
    job = load_job(
        rule,
        {name: str(value) for name, value in wildcards.items()},
        workdir=Path(workdir) if workdir is not None else None,
        snakefile=Path(snakefile) if snakefile is not None else None,
    )
    prepare_run(job)
    return job.snakemake


def run_script(job: RuleJob) -> None:
    """Run the rule's script with `snakemake` as a global, in the project folder."""
    prepare_run(job)
    # Snakemake puts the script's folder on the path so that it can import its neighbours.
    sys.path.append(str(job.script.parent))
    runpy.run_path(str(job.script), init_globals={"snakemake": job.snakemake}, run_name="__main__")


def _shown(path: Path, base: Path) -> str:
    """`path` relative to `base` when below it, else absolute."""
    absolute = path.absolute()
    try:
        return absolute.relative_to(base.absolute()).as_posix() or "."
    except ValueError:
        return absolute.as_posix()


def _listed(wildcards: Mapping[str, str]) -> str:
    return ", ".join(f"{name}={value}" for name, value in wildcards.items()) or "no wildcards"


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m rtp_eval.debug",
        description="Run one rule's script without Snakemake, with the inputs, outputs, params "
        "and config the workflow gives it (for a debugger or a profiler).",
        epilog="Examples: python -m rtp_eval.debug import_project_support; "
        "python -m rtp_eval.debug edition_revisions edition=2012-2021",
    )
    parser.add_argument("rule", help="name of the rule, e.g. gender_breakdown")
    parser.add_argument(
        "wildcards",
        nargs="*",
        metavar="NAME=VALUE",
        help="the job's wildcards, e.g. edition=2012-2021",
    )
    parser.add_argument(
        "--directory",
        type=Path,
        help="the project's working directory (default: nearest folder with a Snakefile)",
    )
    parser.add_argument(
        "--snakefile", type=Path, help="the workflow (default: Snakefile in the directory)"
    )
    parser.add_argument(
        "--pdb", action="store_true", help="open the debugger where the script fails"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _arguments(argv)
    try:
        job = load_job(
            arguments.rule,
            parse_wildcards(arguments.wildcards),
            workdir=arguments.directory,
            snakefile=arguments.snakefile,
        )
    except NoSuchJobError as error:
        print(error.user_message(), file=sys.stderr)
        return EXIT_NO_SUCH_JOB
    except MissingInputsError as error:
        print(error.user_message(), file=sys.stderr)
        return EXIT_MISSING_INPUTS
    except (UserFacingError, WorkflowError) as error:
        # The workflow itself does not load (a configuration error, say): as `snakemake` says.
        print(f"The workflow cannot be loaded:\n{error}", file=sys.stderr)
        return EXIT_NO_SUCH_JOB
    try:
        run_script(job)
    except SystemExit as stop:
        # run_step ends with exit status 1 after logging a user-facing error.
        return _exit_status(stop.code)
    except Exception:
        if not arguments.pdb:
            print(
                f"Rule {job.rule} failed (traceback above and in its log); rerun with --pdb "
                "to inspect it in the debugger.",
                file=sys.stderr,
            )
            return EXIT_SCRIPT_FAILED
        import pdb

        pdb.post_mortem(sys.exc_info()[2])
        return EXIT_SCRIPT_FAILED
    print(f"Rule {job.rule} done: {', '.join(job.snakemake.output)}", file=sys.stderr)
    return 0


def _exit_status(code: Any) -> int:
    if code is None:
        return 0
    return code if isinstance(code, int) else EXIT_SCRIPT_FAILED


if __name__ == "__main__":
    sys.exit(main())
