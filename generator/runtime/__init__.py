"""What every stage runs on, beneath the pipeline: the worker pool (parallel), progress
bars (progress), problem reports for terminals and --json (report), the one writer of the
output tree (output) and the build cache keyed by content hashes (cache).

Imports only the bottom layer (errors, policy, model, i18n), never a stage."""
