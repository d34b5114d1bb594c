"""Batch jobs: ``ocdr read INPUTS -o OUT_DIR/`` writes one result per input, mirroring the input tree, resumably,
in this process, in worker processes (``--workers``) or on Ray (``--ray``); see docs/batch.md.

plan.py: inputs, output paths, resume; runners.py: where pages are read; job.py: running a job, the errors file and
the summary; progress.py: the progress line.
"""
