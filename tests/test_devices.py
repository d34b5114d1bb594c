"""The GPU path, tested on a CPU-only machine: provider lists and options, clear errors (never a silent CPU fallback),
and the recognizer's fixed-shape buckets giving the same text as plain batching."""

from __future__ import annotations

import os
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from ocdr.cli import main
from ocdr.errors import ModelError
from ocdr.models.recognition.preprocess import MAX_WIDTH, ShapeBuckets, bucket
from ocdr.pipeline import CROP_PAD_X, TextRecognizer, _in_order, region_crops
from ocdr.runtime import session
from ocdr.runtime.registry import shipped_model_path
from ocdr.runtime.session import OnnxModel, execution_providers

GPU_PROVIDERS = ["TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider"]


@pytest.fixture
def fake_gpu_build(monkeypatch):
    """An onnxruntime that claims the GPU providers (as onnxruntime-gpu does) on a machine without a GPU."""
    monkeypatch.setattr(session.ort, "get_available_providers", lambda: GPU_PROVIDERS)


def test_provider_lists_put_the_device_first(fake_gpu_build, tmp_path):
    assert execution_providers("cpu") == ["CPUExecutionProvider"]
    assert execution_providers("cuda") == ["CUDAExecutionProvider", "CPUExecutionProvider"]
    (trt, options), *rest = execution_providers("tensorrt", tmp_path / "engines")
    assert trt == "TensorrtExecutionProvider" and rest == ["CUDAExecutionProvider", "CPUExecutionProvider"]
    assert options["trt_fp16_enable"] == "True" and options["trt_engine_cache_enable"] == "True"
    assert options["trt_engine_cache_path"] == options["trt_timing_cache_path"] == str(tmp_path / "engines")


