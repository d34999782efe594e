# Goal follow-up (Måluppfyllelse): the action plan's indicators against baselines and targets,
# and the optional follow-up of owned companies and member organisations.

import yaml

from rtp_eval.errors import ConfigError
from rtp_eval.goals_config import UNIT_SOURCES, load_definitions

INDICATORS_FILE = config.get("goals", {}).get("indicators", "config/indicators.yaml")
INDICATORS_SCHEMA = (
    Path(workflow.current_basedir).parent / "schemas" / "indicators.schema.yaml"
)
OWNER_FOLLOW_UP_COLUMNS = (
    config.get("goals", {}).get("owner_follow_up", {}).get("columns", {})
)

try:
    try:
        with open(INDICATORS_FILE, encoding="utf-8") as handle:
            INDICATOR_DOCUMENT = yaml.safe_load(handle)
    except OSError as error:
        raise ConfigError(
            "config/config.yaml",
            "goals.indicators",
            f"cannot open {INDICATORS_FILE}: {error}",
        ) from None
    except yaml.YAMLError as error:
        raise ConfigError(
            INDICATORS_FILE, "(file)", f"not valid YAML: {error}"
        ) from None
    INDICATOR_SETTINGS = load_definitions(
        INDICATOR_DOCUMENT,
        load_schema(INDICATORS_SCHEMA),
        INDICATORS_FILE,
        table_sources=GENDER_TABLES,
    )
except UserFacingError as error:
    raise WorkflowError(error.user_message()) from None

INDICATOR_TABLES = sorted(
    {i.source for i in INDICATOR_SETTINGS.indicators if i.source not in UNIT_SOURCES}
)


# Every year of the follow-up in one job: its files are a few rows each.
rule import_owner_follow_up:
    input:
        raw=[str(OWNER_FOLLOW_UP_FILES[year]) for year in OWNER_FOLLOW_UP_YEARS],
        reference=reference_files(REFERENCE_DIR),
    output:
        clean=expand(
            f"{RESULTS}/clean/owner_follow_up/{{year}}.parquet",
            year=OWNER_FOLLOW_UP_YEARS,
        ),
        quarantine=expand(
            f"{RESULTS}/quarantine/owner_follow_up/{{year}}.csv",
            year=OWNER_FOLLOW_UP_YEARS,
        ),
        quality=expand(
            f"{RESULTS}/work/import/owner_follow_up/{{year}}.json",
            year=OWNER_FOLLOW_UP_YEARS,
        ),
    log:
        "logs/import/import_owner_follow_up.log",
    benchmark:
        f"{RESULTS}/benchmarks/import/import_owner_follow_up.tsv"
    threads: 1
    resources:
        mem_mb=import_memory_mb,
        runtime=5,
    params:
        # Only the indicators read it, after disclosure control.
        niceness=OFF_CRITICAL_PATH_NICENESS,
        years=OWNER_FOLLOW_UP_YEARS,
        columns=OWNER_FOLLOW_UP_COLUMNS,
        read_options=[
            read_settings(OWNER_FOLLOW_UP_FILES[year])["read_options"]
            for year in OWNER_FOLLOW_UP_YEARS
        ],
        limits=config["limits"],
        labels=config.get("labels", {}),
        county_codes=config["region"]["county_codes"],
        reference_dir=lambda wildcards, input: Path(input.reference[0]).parent,
        code=code_version("import_owner_follow_up.py"),
    script:
        "../../scripts/import_owner_follow_up.py"


rule indicators:
    input:
        tables=expand(f"{RESULTS}/tables/{{name}}.csv", name=INDICATOR_TABLES),
        business=clean_files("business_support"),
        owner=expand(
            f"{RESULTS}/clean/owner_follow_up/{{year}}.parquet",
            year=OWNER_FOLLOW_UP_YEARS,
        ),
        schema=INDICATORS_SCHEMA,
    output:
        table=f"{RESULTS}/tables/indicators.csv",
    log:
        "logs/goals/indicators.log",
    benchmark:
        f"{RESULTS}/benchmarks/goals/indicators.tsv"
    threads: 1
    resources:
        mem_mb=memory_mb(500, 14),
        runtime=10,
    params:
        definitions=INDICATOR_DOCUMENT,
        definitions_file=INDICATORS_FILE,
        min_units=config["disclosure"]["min_units"],
        confidence_level=config["statistics"]["confidence_level"],
        code=code_version("indicators.py"),
    script:
        "../../scripts/indicators.py"
