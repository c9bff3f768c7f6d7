"""What publishers run besides build: import a CSV or XLSX file as a dataset (importer),
scaffold a catalog or a dataset (scaffold), and build-and-serve while editing (serve).

Above the pipeline: it may use any stage and the build itself."""
