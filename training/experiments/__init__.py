"""Training experiments that were measured and not adopted, and the probes that chose between
runs; kept runnable so a later run (on a GPU, with better data) starts from them. Their
figures are in the run-by-run notebook, docs/history/MODEL-CARD-NOTEBOOK.md."""
