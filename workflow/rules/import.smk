# Import: one job per source x year, then a combined quality table. The import job also
# aggregates the year's gender breakdown cells while its clean table is fresh: one process per
# file instead of two, since a Python start with pandas costs more than the aggregation itself.


rule import_raw_file:
    input:
        raw=raw_file,
        reference=reference_files(REFERENCE_DIR),
    output:
        clean=f"{RESULTS}/clean/{{source}}/{{year}}.parquet",
        quarantine=f"{RESULTS}/quarantine/{{source}}/{{year}}.csv",
        quality=f"{RESULTS}/work/import/{{source}}/{{year}}.json",
        cells=f"{RESULTS}/work/gender/{{source}}/{{year}}.cells.parquet",
        cases=f"{RESULTS}/work/gender/{{source}}/{{year}}.cases.parquet",
    log:
        "logs/import/{source}/{year}.log",
    benchmark:
        f"{RESULTS}/benchmarks/import/{{source}}/{{year}}.tsv"
    threads: 1
    resources:
        mem_mb=import_memory_mb,
        runtime=10,
    params:
        settings=import_settings,
        reference_dir=lambda wildcards, input: Path(input.reference[0]).parent,
        dominance_n=config["disclosure"]["dominance_n"],
        code=code_version("import_raw_file.py"),
    script:
        "../../scripts/import_raw_file.py"


rule combine_import_quality:
    input:
        quality=import_outputs("work/import", "json"),
        clean=import_outputs("clean", "parquet"),
        quarantine=import_outputs("quarantine", "csv"),
    output:
        table=f"{RESULTS}/tables/import_quality.csv",
        reasons=f"{RESULTS}/tables/import_quarantine_reasons.csv",
        readme=f"{RESULTS}/quarantine/README.md",
    log:
        "logs/import/combine_import_quality.log",
    benchmark:
        f"{RESULTS}/benchmarks/import/combine_import_quality.tsv"
    threads: 1
    resources:
        mem_mb=memory_mb(500, 10),
        runtime=10,
    params:
        code=code_version("combine_import_quality.py"),
    script:
        "../../scripts/combine_import_quality.py"
