"""Batch jobs (``ocdr read INPUTS -o OUT_DIR/``): the mirrored output tree, resume, the errors file, and outputs
byte-identical whichever runner read the pages (this process, worker processes, Ray actors)."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from conftest import pdf_bytes, png_bytes, render_lines

from ocdr.batch.job import ERRORS_FILE, BatchJob, run_batch
from ocdr.batch.plan import Plan, plan_job
from ocdr.batch.progress import format_duration
from ocdr.batch.runners import InProcessRunner, PageTask
from ocdr.cli import main
from ocdr.io.outputs import page_paths

TEXTS = {
    "a.png": "Alpha invoice number",
    "sub/b.png": "Bravo delivery note",
    "sub/doc.pdf": ["First page of the report", "Second page continues", "Third page ends here"],
}
RUN = ["--threads", "1", "--dpi", "100", "-q"]


def _image(text: str):
    return render_lines([text], size=30, margin=20)[0]


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    """in/a.png, in/sub/b.png and a 3-page in/sub/doc.pdf, each page one line of known text."""
    root = tmp_path_factory.mktemp("batch") / "in"
    (root / "sub").mkdir(parents=True)
    for name, text in TEXTS.items():
        data = pdf_bytes([_image(t) for t in text]) if isinstance(text, list) else png_bytes(_image(text))
        (root / name).write_bytes(data)
    return root


def _read(inputs: list[Path], out: Path, *args: str) -> int:
    return main(["read", *map(str, inputs), "-o", f"{out}/", *RUN, *args])


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def reference(tree: Path, tmp_path_factory) -> Path:
    """The tree read in this process, as JSON."""
    out = tmp_path_factory.mktemp("ref") / "out"
    assert _read([tree], out, "--format", "json") == 0
    return out


def test_outputs_mirror_the_input_tree(reference: Path):
    assert sorted(_files(reference)) == ["a.json", "sub/b.json", "sub/doc.json"]
    doc = json.loads((reference / "sub" / "doc.json").read_text())
    assert doc["source"].endswith("sub/doc.pdf") and [p["index"] for p in doc["pages"]] == [0, 1, 2]
    texts = [" ".join(w["text"] for b in p["blocks"] for ln in b["lines"] for w in ln["words"]) for p in doc["pages"]]
    assert texts == TEXTS["sub/doc.pdf"]
    alpha = json.loads((reference / "a.json").read_text())
    assert alpha["pages"][0]["blocks"][0]["text"] == TEXTS["a.png"]


def test_page_xml_is_a_file_per_page_and_text_a_file_per_input(tree: Path, tmp_path: Path):
    pdf, image = tree / "sub" / "doc.pdf", tree / "a.png"
    assert _read([pdf, image], tmp_path / "page", "--format", "page") == 0
    assert sorted(_files(tmp_path / "page")) == [
        "a.page.xml",
        "sub/doc_p1.page.xml",
        "sub/doc_p2.page.xml",
        "sub/doc_p3.page.xml",
    ]
    assert "Second page continues" in (tmp_path / "page" / "sub" / "doc_p2.page.xml").read_text()
    assert _read([pdf], tmp_path / "text", "--format", "text", "--pages", "2-3") == 0
    assert (tmp_path / "text" / "doc.txt").read_text() == "Second page continues\fThird page ends here\n"


def test_rerun_skips_finished_inputs_and_redoes_a_deleted_one(tree: Path, reference: Path, tmp_path, capsys):
    out = tmp_path / "out"
    shutil.copytree(reference, out)
    before = {name: (out / name).stat().st_mtime_ns for name in _files(out)}
    assert _read([tree], out, "--format", "json") == 0
    assert "files: 0 written, 3 skipped" in capsys.readouterr().err
    assert {name: (out / name).stat().st_mtime_ns for name in _files(out)} == before
    (out / "sub" / "doc.json").unlink()
    assert _read([tree], out, "--format", "json") == 0
    assert "files: 1 written, 2 skipped" in capsys.readouterr().err
    assert _files(out) == _files(reference)  # no temporary file left behind, the redone output as before
    assert not (out / ERRORS_FILE).exists()


def test_failures_go_to_the_errors_file_and_the_rest_is_written(tree: Path, tmp_path: Path, capsys):
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(tree / "a.png", inputs / "good.png")
    (inputs / "garbage.png").write_bytes(b"not an image at all")
    data = png_bytes(_image("truncated"))
    (inputs / "truncated.png").write_bytes(data[: len(data) // 2])  # header fine, pixel data cut: fails at its page
    out = tmp_path / "out"
    assert _read([inputs, tmp_path / "missing.png"], out, "--format", "hocr") == 1
    assert "files: 1 written, 0 skipped (output exists), 3 failed" in capsys.readouterr().err
    assert sorted(_files(out)) == ["in/good.hocr", ERRORS_FILE]
    assert "Alpha" in (out / "in" / "good.hocr").read_text()
    errors = {Path(e["input"]).name: e for e in map(json.loads, (out / ERRORS_FILE).read_text().splitlines())}
    assert sorted(errors) == ["garbage.png", "missing.png", "truncated.png"]
    assert errors["garbage.png"]["page"] is None and "not a supported image" in errors["garbage.png"]["reason"]
    assert errors["missing.png"]["page"] is None and "does not exist" in errors["missing.png"]["reason"]
    assert errors["truncated.png"]["page"] == 1 and "truncated" in errors["truncated.png"]["reason"]
    (inputs / "garbage.png").unlink()
    (inputs / "truncated.png").unlink()
    assert _read([inputs], out, "--format", "hocr") == 0  # what fails now: nothing, so no errors file
    assert not (out / ERRORS_FILE).exists()


def test_glob_patterns_and_an_output_folder_inside_the_input(tree: Path, tmp_path: Path):
    inputs = tmp_path / "in"
    shutil.copytree(tree, inputs)
    plan = plan_job([str(inputs / "**" / "*.png")], inputs / "out", "json")
    assert [f.output.relative_to(inputs / "out").as_posix() for f in plan.files] == ["a.json", "sub/b.json"]
    (inputs / "out").mkdir()
    shutil.copy(inputs / "sub" / "doc.pdf", inputs / "out" / "a.pdf")  # a searchable PDF of a.png written before
    shutil.copy(inputs / "sub" / "doc.pdf", inputs / "sub" / "b.pdf")  # b.pdf next to b.png: both keep their suffix
    plan = plan_job([str(inputs)], inputs / "out", "json")  # out/a.pdf is no output of this job: an input
    outputs = sorted(f.output.relative_to(inputs / "out").as_posix() for f in plan.files)
    assert outputs == ["a.json", "out/a.json", "sub/b.pdf.json", "sub/b.png.json", "sub/doc.json"]
    assert [f.pages for f in plan.files if f.source.name.endswith("doc.pdf")] == [[0, 1, 2]]
    plan = plan_job([str(inputs)], inputs / "out", "pdf")  # out/a.pdf is: left out, and a.png's output is done
    outputs = sorted(f.output.relative_to(inputs / "out").as_posix() for f in plan.files)
    assert outputs == ["sub/b.pdf.pdf", "sub/b.png.pdf", "sub/doc.pdf"] and len(plan.skipped) == 1
    assert (
        plan_job([str(tmp_path / "*.nothing")], tmp_path / "o", "json").failed[0][1] == "no file matches this pattern"
    )


def test_an_out_dir_that_holds_the_inputs_reads_them_and_not_its_outputs(tree: Path, tmp_path, monkeypatch, capsys):
    """``-o .`` or ``-o scans/`` beside the inputs: named files are always read; of the files found in a folder,
    only this job's own outputs are left out, and no output replaces an input (``doc.pdf`` -> ``doc.pdf.pdf``)."""
    scans = tmp_path / "scans"
    shutil.copytree(tree, scans)
    monkeypatch.chdir(scans)
    assert main(["read", "a.png", "-o", ".", *RUN]) == 0
    assert (scans / "a.txt").read_text() == TEXTS["a.png"] + "\n"
    capsys.readouterr()
    assert _read([scans], scans, "--format", "pdf") == 0
    assert "files: 3 written, 0 skipped" in capsys.readouterr().err
    assert {"a.pdf", "sub/b.pdf", "sub/doc.pdf", "sub/doc.pdf.pdf"} <= set(_files(scans))
    assert _read([scans], scans, "--format", "pdf") == 0  # a.pdf and b.pdf are outputs, not new inputs
    assert "files: 0 written, 3 skipped" in capsys.readouterr().err
    plan = plan_job(["a.pdf", "a.png"], Path("."), "pdf")  # named: read, each under its own long name
    assert [(f.source.name, f.output.name) for f in plan.files] == [("a.pdf", "a.pdf.pdf"), ("a.png", "a.png.pdf")]


