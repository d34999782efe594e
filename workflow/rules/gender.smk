# Gender breakdown (3R: Representation and Resources) of decided business and project support:
# each import job aggregates its year's cells (import.smk), one job combines them into the
# unsuppressed case tables (rule disclosure_control publishes them).


rule gender_breakdown:
    input:
        business_cells=partial_files("business_support", "cells"),
        business_cases=partial_files("business_support", "cases"),
        project_cells=partial_files("project_support", "cells"),
        project_cases=partial_files("project_support", "cases"),
    output:
        work=expand(f"{RESULTS}/work/{{name}}.csv", name=GENDER_CASE_TABLES),
    log:
        "logs/gender/gender_breakdown.log",
    benchmark:
        f"{RESULTS}/benchmarks/gender/gender_breakdown.tsv"
    threads: 1
    resources:
        mem_mb=memory_mb(500, 40),
        runtime=20,
    params:
        periods=config["periods"],
        disclosure={**config["disclosure"], **config["statistics"]},
        code=code_version("gender_breakdown.py"),
    script:
        "../../scripts/gender_breakdown.py"


rule gender_figures:
    input:
        business=f"{RESULTS}/tables/business_support_by_gender.csv",
    output:
        expand(
            f"{RESULTS}/figures/{{name}}.{{ext}}",
            name=GENDER_FIGURES,
            ext=["svg", "json", "csv"],
        ),
    log:
        "logs/gender/gender_figures.log",
    benchmark:
        f"{RESULTS}/benchmarks/gender/gender_figures.tsv"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        demo=config["demo"],
        region=config["region"]["name"],
        statistics=config["statistics"],
        classifications=config["classifications"],
        code=code_version("gender_figures.py"),
    script:
        "../../scripts/gender_figures.py"
