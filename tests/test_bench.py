"""``ocdr bench``: one row per device x precision, every figure positive, as a table and as JSON; and every script
of ``benchmarks/`` at least starts (its options parse and its help prints)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import pytest

from ocdr.cli import main

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
SCRIPTS = sorted(p for p in BENCHMARKS.glob("*.py") if "__main__" in p.read_text(encoding="utf-8"))

TINY = ["--devices", "cpu", "--repeat", "1", "--crops", "8", "--dpi", "50", "--threads", "1"]


def test_bench_table_has_a_row_per_precision(capsys):
    assert main(["bench", *TINY]) == 0
    out = capsys.readouterr().out
    table = [line for line in out.splitlines() if line.startswith("| ")]
    header = [c.strip() for c in table[0].strip("|").split("|")]
    assert header[:3] == ["device", "precision", "threads"]
    columns = ["det 640x640 img/s", "det page 425x550 img/s", "rec crops/s (8 crops)", "e2e pages/s", "peak RSS MB"]
    assert set(columns) <= set(header)
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in table[1:]]
    assert [r[:3] for r in rows] == [["cpu", "fp32", "1"], ["cpu", "int8", "1"]]
    for row in rows:
        assert row[header.index("det page input")] == "416x544"
        assert all(float(row[header.index(c)]) > 0 for c in header if c.endswith(("/s", "crops)", "MB")))
    assert "not measured: cuda, tensorrt" in out


def test_bench_json(capsys):
    assert main(["bench", *TINY, "--precisions", "int8", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    (row,) = result["rows"]
    assert row["device"] == "cpu" and row["precision"] == "int8" and row["rec_crops_per_s"] > 0
    assert "onnxruntime" in result["machine"]


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.stem for p in SCRIPTS])
def test_benchmark_scripts_start(script):
    """A help text with a literal "%" once broke ``lone_characters.py --help``: each script's help prints."""
    if re.search(r"^from ocdr\.training\.(?!synth)", script.read_text(encoding="utf-8"), re.M) and not find_spec(
        "torch"
    ):
        pytest.skip("a benchmark of training code: needs the 'train' extra")
    done = subprocess.run([sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.startswith("usage:"), done.stderr[-2000:]