def test_an_empty_job_is_a_failure(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.setattr("ocdr.batch.job.plan_job", lambda *args: Plan([], [], []))
    assert _read([tmp_path / "in"], tmp_path / "out") == 1
    assert "no input files to read" in capsys.readouterr().err
    (error,) = map(json.loads, (tmp_path / "out" / ERRORS_FILE).read_text().splitlines())
    assert error["page"] is None and error["reason"].startswith("no input files to read")


def test_page_files_of_different_inputs_never_collide(tree: Path, tmp_path: Path, capsys):
    """A 3-page ``doc.pdf`` (``doc_p1.page.xml``...) beside ``doc_p1.png`` (``doc_p1.page.xml``): both keep their
    suffix, and a rerun finds every page file."""
    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    shutil.copy(tree / "sub" / "doc.pdf", inputs / "doc.pdf")
    shutil.copy(tree / "a.png", inputs / "doc_p1.png")
    assert _read([inputs], out, "--format", "page") == 0
    assert "files: 2 written" in capsys.readouterr().err
    files = _files(out)
    assert sorted(files) == [f"doc.pdf_p{i}.page.xml" for i in (1, 2, 3)] + ["doc_p1.png.page.xml"]
    assert b'imageFilename="doc.pdf"' in files["doc.pdf_p1.page.xml"] and b"First page" in files["doc.pdf_p1.page.xml"]
    assert b'imageFilename="doc_p1.png"' in files["doc_p1.png.page.xml"]
    assert _read([inputs], out, "--format", "page") == 0
    assert "files: 0 written, 2 skipped" in capsys.readouterr().err


def test_a_long_pdf_is_split_into_page_tasks(tree: Path, tmp_path: Path):
    class Recording(InProcessRunner):
        def run(self, tasks: list[PageTask]):
            self.tasks = tasks
            return super().run(tasks)

    runner = Recording({"threads": 1, "dpi": 100})
    summary = run_batch(BatchJob([str(tree / "sub")], tmp_path, "tsv"), runner, quiet=True)
    assert (summary.written, summary.pages) == (2, 4)
    assert [(t.name.rsplit("/", 1)[-1], t.page) for t in runner.tasks] == [
        ("b.png", 0),
        ("doc.pdf", 0),
        ("doc.pdf", 1),
        ("doc.pdf", 2),
    ]


def test_workers_write_the_same_bytes_as_one_process(tree: Path, tmp_path: Path):
    """Searchable PDFs (a PDF input's own pages kept, image pages embedded), pages spread over two processes."""
    assert _read([tree], tmp_path / "one", "--format", "pdf") == 0
    assert _read([tree], tmp_path / "two", "--format", "pdf", "--workers", "2") == 0
    one, two = _files(tmp_path / "one"), _files(tmp_path / "two")
    assert sorted(one) == ["a.pdf", "sub/b.pdf", "sub/doc.pdf"] and one == two


def test_ray_writes_the_same_bytes_as_one_process(tree: Path, reference: Path, tmp_path: Path):
    ray = pytest.importorskip("ray")
    try:
        ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    except Exception as exc:  # Ray gives its node 30 s to start, which a machine under heavy load can miss
        pytest.skip(f"a local Ray instance did not start: {exc}")
    try:
        assert _read([tree], tmp_path / "ray", "--format", "json", "--workers", "2", "--ray") == 0
    finally:
        ray.shutdown()
    assert _files(tmp_path / "ray") == _files(reference)


def test_outputs_do_not_depend_on_when_they_were_written(tree: Path, reference: Path, tmp_path, monkeypatch):
    """Searchable PDFs always; PAGE XML (whose metadata says when it was made) with SOURCE_DATE_EPOCH set."""
    from ocdr.document import Document
    from ocdr.io.export import export
    from ocdr.io.searchable_pdf import to_pdf

    doc = Document.from_dict(json.loads((reference / "a.json").read_text()))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first = to_pdf(doc, tree / "a.png"), export(doc, "page")
    time.sleep(1.1)
    assert (to_pdf(doc, tree / "a.png"), export(doc, "page")) == first
    assert "<Created>2023-11-14T22:13:20+00:00</Created>" in first[1]


def test_usage_errors(tmp_path: Path, capsys):
    assert main(["read", "x.png", "--workers", "2"]) == 2
    assert "-o OUT_DIR/" in capsys.readouterr().err
    assert main(["read", "x.png", "-o", f"{tmp_path}/", "--vis", str(tmp_path / "vis")]) == 2
    with pytest.raises(SystemExit) as stopped:  # argparse's own refusal
        main(["read", "x.png", "-o", f"{tmp_path}/", "--workers", "0"])
    assert stopped.value.code == 2 and "want a whole number of 1 or more" in capsys.readouterr().err


def test_page_paths_and_durations():
    assert page_paths(Path("o/scan.page.xml"), 1) == [Path("o/scan.page.xml")]
    assert page_paths(Path("o/v1.2.page.xml"), 2) == [Path("o/v1.2_p1.page.xml"), Path("o/v1.2_p2.page.xml")]
    assert page_paths(Path("out.xml"), 2) == [Path("out_p1.xml"), Path("out_p2.xml")]
    assert (format_duration(75), format_duration(3725)) == ("1:15", "1:02:05")