def test_default_trt_cache_follows_xdg(fake_gpu_build, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    (_, options), *_ = execution_providers("tensorrt")
    assert options["trt_engine_cache_path"] == str(tmp_path / "ocdr" / "tensorrt")


@pytest.mark.parametrize("device", ["cuda", "tensorrt"])
def test_missing_gpu_provider_is_a_clear_error(device, monkeypatch):
    monkeypatch.setattr(session.ort, "get_available_providers", lambda: ["CPUExecutionProvider"])
    with pytest.raises(ModelError, match=f"device '{device}' asked for.*onnxruntime-gpu"):
        OnnxModel(shipped_model_path("rec"), device=device)


@pytest.mark.parametrize("device", ["cuda", "tensorrt"])
def test_provider_that_fails_to_attach_is_an_error_not_a_cpu_fallback(device, fake_gpu_build, tmp_path):
    """onnxruntime drops a provider it cannot start and runs on the CPU: OnnxModel checks the session's providers."""
    with pytest.warns(UserWarning), pytest.raises(ModelError, match="failed to attach.*fell back to CPU"):
        OnnxModel(shipped_model_path("rec"), device=device, trt_cache=tmp_path / "engines")


def test_unknown_device():
    with pytest.raises(ValueError, match="unknown device 'gpu'"):
        execution_providers("gpu")


def test_cli_cuda_without_gpu_exits_non_zero_with_the_reason(capsys):
    if "CUDAExecutionProvider" in session.ort.get_available_providers():
        pytest.skip("this machine has a CUDA provider")
    assert main(["eval", "det", "--data", "nowhere", "--device", "cuda"]) == 2
    assert "CUDAExecutionProvider" in capsys.readouterr().err
    assert main(["bench", "--devices", "tensorrt"]) == 2
    assert "TensorrtExecutionProvider" in capsys.readouterr().err


def test_bucket_sizes():
    buckets = ShapeBuckets()
    assert [buckets.width(w) for w in (16, 64, 65, 300, 1000, MAX_WIDTH)] == [64, 64, 128, 512, 1024, MAX_WIDTH]
    assert [buckets.batch(n) for n in (1, 2, 8, 9, 100, 128)] == [1, 8, 8, 32, 128, 128]
    assert bucket(5000, (64, 128)) == 5000  # past the last bucket: the size itself


def test_bucketed_recognizer_reads_as_the_plain_one(text_page):
    """Bucketed batches (GPU devices) pad widths and rows, yet every crop reads the same, on a rendered page."""
    image, labels = text_page
    crops = region_crops(image, [label.polygon for label in labels], CROP_PAD_X)
    model = OnnxModel(shipped_model_path("rec"), threads=2)
    plain = TextRecognizer(model)
    bucketed = TextRecognizer(model, ShapeBuckets(widths=(64, 256, MAX_WIDTH), batches=(4, 16)))
    shapes = [batch.shape for _, batch, _ in bucketed.batches(crops, 32)]
    assert {s[0] for s in shapes} <= {4, 16} and {s[3] for s in shapes} <= {64, 256, MAX_WIDTH}
    expected, got = plain(crops), bucketed(crops)
    assert [r.text for r in got] == [r.text for r in expected]
    assert sum(r.text == label.text for r, label in zip(expected, labels, strict=True)) >= 0.9 * len(labels)
    assert np.abs(np.array([r.confidence for r in got]) - [r.confidence for r in expected]).max() < 0.05


def test_recognizer_workers_read_as_one_model_does(text_page, ocr):
    """``OCR(threads=2)`` on the CPU reads the recognizer's batches two at a time on one-thread workers: every crop
    of a rendered page reads as one two-thread model reads it, and the batches ran on the workers; a call of one
    batch is read by the two-thread model."""
    image, labels = text_page
    crops = region_crops(image, [label.polygon for label in labels], CROP_PAD_X)
    assert len(crops) > 16  # several batches of 8
    alone = TextRecognizer(OnnxModel(shipped_model_path("rec"), threads=2))
    model = OnnxModel(shipped_model_path("rec"), threads=1)
    ran_on = set()
    run = model.run

    def noted(batch: np.ndarray) -> np.ndarray:
        ran_on.add(threading.current_thread().name)
        return run(batch)

    model.run = noted  # type: ignore[method-assign]
    expected, got = alone(crops, 8), TextRecognizer(alone.model, workers=2, worker_model=model)(crops, 8)
    assert [r.text for r in got] == [r.text for r in expected]
    assert [r.positions for r in got] == [r.positions for r in expected]
    assert np.abs(np.array([r.confidence for r in got]) - [r.confidence for r in expected]).max() < 1e-5
    assert ran_on and all(name.startswith("ocdr-rec") for name in ran_on)
    ran_on.clear()
    TextRecognizer(alone.model, workers=2, worker_model=model)(crops[:8], 8)
    assert not ran_on  # one batch: the two-thread model reads it
    recognizer = ocr.pipeline.recognizer  # the shared OCR(threads=2)
    assert recognizer.pool is not None and recognizer.pool is recognizer.pool
    assert recognizer.worker_model.session.get_session_options().intra_op_num_threads == 1


def test_recognizer_workers_by_default_one_per_cpu(monkeypatch):
    """``OCR()`` with no ``threads`` reads the recognizer's batches one per CPU at a time, as ``OCR(threads=N)``
    does for N; one thread reads them one at a time, on the one model."""
    from ocdr import OCR

    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    recognizer = OCR().pipeline.recognizer
    assert recognizer.workers == 3 and recognizer.worker_model is not recognizer.model
    assert recognizer.worker_model.session.get_session_options().intra_op_num_threads == 1
    assert recognizer.model.session.get_session_options().intra_op_num_threads == 0  # ONNX Runtime's own count
    monkeypatch.setattr(os, "cpu_count", lambda: None)  # unknown: one
    assert OCR().pipeline.recognizer.workers == 1
    single = OCR(threads=1).pipeline.recognizer
    assert single.workers == 1 and single.worker_model is single.model and single.pool is None


def test_recognizer_workers_hold_few_batches_at_once():
    """The workers are handed a call's batches a few at a time, in order (``Executor.map`` would take them all at
    once, every batch's pixels as floats)."""
    taken: list[int] = []

    def items():
        for k in range(20):
            taken.append(k)
            yield k

    with ThreadPoolExecutor(2) as pool:
        out = _in_order(pool, lambda k: k * k, items(), 4)
        assert next(out) == 0 and len(taken) == 4
        assert list(out) == [k * k for k in range(1, 20)]


def test_recognizer_workers_start_again_in_a_forked_process(monkeypatch):
    """A process forked from one whose recognizer pool had started has none of its threads: the pool is made
    again there (by process id), so that work handed to it runs instead of waiting for ever."""
    model = OnnxModel(shipped_model_path("rec"), threads=1)
    recognizer = TextRecognizer(model, workers=2)
    assert TextRecognizer(model).pool is None
    first = recognizer.pool
    assert recognizer.pool is first
    monkeypatch.setattr(os, "getpid", lambda: -1)  # as in a forked child
    again = recognizer.pool
    assert again is not first and again is recognizer.pool
    assert again.submit(sum, [1, 2]).result(timeout=10) == 3


def resident_mb() -> float:
    """This process's resident memory (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="resident memory read from /proc")
def test_cpu_sessions_hold_no_second_copy_of_their_buffers():
    """On the CPU ONNX Runtime's memory pattern is off: with it, a model's second run at a size planned one block
    of its buffers on top of those the arena kept from the first (an A4 page at 300 dpi: 1.2 GB resident instead
    of 0.66), for no speed. A second and a third run at the same size now take nothing more."""
    model = OnnxModel(shipped_model_path("det"), threads=1)
    assert model.session.get_session_options().enable_mem_pattern is False
    page = np.zeros((1, 3, 1024, 1024), np.float32)
    model.run(page)
    after_one = resident_mb()
    model.run(page)
    model.run(page)
    assert resident_mb() - after_one < 20  # with the pattern: about 115 MB more at this size


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="resident memory read from /proc")
def test_sessions_without_a_kept_arena_hand_its_buffers_back():
    """``memory_arena=False`` (the server; ``ocdr read --no-memory-arena``): the arena serves each run and hands its
    free buffers back at the run's end. A 1536 x 1024 page leaves about 30 MB resident (its input and output)
    where a kept arena holds 170 MB more; reading with no arena at all was slower (the server: 5.8 pages/s
    against 6.8, memory as flat)."""
    model = OnnxModel(shipped_model_path("det"), threads=1, memory_arena=False)
    assert model.session.get_session_options().enable_cpu_mem_arena is True
    assert model.run_options.get_run_config_entry("memory.enable_memory_arena_shrinkage") == "cpu:0"
    page = np.zeros((1, 3, 1536, 1024), np.float32)
    before = resident_mb()
    model.run(page)
    model.run(page)
    assert resident_mb() - before < 90


def test_a_training_checkpoint_given_as_a_model_is_named_as_one(tmp_path):
    """A .pt checkpoint where an ONNX file is wanted: the error says to export it, not ONNX Runtime's protobuf
    parse failure."""
    checkpoint = tmp_path / "best.pt"
    with zipfile.ZipFile(checkpoint, "w") as archive:  # torch.save's layout: a zip archive
        archive.writestr("best/data.pkl", b"\x80\x02}q\x00.")
    with pytest.raises(ModelError, match="training checkpoint.*ocdr export"):
        OnnxModel(checkpoint)
