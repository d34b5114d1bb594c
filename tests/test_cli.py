"""The ``ocdr`` command: reading, formats, visualizations, errors and exit codes, evaluation."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import SAMPLE, SHARED_DATA, render_lines
from PIL import Image

from ocdr import __version__
from ocdr.cli import main
from ocdr.errors import about
from ocdr.io.labels import write_icdar_gt


def run_cli(*args: str, cwd: os.PathLike | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ocdr.cli", *args], capture_output=True, text=True, timeout=300, cwd=cwd
    )


def test_version_and_help():
    out = run_cli("--version")
    assert out.returncode == 0 and __version__ in out.stdout
    assert "read" in run_cli("--help").stdout


def test_read_sample_as_text_json_and_paddlex(tmp_path, capsys):
    assert main(["read", str(SAMPLE), "--threads", "2"]) == 0
    assert "Total due: $95.10" in capsys.readouterr().out
    out = tmp_path / "out.json"
    assert main(["read", str(SAMPLE), "--format", "json", "-o", str(out), "--vis", str(tmp_path / "vis")]) == 0
    doc = json.loads(out.read_text())
    assert doc["schema"] == "ocdr.document" and doc["pages"][0]["width"] == 900
    assert (tmp_path / "vis" / "letter.png").is_file()
    assert main(["read", str(SAMPLE), "--format", "paddlex", "--text-det-box-thresh", "0.5"]) == 0
    pages = json.loads(capsys.readouterr().out)
    assert pages[0]["text_det_params"]["box_thresh"] == 0.5 and "Invoice" in pages[0]["rec_texts"]


def test_folder_with_a_bad_file_reads_the_rest(tmp_path):
    image, _ = render_lines(["Folder test page"], margin=24)
    Image.fromarray(image).save(tmp_path / "a.png")
    (tmp_path / "b.png").write_bytes(b"garbage, not a png")
    out = run_cli("read", str(tmp_path), "--threads", "2")
    assert out.returncode == 1
    assert "Folder test page" in out.stdout
    assert "b.png" in out.stderr and "a.png" in out.stderr  # the error, and the progress line
    (error,) = [line for line in out.stderr.splitlines() if "not a supported image" in line]
    assert error == f"ocdr: {tmp_path / 'b.png'} is not a supported image or PDF"  # named once


def test_hidden_files_are_no_inputs_and_dash_is_stdout(tmp_path):
    """A folder copied from macOS holds "._a.png" beside "a.png" (no image): hidden files and folders are left out,
    where one failed the run; ``-o -`` writes to stdout, as ``-`` reads stdin (it wrote a file named "-")."""
    image, _ = render_lines(["Folder test page"], margin=24)
    Image.fromarray(image).save(tmp_path / "a.png")
    (tmp_path / "._a.png").write_bytes(b"\x00\x05\x16\x07 AppleDouble")
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "b.png").write_bytes(b"garbage")
    out = run_cli("read", str(tmp_path), "--threads", "2", "-o", "-", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "Folder test page" in out.stdout and not (tmp_path / "-").exists()


def test_errors_name_their_input_once():
    assert about("b.jpg", "b.jpg could not be decoded", 1) == "b.jpg page 1: could not be decoded"
    assert about("c.pdf", "c.pdf page 2 is too large", 2) == "c.pdf page 2 is too large"
    assert about("d.png", "d.png is not a supported image or PDF") == "d.png is not a supported image or PDF"
    assert about("e.tif", "out of memory", 3) == "e.tif page 3: out of memory"
    assert about("scan", "scanner failed") == "scan: scanner failed"  # a name is a whole word of the message


def test_read_from_stdin(tmp_path):
    """'-' reads an image or PDF piped in (named <stdin> in results), beside files; not in batch jobs."""
    data = SAMPLE.read_bytes()
    out = subprocess.run(
        [sys.executable, "-m", "ocdr.cli", "read", "--format", "json", "--threads", "2", "-", str(SAMPLE)],
        input=data,
        capture_output=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    piped, named = json.loads(out.stdout)
    assert piped["source"] == "<stdin>" and named["source"] == str(SAMPLE)
    for page in (*piped["pages"], *named["pages"]):
        page.pop("source")
    assert piped["pages"] == named["pages"]
    batch = subprocess.run(
        [sys.executable, "-m", "ocdr.cli", "read", "-", "-o", f"{tmp_path}/"], input=data, capture_output=True
    )
    assert batch.returncode == 2 and b"stdin ('-')" in batch.stderr


def test_a_reader_that_stops_early_ends_the_run_quietly(tmp_path):
    """``ocdr ... | head -1``: the pipe closes under the output; no traceback, no error line, exit 1."""
    image, _ = render_lines(["Closed pipe"], margin=24)
    for i in range(3):
        Image.fromarray(image).save(tmp_path / f"{i}.png")
    args = [
        sys.executable,
        "-m",
        "ocdr.cli",
        "recognize",
        "-q",
        "--threads",
        "1",
        *[str(p) for p in tmp_path.iterdir()],
    ]
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written: every write meets a closed pipe
    try:
        out = subprocess.run(args, stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=300)
    finally:
        os.close(write_end)
    assert out.returncode == 1 and out.stderr == ""


@pytest.mark.parametrize(
    "args",
    [
        ["read"],
        ["read", "x.png", "--format", "docx"],
        ["read", "x.png", "--pages", "0"],
        ["read", "x.png", "--text-det-thresh", "2"],
        ["read", "x.png", "--dpi", "0"],
        ["read", "in/", "-o", "out/", "--dpi", "-3"],  # batch too: it failed each PDF page in turn
        ["eval", "e2e", "--data", "d", "--one-bit", "255"],
        ["eval", "rec", "--data", "d", "--one-bit", "-1"],
        ["frobnicate"],
    ],
)
def test_usage_errors_exit_2(args):
    out = run_cli(*args)
    assert out.returncode == 2, out.stderr
    assert out.stderr


def _page_set(tmp_path, lines: list[str]):
    """An ICDAR page folder (images/, gts/) of one page rendered with ``lines``, and its labels."""
    root = tmp_path / "pages"
    (root / "images").mkdir(parents=True)
    (root / "gts").mkdir()
    image, labels = render_lines(lines, margin=30)
    Image.fromarray(image).save(root / "images" / "p1.png")
    write_icdar_gt(root / "gts" / "gt_p1.txt", labels)
    return root, labels


def test_textline_accuracy_leaves_out_regions_not_asked(tmp_path, capsys, monkeypatch):
    """A form's checkboxes are regions found by their shape, never asked which way up they are (``Region.angle``
    -1): the text-line figures leave them out instead of counting them wrong (held-out FUNSD forms upright read
    0.9943 so, 10 checkboxes among 1,740 regions)."""
    from ocdr.document import Region
    from ocdr.pipeline import OCRPipeline

    root, _ = _page_set(tmp_path, ["Checked boxes are not lines"])
    read_page = OCRPipeline.read_page
    box = np.array([[4, 4], [20, 4], [20, 20], [4, 20]], np.float64)

    def with_a_checkbox(self, *args, **kwargs):
        page = read_page(self, *args, **kwargs)
        page.regions.append(Region(box, 1.0, "\u2610", 1.0, True))
        return page

    monkeypatch.setattr(OCRPipeline, "read_page", with_a_checkbox)
    for rotate in ("0", "180"):
        args = ["eval", "e2e", "--data", str(root), "--json", "--rotate", rotate, "--use-textline-orientation"]
        assert main([*args, "--threads", "2"]) == 0
        result = json.loads(capsys.readouterr().out)
        assert result["textline_accuracy"] == 1.0 and result["textline_accuracy_matched"] == 1.0


def test_eval_e2e_on_rendered_pages(tmp_path, capsys):
    root, labels = _page_set(tmp_path, ["Evaluation of the pipeline", "works on rendered pages"])
    assert main(["eval", "e2e", "--data", str(root), "--json", "--threads", "2"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["pages"] == 1 and result["gt_words"] == len(labels)
    assert result["word_recall"] >= 0.8 and result["det_hmean"] >= 0.8
    assert "textline_accuracy" not in result
    # the page upside down, text-line orientation on: every region is found turned, and the words read right
    args = ["eval", "e2e", "--data", str(root), "--json", "--rotate", "180", "--use-textline-orientation"]
    assert main([*args, "--threads", "2"]) == 0
    turned = json.loads(capsys.readouterr().out)
    assert turned["textline_accuracy"] == 1.0 and turned["word_recall"] >= 0.8
    assert turned["textline_accuracy_matched"] == 1.0
    # photographed 35 degrees off: the labels turn with the page, and the deskew stage straightens it
    args = ["eval", "e2e", "--data", str(root), "--json", "--skew", "35", "--use-deskew", "--threads", "2"]
    assert main(args) == 0
    skewed = json.loads(capsys.readouterr().out)
    assert skewed["word_recall"] >= 0.8 and skewed["det_hmean"] >= 0.8
    # as a 1-bit scan of it: the page is black and white, and reads as the gray one does
    assert main(["eval", "e2e", "--data", str(root), "--json", "--one-bit", "128", "--threads", "2"]) == 0
    one_bit = json.loads(capsys.readouterr().out)
    assert one_bit["word_recall"] == result["word_recall"] and one_bit["det_hmean"] >= 0.8


@pytest.mark.skipif(not (SHARED_DATA / "detection" / "sroie_train").is_dir(), reason="needs ../shared/data")
def test_eval_scores_receipts_on_their_segments(capsys):
    """SROIE labels text segments ("TOTAL INCL. GST"), not words: scored word by word, most of what is read right
    matches no label; ``--segments`` groups the words (and detected regions) the way the labels do."""
    args = ["eval", "e2e", "--data", str(SHARED_DATA / "detection" / "sroie_train"), "--limit", "2", "--json"]
    figures = []
    for flags in ([], ["--segments"]):
        assert main([*args, *flags, "--threads", "2"]) == 0
        figures.append(json.loads(capsys.readouterr().out))
    words, segments = figures
    assert words["gt_words"] == segments["gt_words"] > 50
    assert segments["det_hmean"] > 0.8 > words["det_hmean"]
    assert segments["word_f"] > max(0.45, 1.5 * words["word_f"])


def test_eval_measures_several_sets_in_one_run(capsys):
    """A training run's OUT/val/* in one command: each set's figures, as measured alone, in the order given."""
    sets = [str(SHARED_DATA / "recognition" / name) for name in ("svt_train", "iiit5k_train")]
    alone = []
    for data in sets:
        assert main(["eval", "rec", "--data", data, "--limit", "12", "--threads", "1", "--json"]) == 0
        alone.append(json.loads(capsys.readouterr().out))
    assert main(["eval", "rec", "--data", *sets, "--limit", "12", "--threads", "1", "--json"]) == 0
    together = json.loads(capsys.readouterr().out)
    assert [r["data"] for r in together] == sets
    for one, many in zip(alone, together, strict=True):
        assert {k: v for k, v in one.items() if k != "crops_per_second"} == {
            k: v for k, v in many.items() if k != "crops_per_second"
        }
    assert main(["eval", "rec", "--data", *sets, "--limit", "12", "--threads", "1"]) == 0
    blocks = capsys.readouterr().out.split("\n\n")
    assert len(blocks) == 2
    assert [next(line.split()[-1] for line in b.splitlines() if line.startswith("data")) for b in blocks] == sets


def test_one_bit_copies_are_black_and_white_in_their_own_layout(capsys):
    from ocdr.evaluation.evaluate import one_bit

    gray = np.array([[0, 127, 128, 255]], np.uint8)
    assert one_bit(gray, 127).tolist() == [[0, 0, 255, 255]]
    assert one_bit(np.dstack([gray] * 3), 127).tolist() == [[[0] * 3, [0] * 3, [255] * 3, [255] * 3]]
    # crops made 1-bit at gray 0 are blank: nothing is read right
    args = ["eval", "rec", "--data", str(SHARED_DATA / "recognition" / "svt_train"), "--limit", "12", "--json"]
    assert main([*args, "--one-bit", "0", "--threads", "1"]) == 0
    assert json.loads(capsys.readouterr().out)["word_accuracy"] == 0.0


def test_read_runs_with_the_arena_unless_told_not_to():
    """``ocdr read`` reads pages one after another with ONNX Runtime's CPU memory arena (stop 79: with the memory
    pattern off, the arena made reading faster and its peak no higher); ``--no-memory-arena`` hands the arena's
    buffers back after each model call."""
    from ocdr.cli import _ocr_options, build_parser

    parser = build_parser()
    assert _ocr_options(parser.parse_args(["read", "x.png"]))["memory_arena"] is True
    assert _ocr_options(parser.parse_args(["read", "x.png", "--no-memory-arena"]))["memory_arena"] is False
    assert _ocr_options(parser.parse_args(["eval", "det", "--data", "d"]))["memory_arena"] is True


def test_pixel_aspect_for_a_fax_without_its_tags(tmp_path, capsys):
    """A standard-mode fax saved as a PNG keeps its squashed pixels but not its 204 x 98 DPI: ``--pixel-aspect``
    says what the file does not, and the page is read stretched back (read square, "4471" came out "44 71")."""
    import cv2
    import numpy as np

    image, _ = render_lines(["Telefax from the Portland office", "Invoice number 4471 attached"], margin=24)
    height, width = image.shape[:2]
    fax = cv2.resize(image, (width, round(height * 98 / 204)), interpolation=cv2.INTER_AREA)
    path = tmp_path / "fax.png"
    Image.fromarray(np.where(fax > 128, 255, 0).astype(np.uint8)).save(path)

    assert main(["read", str(path), "--threads", "2", "--pixel-aspect", str(204 / 98), "--format", "json"]) == 0
    page = json.loads(capsys.readouterr().out)["pages"][0]
    assert page["pixel_aspect"] == pytest.approx(204 / 98) and page["height"] == fax.shape[0]
    words = [word["text"] for block in page["blocks"] for line in block["lines"] for word in line["words"]]
    assert " ".join(words) == "Telefax from the Portland office Invoice number 4471 attached"
    assert main(["read", str(path), "--pixel-aspect", "0"]) == 2
    assert "pixel_aspect" in capsys.readouterr().err


def _word_page(text: str) -> Image.Image:
    image, _ = render_lines([text], size=30, margin=20)
    return Image.fromarray(image)


def test_vis_pictures_follow_the_batch_naming_rule(tmp_path):
    """Inputs that share a stem (``a.png``, ``a.jpg``) or a name in other folders get pictures of their own, every
    page of a multi-page input ``_pN``; ``--pages`` reads a one-page input whole."""
    from ocdr.cli import _vis_pictures

    scans, vis = tmp_path / "scans", tmp_path / "vis"
    (scans / "x").mkdir(parents=True)
    _word_page("Alpha").save(scans / "a.png")
    _word_page("Bravo").save(scans / "a.jpg")
    _word_page("Charlie").save(scans / "x" / "a.png")
    _word_page("One").save(scans / "multi.tif", save_all=True, append_images=[_word_page("Two"), _word_page("Three")])
    assert main(["read", str(scans), "--vis", str(vis), "--pages", "2-3", "--threads", "1", "-q"]) == 0
    assert sorted(p.relative_to(vis).as_posix() for p in vis.rglob("*.png")) == [
        "a.jpg.png",
        "a.png.png",
        "multi_p2.png",
        "multi_p3.png",
        "x/a.png",
    ]
    a, b = scans / "a.png", scans / "x" / "a.png"  # named one by one, in two folders; stdin; a picture over an input
    assert _vis_pictures([(a, a.parent), (b, b.parent), None], [1, 1, 2], vis) == [
        [vis / "a.png"],
        [vis / "x" / "a.png"],
        [vis / "stdin_p1.png", vis / "stdin_p2.png"],
    ]
    assert _vis_pictures([(a, a.parent)], [1], scans) == [[scans / "a.png.png"]]


def test_json_shape_follows_the_inputs_asked_for(tmp_path, capsys):
    """Several inputs or a folder: a list, however many were read (none: ``[]``); one named input: an object."""
    good, bad = tmp_path / "good.png", tmp_path / "bad.png"
    _word_page("Alpha").save(good)
    bad.write_bytes(b"not an image")
    run = ["--format", "json", "--threads", "1", "-q"]
    assert main(["read", str(good), str(bad), *run]) == 1
    (doc,) = json.loads(capsys.readouterr().out)
    assert doc["source"] == str(good)
    assert main(["read", str(bad), str(bad), *run]) == 1
    assert capsys.readouterr().out == "[]\n"
    assert main(["read", str(good), *run]) == 0
    assert json.loads(capsys.readouterr().out)["source"] == str(good)
    bad.unlink()
    assert main(["read", str(tmp_path), *run]) == 0
    assert [d["source"] for d in json.loads(capsys.readouterr().out)] == [str(good)]
