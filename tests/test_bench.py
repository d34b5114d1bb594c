"""``ocdr bench``: one row per device x precision, every figure positive, as a table and as JSON; and every script
of ``benchmarks/`` at least starts (its options parse and its help prints); ``crop_cost.py``'s counts, ``peers.py``'s
pooled row and ``word_diff.py``'s lists."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib.util import find_spec, module_from_spec, spec_from_file_location
from pathlib import Path
from types import ModuleType

import pytest
from conftest import SHARED_DATA

from ocdr.cli import main

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
SCRIPTS = sorted(p for p in BENCHMARKS.glob("*.py") if "__main__" in p.read_text(encoding="utf-8"))


def benchmark(name: str, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The script ``benchmarks/<name>.py`` as a module (its folder on the path: scripts import helpers from beside
    them, such as ``peer_engines``)."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    spec = spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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


def test_peers_says_at_once_that_tesseract_is_missing(tmp_path):
    """Asked for Tesseract where none is installed, ``peers.py`` stops before it reads anything and says how to get
    it (it read the first set with the other engines, then crashed)."""
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "peers.py"), "rec", "--limit", "1"],
        env={**os.environ, "PATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and "tesseract is not installed (apt-get install" in done.stderr, done.stderr[-2000:]


@pytest.mark.skipif(not (SHARED_DATA / "recognition" / "svt_train").is_dir(), reason="needs ../shared/data")
def test_crop_cost_counts_each_stage_and_leaves_the_pipeline_as_it_was(tmp_path, monkeypatch):
    """``benchmarks/crop_cost.py`` on a dozen real scene words: each crop is read at least once in ``first``, the
    stages' readings add up to the total, the time splits into shares that add up to 1, and the pipeline's
    stages, recognizer, network and word list are unwrapped afterwards (later readings are not counted)."""
    source = SHARED_DATA / "recognition" / "svt_train"
    lines = (source / "gt_list.txt").read_text(encoding="utf-8").splitlines()[:12]
    (tmp_path / "gt_list.txt").write_text(
        "".join(f"{source / 'images' / name} {text}\n" for name, text in (line.split(" ", 1) for line in lines)),
        encoding="utf-8",
    )
    crop_cost = benchmark("crop_cost", monkeypatch)
    import ocdr.pipeline as pipeline_module
    from ocdr.api import OCR
    from ocdr.models.recognition.lexicon import Lexicon
    from ocdr.runtime.session import OnnxModel

    before = [getattr(pipeline_module, n) for n in crop_cost.STAGES]
    before += [pipeline_module.TextRecognizer.__call__, OnnxModel.run, Lexicon.correct]
    row = crop_cost.measure(OCR(threads=1), tmp_path, runs=1)
    assert row["crops"] == 12 and row["word acc"] >= 0.5
    assert row["first"] >= 1.0
    assert row["readings/crop"] == pytest.approx(sum(row[c] for c in crop_cost.COLUMNS))
    assert row["network"] > 0 and row["network"] + row["word list"] + row["rest"] == pytest.approx(1.0)
    after = [getattr(pipeline_module, n) for n in crop_cost.STAGES]
    after += [pipeline_module.TextRecognizer.__call__, OnnxModel.run, Lexicon.correct]
    assert after == before


def test_peers_pools_each_engine_over_its_sets(monkeypatch):
    """``peers.py rec``'s "all N sets" row: accuracies weighted by crops, the CER by characters, the speed all the
    crops over all the seconds (a slow large set weighs by its size), and a ratio to PP-OCRv4's pooled row."""
    peers = benchmark("peers", monkeypatch)
    rows = [
        {
            "set": "a",
            "engine": "x",
            "crops": 100,
            "word_accuracy": 0.5,
            "alnum_accuracy": 0.6,
            "cer": 0.1,
            "chars": 500,
            "crops_per_second": 100.0,
            "seconds": 1.0,
        },
        {
            "set": "b",
            "engine": "x",
            "crops": 300,
            "word_accuracy": 0.9,
            "alnum_accuracy": 1.0,
            "cer": 0.3,
            "chars": 1500,
            "crops_per_second": 100.0,
            "seconds": 3.0,
        },
        {
            "set": "a",
            "engine": peers.PPOCRv4.name,
            "crops": 100,
            "word_accuracy": 0.4,
            "alnum_accuracy": 0.4,
            "cer": 0.2,
            "chars": 500,
            "crops_per_second": 50.0,
            "seconds": 2.0,
        },
        {
            "set": "b",
            "engine": peers.PPOCRv4.name,
            "crops": 300,
            "word_accuracy": 0.8,
            "alnum_accuracy": 0.8,
            "cer": 0.2,
            "chars": 1500,
            "crops_per_second": 300.0,
            "seconds": 1.0,
        },
    ]
    mine, theirs = peers.pooled(rows)
    assert mine["set"] == theirs["set"] == "all 2 sets" and mine["crops"] == 400
    assert mine["word_accuracy"] == pytest.approx(0.8) and mine["alnum_accuracy"] == pytest.approx(0.9)
    assert mine["cer"] == pytest.approx(0.25) and mine["crops_per_second"] == pytest.approx(100.0)
    assert theirs["crops_per_second"] == pytest.approx(400 / 3)  # not the mean of 50 and 300 crops a second
    pooled = [mine, theirs]
    peers.add_ratios(pooled, "crops_per_second")
    assert mine["x_ppocr"] == pytest.approx(0.75)


