"""MicroBatcher alone: callers' items share calls, results never mix, one bad input fails only its caller."""

from __future__ import annotations

import threading
import time

import pytest
from rapidfuzz.distance import Levenshtein

from ocdr.server.batching import BatchedRecognizer, MicroBatcher


def test_concurrent_callers_share_calls_and_get_their_own_results():
    calls: list[list[int]] = []

    def double(items: list[int]) -> list[int]:
        calls.append(list(items))
        time.sleep(0.01)
        return [2 * x for x in items]

    batcher = MicroBatcher(double, max_items=1000, max_wait=0.2)
    results: dict[int, list[int]] = {}
    barrier = threading.Barrier(8)

    def caller(k: int) -> None:
        barrier.wait()
        results[k] = batcher(list(range(k * 10, k * 10 + k + 1)))

    threads = [threading.Thread(target=caller, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    batcher.close()
    for k in range(8):
        assert results[k] == [2 * x for x in range(k * 10, k * 10 + k + 1)]
    assert len(calls) < 8  # callers were batched together
    assert sorted(x for call in calls for x in call) == sorted(
        x for k in range(8) for x in range(k * 10, k * 10 + k + 1)
    )


def test_max_items_bounds_a_call_and_on_batch_sees_every_call():
    seen: list[tuple[int, int]] = []
    release = threading.Event()

    def slow(items: list[int]) -> list[int]:
        release.wait(5)
        return items

    batcher = MicroBatcher(slow, max_items=4, max_wait=0.5, on_batch=lambda n, k: seen.append((n, k)))
    futures = [batcher.submit([i, i]) for i in range(6)]  # 12 items: the first call takes 4 (two callers)
    release.set()
    assert [f.result(5) for f in futures] == [[i, i] for i in range(6)]
    batcher.close()
    assert sum(n for n, _ in seen) == 12 and sum(k for _, k in seen) == 6
    assert all(n <= 4 for n, _ in seen)


def test_one_bad_item_fails_only_its_caller():
    def parse(items: list[str]) -> list[int]:
        return [int(x) for x in items]

    batcher = MicroBatcher(parse, max_items=100, max_wait=0.2)
    good, bad, other = batcher.submit(["1", "2"]), batcher.submit(["3", "x"]), batcher.submit(["4"])
    assert good.result(5) == [1, 2] and other.result(5) == [4]
    with pytest.raises(ValueError, match="invalid literal"):
        bad.result(5)
    assert batcher(["5"]) == [5]  # the thread lives on
    assert batcher([]) == []
    batcher.close()
    with pytest.raises(RuntimeError, match="closed"):
        batcher.submit(["6"])


def test_batched_recognizer_reads_like_the_plain_one(ocr, text_page):
    from ocdr.geometry import crop_region

    recognizer = ocr.pipeline.recognizer
    crops = [crop_region(text_page[0], r.polygon) for r in ocr(text_page[0]).pages[0].regions]
    batched = BatchedRecognizer.wrap(recognizer, max_batch=8, max_wait=0.01)
    try:
        got, want = [r.text for r in batched(crops)], [r.text for r in recognizer(crops)]
        # crops share model calls with different neighbours (each call pads to its widest crop, and the recognizer
        # reads a little of the padding): at most one crop may differ, by at most one character
        differ = [(a, b) for a, b in zip(got, want, strict=True) if a != b]
        assert len(got) == len(want) > 20 and len(differ) <= 1, differ
        assert all(Levenshtein.distance(a, b) <= 1 for a, b in differ), differ
        assert batched.lexicon is recognizer.lexicon is not None  # the pipeline checks readings against it
    finally:
        batched.close()
