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


rule import_owner_follow_up:
    input:
        raw=lambda wildcards: OWNER_FOLLOW_UP_FILES[int(wildcards.year)],
        reference=reference_files(REFERENCE_DIR),
    output:
        clean=f"{RESULTS}/clean/owner_follow_up/{{year}}.parquet",
        quarantine=f"{RESULTS}/quarantine/owner_follow_up/{{year}}.csv",
        quality=f"{RESULTS}/work/import/owner_follow_up/{{year}}.json",
    log:
        "logs/import/owner_follow_up/{year}.log",
    benchmark:
        f"{RESULTS}/benchmarks/import/owner_follow_up/{{year}}.tsv"
    threads: 1
    resources:
        mem_mb=import_memory_mb,
        runtime=5,
    params:
        columns=OWNER_FOLLOW_UP_COLUMNS,
        read=lambda wildcards: read_settings(OWNER_FOLLOW_UP_FILES[int(wildcards.year)]),
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
            year=sorted(OWNER_FOLLOW_UP_FILES),
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
