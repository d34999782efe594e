# Loading and validation only: config checks, raw-file discovery, shared parameters.

import os
from pathlib import Path

from snakemake.exceptions import WorkflowError

from rtp_eval.config import (
    code_fingerprint,
    config_fingerprint,
    file_years,
    load_schema,
    package_fingerprint,
    source_commit,
)
from rtp_eval.discovery import discover_raw_files, import_batches, import_cost_mb
from rtp_eval.goals_config import discover_owner_follow_up
from rtp_eval.outputs import (
    AUDIT_TABLE,
    GENDER_CASE_TABLES,
    GENDER_FIGURES,
    GENDER_TABLES,
    INTERSECTIONAL_FIGURES,
    INTERSECTIONAL_TABLES,
    PUBLISHED_TABLES,
    STRATA_TABLE,
)
from rtp_eval.pseudonymise import key_fingerprint, resolve_key
from rtp_eval.errors import UserFacingError
from rtp_eval.reference import reference_files
from rtp_eval.settings import resolve

# The loaded config is the region's overlay (config/config.yaml, then any --configfile and
# --config on top, merged by Snakemake). Checked once here, it becomes the complete
# configuration, every key not given taking its default from rtp_eval.settings: the rules and
# scripts read plain values, and the report's SHA-256 covers the defaults too.
try:
    RESOLVED_CONFIG = resolve(
        config, f"the configuration ({', '.join(map(str, workflow.configfiles))})"
    )
except UserFacingError as error:
    raise WorkflowError(error.user_message()) from None
config.clear()
config.update(RESOLVED_CONFIG)

RAW_DIR = Path(config["paths"]["raw"])
REFERENCE_DIR = Path(config["paths"]["reference"])
RESULTS = config["paths"]["results"]
REPORTS = config["paths"]["reports"]
EDITION = config["report"]["edition"]
# The whole package's code, stated in the report (whose rule takes it as its param).
CODE_VERSION = package_fingerprint()
SCRIPTS_DIR = Path(workflow.basedir) / "scripts"


def code_version(script):
    """A rule's param: the package code its script imports, so that an edit reruns the rules
    that run the edited module and no others."""
    return code_fingerprint(SCRIPTS_DIR / script)


CONFIG_HASH = config_fingerprint(config)
# The `niceness` param of the rules off the build's critical path (rtp_eval.runner.run_step):
# they get the processor when the jobs the report waits for leave it free.
OFF_CRITICAL_PATH_NICENESS = 10
CODE_COMMIT = source_commit(Path(workflow.basedir))
# Written by disclosure control and read by the audit: the case tables, their comparisons and
# the model results (their counts of complete cases are sums of strata).
PROTECTED_TABLES = (*GENDER_TABLES, *INTERSECTIONAL_TABLES)
# Of these, disclosure control writes all but the model results (rule publish_model_results).
CASE_TABLES_PROTECTED = (*GENDER_TABLES, STRATA_TABLE)

try:
    # Resolved at start-up so that a new key re-imports everything (its fingerprint is a
    # param); the key file is created here on first use.
    PSEUDONYM_KEY_FINGERPRINT = key_fingerprint(
        resolve_key(
            demo=config["demo"],
            use_demo_key=config["pseudonymisation"]["use_demo_key"],
            key_env=config["pseudonymisation"]["key_env"],
            key_file=config["pseudonymisation"]["key_file"],
            environ=dict(os.environ),
        )
    )
    RAW_FILES = discover_raw_files(RAW_DIR, file_years(config))
    # The optional owner follow-up (goals.smk) is imported like the case exports.
    OWNER_FOLLOW_UP_FILES, OWNER_FOLLOW_UP_IGNORED = discover_owner_follow_up(
        RAW_DIR, file_years(config)
    )
except UserFacingError as error:
    raise WorkflowError(error.user_message()) from None
OWNER_FOLLOW_UP_YEARS = sorted(OWNER_FOLLOW_UP_FILES)
for ignored in RAW_FILES.ignored:
    logger.warning(
        f"Ignored {ignored}: raw files must be named <YEAR>.csv or <YEAR>.xlsx"
    )
for ignored in OWNER_FOLLOW_UP_IGNORED:
    logger.warning(
        f"Ignored {ignored}: follow-up files must be named <YEAR>.csv or .xlsx"
    )
if not any(RAW_FILES.files.values()):
    raise WorkflowError(
        f"No raw files found in {RAW_DIR}/business_support or {RAW_DIR}/project_support. "
        "Put one file per decision year there, named <YEAR>.csv or <YEAR>.xlsx."
    )


