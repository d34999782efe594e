# Import: the raw case exports in batches, one job each (rtp_eval.import_step: the business
# exports of the models' period, of other years, the project exports), then a combined quality
# table. Each file is imported on its own, to its own outputs, with its year's gender breakdown
# cells; a job spreads its files over forked workers, since a Python start with pandas costs
# more than importing a region's yearly file. A new or changed file reruns its batch.

for batch in IMPORT_BATCHES:

    rule:
        name:
            f"import_{batch}"
        input:
            raw=[str(RAW_FILES.path(*file)) for file in IMPORT_BATCHES[batch]],
            reference=reference_files(REFERENCE_DIR),
        output:
            clean=case_file_outputs(
                batch, f"{RESULTS}/clean/{{source}}/{{year}}.parquet"
            ),
            quarantine=case_file_outputs(
                batch, f"{RESULTS}/quarantine/{{source}}/{{year}}.csv"
            ),
            quality=case_file_outputs(
                batch, f"{RESULTS}/work/import/{{source}}/{{year}}.json"
            ),
            cells=case_file_outputs(
                batch, f"{RESULTS}/work/gender/{{source}}/{{year}}.cells.parquet"
            ),
            cases=case_file_outputs(
                batch, f"{RESULTS}/work/gender/{{source}}/{{year}}.cases.parquet"
            ),
        log:
            f"logs/import/import_{batch}.log",
        benchmark:
            f"{RESULTS}/benchmarks/import/import_{batch}.tsv"
        threads: import_workers(batch)
        resources:
            mem_mb=import_memory_mb,
            runtime=import_runtime(batch),
        params:
            settings=import_settings(batch),
            files=import_files(batch),
            reference_dir=lambda wildcards, input: Path(input.reference[0]).parent,
            dominance_n=config["disclosure"]["dominance_n"],
            code=code_version("import_raw_files.py"),
        script:
            "../../scripts/import_raw_files.py"


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
        # Only the report reads its tables.
        niceness=OFF_CRITICAL_PATH_NICENESS,
        code=code_version("combine_import_quality.py"),
    script:
        "../../scripts/combine_import_quality.py"
