# Intersectional analysis of business support: MAIHDA models (only the model period's years,
# so adding a later year does not refit them) and the unsuppressed strata table; both are
# published by disclosure_control with the gender tables; then the figures, drawn from the
# published tables.


rule intersectional_models:
    input:
        business=model_period_clean_files(),
    output:
        summary=f"{RESULTS}/work/intersectional_models/summary.parquet",
        strata=f"{RESULTS}/work/intersectional_models/strata.parquet",
    log:
        "logs/intersectional/intersectional_models.log",
    benchmark:
        f"{RESULTS}/benchmarks/intersectional/intersectional_models.tsv"
    threads: 1
    resources:
        mem_mb=memory_mb(500, 20),
        runtime=60,
    params:
        # Nothing waits for the models before disclosure control is done.
        niceness=OFF_CRITICAL_PATH_NICENESS,
        intersectional=config.get("intersectional", {}),
        disclosure={**config["disclosure"], **config["statistics"]},
        age_breaks=config["classifications"]["age_breaks"],
        code=code_version("intersectional_models.py"),
    script:
        "../../scripts/intersectional_models.py"


rule intersectional_cells:
    input:
        business=clean_files("business_support"),
    output:
        work=f"{RESULTS}/work/cells/{STRATA_TABLE}.csv",
    log:
        "logs/intersectional/intersectional_cells.log",
    benchmark:
        f"{RESULTS}/benchmarks/intersectional/intersectional_cells.tsv"
    threads: 1
    resources:
        mem_mb=memory_mb(500, 18),
        runtime=20,
    params:
        intersectional=config.get("intersectional", {}),
        disclosure={**config["disclosure"], **config["statistics"]},
        age_breaks=config["classifications"]["age_breaks"],
        code=code_version("intersectional_cells.py"),
    script:
        "../../scripts/intersectional_cells.py"


rule intersectional:
    input:
        table=f"{RESULTS}/tables/{STRATA_TABLE}.csv",
        strata=f"{RESULTS}/tables/intersectional_model_strata.csv",
    output:
        figures=expand(
            f"{RESULTS}/figures/{{name}}.{{ext}}",
            name=INTERSECTIONAL_FIGURES,
            ext=["svg", "json", "csv"],
        ),
    log:
        "logs/intersectional/intersectional.log",
    benchmark:
        f"{RESULTS}/benchmarks/intersectional/intersectional.tsv"
    threads: 1
    resources:
        mem_mb=memory_mb(500, 18),
        runtime=20,
    params:
        intersectional=config.get("intersectional", {}),
        disclosure={**config["disclosure"], **config["statistics"]},
        age_breaks=config["classifications"]["age_breaks"],
        demo=config["demo"],
        region=config["region"]["name"],
        code=code_version("intersectional.py"),
    message:
        "The intersectional figures, drawn from the published strata table and model results"
    script:
        "../../scripts/intersectional.py"