def model_period():
    """The first and last year of the models' period (intersectional.model.period)."""
    strata = config["intersectional"]
    first, last = strata["periods"][strata["model"]["period"]]
    return int(first), int(last)


# The import jobs (rtp_eval.discovery.import_batches): the raw case exports as
# (source, year), by batch.
IMPORT_BATCHES = import_batches(
    {
        source: {year: import_cost_mb(path) for year, path in years.items()}
        for source, years in RAW_FILES.files.items()
    },
    model_period(),
)


def case_file_outputs(batch, template):
    """One path per file of `batch`, `template` formatted with its source and year."""
    return [
        template.format(source=source, year=year)
        for source, year in IMPORT_BATCHES[batch]
    ]


def import_workers(batch):
    """The worker processes of an import job: two (so that two jobs share four cores), at most
    one per file."""
    return max(1, min(2, len(IMPORT_BATCHES[batch])))


def import_runtime(batch):
    """Minutes: ten per file, the files side by side in `threads` workers."""
    files = len(IMPORT_BATCHES[batch])
    return lambda wildcards, threads: 10 * -(-files // threads)


def clean_files(source):
    return [
        f"{RESULTS}/clean/{source}/{year}.parquet" for year in RAW_FILES.years(source)
    ]


def memory_mb(base, per_input_mb):
    """A `mem_mb` resource that grows with the size of the job's input files.

    The factors come from the XL benchmark (benchmarks/README.md): peak memory per MB of input,
    with some headroom.
    """
    return lambda wildcards, input: int(base + per_input_mb * input.size_mb)


def file_memory_mb(path):
    """Reading a spreadsheet takes far more memory per MB of file than reading a CSV file."""
    per_mb = 100 if str(path).lower().endswith(".xlsx") else 18
    return per_mb * os.path.getsize(path) / 1e6


def import_memory_mb(wildcards, input, threads):
    """An import job's workers hold up to `threads` files at once: the largest ones, at most."""
    largest = sorted((file_memory_mb(path) for path in input.raw), reverse=True)
    return int(500 + sum(largest[:threads]))


def model_period_clean_files():
    """Business clean files of the MAIHDA model period."""
    first, last = model_period()
    years = RAW_FILES.years("business_support")
    return [
        f"{RESULTS}/clean/business_support/{year}.parquet"
        for year in years
        if first <= year <= last
    ]


def partial_files(source, kind):
    return [
        f"{RESULTS}/work/gender/{source}/{year}.{kind}.parquet"
        for year in RAW_FILES.years(source)
    ]


def import_outputs(kind, extension):
    """One output of every imported file: the case exports and the owner follow-up."""
    return [
        *(
            f"{RESULTS}/{kind}/{source}/{year}.{extension}"
            for source in RAW_FILES.files
            for year in RAW_FILES.years(source)
        ),
        *(
            f"{RESULTS}/{kind}/owner_follow_up/{year}.{extension}"
            for year in OWNER_FOLLOW_UP_YEARS
        ),
    ]


def read_settings(path):
    """How to read one raw file: its `files:` entry (by its path below paths.raw), the limits."""
    relative = Path(path).relative_to(RAW_DIR).as_posix()
    return {
        "read_options": config["files"].get(relative, {}),
        "limits": config["limits"],
    }


def import_settings(batch):
    """The parts of the config an import job depends on (a change reruns it)."""
    return {
        "limits": config["limits"],
        "demo": config["demo"],
        "region": config["region"],
        "validation": config["validation"],
        "pseudonymisation": config["pseudonymisation"],
        "classifications": config["classifications"],
        "columns": {
            source: config["sources"][source]["columns"]
            for source in sorted({source for source, _ in IMPORT_BATCHES[batch]})
        },
        "labels": config["labels"],
        "key_fingerprint": PSEUDONYM_KEY_FINGERPRINT,
    }


def import_files(batch):
    """Each file's source, year and `files:` read options, in the order of IMPORT_BATCHES."""
    return [
        {
            "source": source,
            "year": year,
            "read_options": read_settings(RAW_FILES.path(source, year))["read_options"],
        }
        for source, year in IMPORT_BATCHES[batch]
    ]


def analyst_images(wildcards):
    """Images the analyst's text may show (config/texts/, as rtp_eval.report allows): a new or
    changed image rebuilds the report."""
    suffixes = {".png", ".jpg", ".jpeg", ".gif", ".svg"}
    folder = Path("config") / "texts"
    return sorted(str(p) for p in folder.glob("*") if p.suffix.lower() in suffixes)