@pytest.mark.skipif(not (SHARED_DATA / "detection" / "funsd_train").is_dir(), reason="needs ../shared/data")
def test_word_diff_lists_the_words_each_set_up_reads_alone(monkeypatch):
    """``word_diff.py`` on a real held-out-style form read by the shipped detector (A) and the synthetic-only one
    (B): every legible labelled word is counted once, each word one set-up alone reads gets a line saying what the
    other read over it, and the detector trained on real forms reads more of the form's words alone than the
    synthetic-only one. A set-up compared with itself differs in nothing."""
    word_diff = benchmark("word_diff", monkeypatch)
    from ocdr.api import OCR

    folder = SHARED_DATA / "detection" / "funsd_train"
    shipped, synthetic = OCR(threads=1), OCR(det_model="synthetic", threads=1)
    a = word_diff.read_pages(shipped, folder, segments=False, limit=1)
    b = word_diff.read_pages(synthetic, folder, segments=False, limit=1)
    diff = word_diff.compare(a, b)
    counts, lines = diff["counts"], diff["lines"]
    name, labels = a[0][:2]
    assert counts["words"] == sum(not label.ignore for label in labels) > 20
    assert counts["both"] + counts["A alone"] + counts["B alone"] + counts["neither"] == counts["words"]
    assert len(lines) == counts["A alone"] + counts["B alone"]
    assert counts["A alone"] > counts["B alone"] and counts["both"] > 0
    texts = {repr(label.text) for label in labels}
    assert all(page == name and by in ("A", "B") and text in texts and there for page, by, text, there in lines)
    same = word_diff.compare(a, a)["counts"]
    assert same["A alone"] == same["B alone"] == 0 and same["both"] == counts["both"] + counts["A alone"]


def test_peers_times_each_engine_by_its_fastest_round(monkeypatch):
    """``peers.py --rounds``: the first round's outputs are the ones scored, and each engine's time is its fewest
    seconds over the rounds, by engine (one engine's slow round does not count against it, nor another's fast one
    for it); an engine timed alone (Tesseract) gives one float per round."""
    peers = benchmark("peers", monkeypatch)
    times = [{"ocdr": 3.0, "ppocr": 1.0}, {"ocdr": 2.0, "ppocr": 4.0}, {"ocdr": 5.0, "ppocr": 1.5}]
    asked = []

    def run(r: int) -> tuple[dict[str, list[str]], dict[str, float]]:
        asked.append(r)
        return {"ocdr": [f"round {r}"], "ppocr": [f"round {r}"]}, times[r]

    outputs, seconds = peers.fastest(3, run)
    assert asked == [0, 1, 2]
    assert outputs == {"ocdr": ["round 0"], "ppocr": ["round 0"]}
    assert seconds == {"ocdr": 2.0, "ppocr": 1.0}
    assert peers.fastest(2, lambda r: (["words"], [4.0, 3.0][r])) == (["words"], 3.0)
