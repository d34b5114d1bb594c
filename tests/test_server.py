"""The HTTP service, run for real: uvicorn on a free local port, a real HTTP client, the shipped models."""

from __future__ import annotations

import base64
import http.server
import io
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import requests
from conftest import (
    PAGE_LINES,
    SHARED_DATA,
    encrypted_pdf,
    huge_png_header,
    loose,
    pdf_bytes,
    pdf_without_pages,
    png_bytes,
    render_lines,
)
from PIL import Image

from ocdr.io.export import page_to_paddlex
from ocdr.server.app import create_app
from ocdr.server.config import ServerConfig
from ocdr.server.paddlex import request_params
from ocdr.server.schemas import NimResponse, PaddleXOCRRequest, PaddleXOCRResponse

uvicorn = pytest.importorskip("uvicorn")

ENVELOPE_KEYS = {"logId", "errorCode", "errorMsg"}
SEED_003_CLIENT = """
import base64
import requests
API_URL = "http://localhost:8080/ocr"
file_path = "./demo.jpg"
with open(file_path, "rb") as file:
    file_bytes = file.read()
    file_data = base64.b64encode(file_bytes).decode("ascii")
payload = {"file": file_data, "fileType": 1}
# Call the API
response = requests.post(API_URL, json=payload)
# Process the response data
assert response.status_code == 200
result = response.json()["result"]
for i, res in enumerate(result["ocrResults"]):
    print("Detected texts:")
    print(res["texts"])
    output_img_path = f"out_{i}.jpg"
    with open(output_img_path, "wb") as f:
        f.write(base64.b64decode(res["image"]))
    print(f"Output image saved at {output_img_path}")
"""


class LiveServer:
    """``create_app(config)`` served by uvicorn in a thread, on a port of its own."""

    def __init__(self, config: ServerConfig):
        self.app = create_app(config)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(
            uvicorn.Config(self.app, log_level="warning", timeout_graceful_shutdown=30, lifespan="on")
        )
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/ready", timeout=5).status_code == 200:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not become ready")

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=60)
        self.sock.close()

    def post(self, path: str, **kw) -> requests.Response:
        return requests.post(self.url + path, timeout=120, **kw)


@pytest.fixture(scope="module")
def server():
    config = ServerConfig(
        threads=1, concurrency=3, max_wait_ms=20, max_body_bytes=4_000_000, max_pixels=4_000_000, max_pages=5
    )
    with LiveServer(config) as live:
        yield live


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def expected_texts(ocr, image: np.ndarray) -> list[str]:
    """What the Python API reads on the same pixels: the server must give exactly this."""
    return page_to_paddlex(ocr(image).pages[0])["rec_texts"]


def assert_error(response: requests.Response, status: int, fragment: str = "") -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == ENVELOPE_KEYS
    assert body["errorCode"] == status
    assert fragment.lower() in body["errorMsg"].lower()
    assert body["errorMsg"]


@pytest.fixture(scope="module")
def numbered_pages():
    """Twelve small pages, each saying which one it is."""
    return [render_lines([f"Page {100 + n} of twelve"], margin=20)[0] for n in range(1, 13)]


# ---- PaddleX /ocr --------------------------------------------------------------------------------------------------


def test_seed_003_client_works_unchanged(server, text_page, ocr, tmp_path):
    Image.fromarray(text_page[0]).save(tmp_path / "demo.jpg", quality=95)
    script = SEED_003_CLIENT.replace("http://localhost:8080", server.url)
    run = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "Detected texts:" in run.stdout and "Output image saved at out_0.jpg" in run.stdout
    for word in ["Quarterly", "northern", "Revenue", "handling"]:
        assert f"'text': '{word}'" in run.stdout
    with Image.open(tmp_path / "out_0.jpg") as vis:  # the annotated result: page and text side by side
        assert vis.format == "JPEG"
        assert vis.size == (2 * text_page[0].shape[1], text_page[0].shape[0])


def test_ocr_image_contract(server, text_page, ocr):
    image = text_page[0]
    response = server.post("/ocr", json={"file": b64(png_bytes(image)), "fileType": 1})
    assert response.status_code == 200
    body = response.json()
    PaddleXOCRResponse.model_validate(body)
    assert set(body) == ENVELOPE_KEYS | {"result"}
    assert (body["errorCode"], body["errorMsg"]) == (0, "Success")
    assert re.fullmatch(r"[0-9a-f-]{36}", body["logId"])
    result = body["result"]
    assert set(result) == {"ocrResults", "dataInfo"}
    assert result["dataInfo"] == {"width": image.shape[1], "height": image.shape[0], "type": "image"}
    (page,) = result["ocrResults"]
    assert set(page) == {"texts", "image"}
    assert [t["text"] for t in page["texts"]] == expected_texts(ocr, image)
    assert loose(" ".join(t["text"] for t in page["texts"])).split() == loose(" ".join(PAGE_LINES)).split()
    for text in page["texts"]:
        assert set(text) == {"poly", "text", "score"}
        assert len(text["poly"]) == 4 and all(isinstance(v, int) for point in text["poly"] for v in point)
        assert 0.5 < text["score"] <= 1.0
    with Image.open(io.BytesIO(base64.b64decode(page["image"]))) as vis:
        assert vis.format == "JPEG"


def test_ocr_pdf_reads_the_first_ten_pages(server, numbered_pages):
    response = server.post("/ocr", json={"file": b64(pdf_bytes(numbered_pages)), "visualize": False})
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    assert len(result["ocrResults"]) == 10
    info = result["dataInfo"]
    assert info["type"] == "pdf" and info["numPages"] == 10 and len(info["pages"]) == 10
    assert set(info["pages"][0]) == {"width", "height"}
    for n, page in enumerate(result["ocrResults"], start=1):
        # which page is which, case aside: "of" and "Of" differ only in size, and the pages are upscaled renders
        assert " ".join(t["text"] for t in page["texts"]).lower() == f"page {100 + n} of twelve"
        assert page["image"] is None


def test_paddlex_max_long_side_stays_a_cap():
    """PaddleX's maxLongSide caps the detector's input: neither small print nor a photo's scene enlarges the page
    past it unless the body asks with ocdr's own textDetMinGlyph or textDetSceneSide."""
    cap = PaddleXOCRRequest(file="x", inferenceParams={"maxLongSide": 960})
    assert request_params(cap) == {
        "text_det_limit_side_len": 960,
        "text_det_limit_type": "max",
        "text_det_min_glyph": 0.0,
        "text_det_scene_side": 0,
    }
    asked = PaddleXOCRRequest(file="x", inferenceParams={"maxLongSide": 960}, textDetMinGlyph=16)
    assert request_params(asked)["text_det_min_glyph"] == 16
    assert request_params(PaddleXOCRRequest(file="x", textDetMinGlyph=0)) == {"text_det_min_glyph": 0}
    assert request_params(PaddleXOCRRequest(file="x", useRecVariants=False)) == {"use_rec_variants": False}
    assert request_params(PaddleXOCRRequest(file="x", useSceneDetector=False)) == {"use_scene_detector": False}


def test_ocr_options(server, text_page, photo):
    file = b64(png_bytes(text_page[0]))
    full = server.post("/ocr", json={"file": file, "visualize": False}).json()["result"]["ocrResults"][0]["texts"]
    tiny = server.post("/ocr", json={"file": file, "visualize": False, "inferenceParams": {"maxLongSide": 96}})
    assert tiny.status_code == 200
    assert len(tiny.json()["result"]["ocrResults"][0]["texts"]) < len(full)
    strict = server.post("/ocr", json={"file": file, "visualize": False, "textRecScoreThresh": 0.9999})
    assert len(strict.json()["result"]["ocrResults"][0]["texts"]) < len(full)
    assert_error(server.post("/ocr", json={"file": file, "textDetThresh": 2}), 422, "text_det_thresh")
    assert_error(server.post("/ocr", json={"file": file, "inferenceParams": {"maxLongSide": 0}}), 422, "maxLongSide")
    assert server.post("/ocr", json={"file": file, "useTextlineOrientation": False}).status_code == 200
    upside_down = b64(png_bytes(np.ascontiguousarray(text_page[0][::-1, ::-1])))
    turned = server.post("/ocr", json={"file": upside_down, "visualize": False, "useTextlineOrientation": True})
    assert turned.status_code == 200, turned.text
    texts = [t["text"] for t in turned.json()["result"]["ocrResults"][0]["texts"]]
    assert "Quarterly" in " ".join(texts)
    sideways = np.ascontiguousarray(np.rot90(text_page[0], -1))  # scanned a quarter turn clockwise
    body = {"file": b64(png_bytes(sideways)), "visualize": False, "useDocOrientationClassify": True}
    upright = server.post("/ocr", json=body)
    assert upright.status_code == 200, upright.text
    texts = upright.json()["result"]["ocrResults"][0]["texts"]
    assert "Quarterly" in " ".join(t["text"] for t in texts)
    # boxes are in the sideways image's coordinates: the text runs top to bottom
    tall = [np.ptp(np.array(t["poly"])[:, 1]) > np.ptp(np.array(t["poly"])[:, 0]) for t in texts]
    assert sum(tall) >= 0.8 * len(texts)
    flattened = server.post(
        "/ocr", json={"file": b64(png_bytes(photo[0])), "visualize": False, "useDocUnwarping": True}
    )
    assert flattened.status_code == 200, flattened.text
    assert "Quarterly" in " ".join(t["text"] for t in flattened.json()["result"]["ocrResults"][0]["texts"])
    straightened = server.post("/ocr", json={"file": file, "visualize": False, "useDeskew": True})  # ocdr's own
    assert straightened.status_code == 200, straightened.text
    assert [t["text"] for t in straightened.json()["result"]["ocrResults"][0]["texts"]] == [t["text"] for t in full]


@pytest.mark.parametrize(
    "body, status, fragment",
    [
        (b"{not json", 400, "not valid JSON"),
        (b"[1, 2]", 422, "body"),
        (json.dumps({"fileType": 1}).encode(), 422, "body.file: Field required"),
        (json.dumps({"file": "@@not base64@@"}).encode(), 422, "neither a URL nor valid Base64"),
        (json.dumps({"file": ""}).encode(), 422, "empty"),
        (json.dumps({"file": b64(b"just some text, not an image")}).encode(), 422, "not a supported image or PDF"),
        (json.dumps({"file": b64(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")}).encode(), 422, "file"),
        (json.dumps({"file": b64(pdf_without_pages())}).encode(), 422, "with no pages?"),
        (json.dumps({"file": b64(b"%PDF-1.4\n%%EOF")}).encode(), 422, "PDF"),
        (json.dumps({"file": b64(png_bytes(np.zeros((9, 9, 3), np.uint8))), "fileType": 2}).encode(), 422, "0 or 1"),
        (json.dumps({"file": b64(png_bytes(np.zeros((9, 9, 3), np.uint8))), "fileType": 0}).encode(), 422, "pdf"),
        (json.dumps({"file": b64(pdf_without_pages()), "fileType": 1}).encode(), 422, "a PDF"),
        (json.dumps({"file": b64(encrypted_pdf(np.zeros((9, 9, 3), np.uint8)))}).encode(), 422, "encrypted"),
        (json.dumps({"file": "http://example.com/page.png"}).encode(), 403, "URL inputs are disabled"),
        (json.dumps({"file": "file:///etc/passwd"}).encode(), 422, "Base64"),
        (json.dumps({"file": b64(huge_png_header())}).encode(), 413, "pixel limit"),
    ],
    ids=[
        "malformed-json",
        "not-an-object",
        "no-file",
        "bad-base64",
        "empty-file",
        "not-an-image",
        "truncated-png",
        "pdf-without-pages",
        "corrupt-pdf",
        "unknown-file-type",
        "image-said-pdf",
        "pdf-said-image",
        "encrypted-pdf",
        "url-disabled",
        "file-scheme",
        "pixel-bomb",
    ],
)
def test_ocr_bad_requests_get_4xx_envelopes(server, body, status, fragment):
    response = server.post("/ocr", data=body, headers={"Content-Type": "application/json"})
    assert_error(response, status, fragment)


def test_unknown_routes_and_methods_use_the_envelope(server):
    assert_error(requests.get(server.url + "/nope", timeout=10), 404, "not found")
    assert_error(requests.get(server.url + "/ocr", timeout=10), 405, "not allowed")


def test_a_bug_is_a_500_envelope_and_the_server_goes_on(server, text_page):
    detector = server.app.state.engine.ocr.pipeline.detector

    def broken(*args, **kw):
        raise RuntimeError("boom")

    page = b64(png_bytes(text_page[0]))
    detector.settings = broken
    try:
        assert_error(server.post("/ocr", json={"file": page}), 500, "internal error (RuntimeError); logId")
    finally:
        del detector.settings
    assert server.post("/ocr", json={"file": page, "visualize": False}).status_code == 200


# ---- limits --------------------------------------------------------------------------------------------------------


def test_body_limit_by_length_and_by_stream(server):
    big = b"x" * 4_000_001
    assert_error(server.post("/ocr", data=big, headers={"Content-Type": "application/json"}), 413, "body over")

    def chunks():  # no Content-Length: the limit must hold while the body streams in
        for _ in range(50):
            yield b"y" * 100_000

    assert_error(server.post("/ocr", data=chunks(), headers={"Content-Type": "application/json"}), 413, "body over")
    assert requests.get(server.url + "/health", timeout=10).status_code == 200


def test_a_content_length_that_is_no_number_is_a_bad_request():
    """Uvicorn refuses it itself; under another ASGI server the limit answered 413, "over the server's limit"."""
    import asyncio

    from ocdr.server.app import BodyLimit

    async def app(scope, receive, send):  # the limit answers first
        raise AssertionError("the request went through")

    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    scope = {"type": "http", "method": "POST", "path": "/ocr", "headers": [(b"content-length", b"abc")]}
    asyncio.run(BodyLimit(app, 1000)(scope, receive, send))
    assert sent[0]["status"] == 400 and b"not a whole number" in sent[-1]["body"]


def test_pixel_and_page_limits(server, numbered_pages):
    blank = np.full((2100, 2000, 3), 255, np.uint8)  # 4.2 MP, over the test server's 4 MP
    assert_error(server.post("/ocr", json={"file": b64(png_bytes(blank))}), 413, "pixel limit")
    pdf = pdf_bytes(numbered_pages[:7])
    assert_error(server.post("/v1/ocr", files={"files": ("seven.pdf", pdf)}), 413, "at most 5")
    some = server.post("/v1/ocr", params={"pages": "2-3"}, files={"files": ("seven.pdf", pdf)})
    assert some.status_code == 200
    pages = some.json()["result"]["documents"][0]["pages"]
    assert [p["index"] for p in pages] == [1, 2]


def test_v1_ocr_pages_read_one_page_images_whole(server, numbered_pages):
    """``pages`` selects pages of multi-page files: a one-page image beside them is read whole, not refused."""
    small = numbered_pages[0]
    files = [("files", ("one.png", png_bytes(small))), ("files", ("three.pdf", pdf_bytes(numbered_pages[:3])))]
    response = server.post("/v1/ocr", params={"pages": "2"}, files=files)
    assert response.status_code == 200, response.text
    documents = response.json()["result"]["documents"]
    assert [[p["index"] for p in d["pages"]] for d in documents] == [[0], [1]]
    assert_error(server.post("/v1/ocr", params={"pages": "5"}, files=files[1:]), 422, "none of the requested pages")


def test_queue_full_answers_503_with_retry_after(text_page):
    page = b64(png_bytes(np.tile(text_page[0], (3, 2, 1))))
    with LiveServer(ServerConfig(threads=1, concurrency=1, queue_size=1)) as live:
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda _: live.post("/ocr", json={"file": page, "visualize": False}), range(8)))
        codes = sorted(r.status_code for r in answers)
        assert 200 in codes and 503 in codes and set(codes) == {200, 503}
        busy = next(r for r in answers if r.status_code == 503)
        assert_error(busy, 503, "server busy")
        assert int(busy.headers["Retry-After"]) >= 1
        assert live.post("/ocr", json={"file": page, "visualize": False}).status_code == 200  # and it recovers
        metrics = requests.get(live.url + "/metrics", timeout=10).text
        assert re.search(r"^ocdr_rejected_total [1-9]", metrics, re.M)


def test_timeout_answers_504_and_the_server_goes_on(text_page):
    page = b64(png_bytes(np.tile(text_page[0], (3, 2, 1))))
    with LiveServer(ServerConfig(threads=1, request_timeout=0.02)) as live:
        assert_error(live.post("/ocr", json={"file": page}), 504, "longer than")
        assert requests.get(live.url + "/health", timeout=10).status_code == 200
        deadline = time.monotonic() + 30  # the abandoned work stops and frees its worker
        while "ocdr_in_flight 0.0" not in requests.get(live.url + "/metrics", timeout=10).text:
            assert time.monotonic() < deadline
            time.sleep(0.1)


# ---- concurrency ---------------------------------------------------------------------------------------------------


def test_concurrent_requests_never_mix(server, ocr):
    words = ["amber", "birch", "cedar", "delta", "ember", "fjord", "grove", "harbor", "island", "juniper", "kettle"]
    images = [render_lines([f"{word} {n * 37}", f"order {n} {word}"], margin=16)[0] for n, word in enumerate(words)]
    images += [img[:, : img.shape[1] // 2].copy() for img in images[:5]]
    expected = [expected_texts(ocr, image) for image in images]
    payloads = [b64(png_bytes(image)) for image in images]

    def ask(k: int) -> list[str]:
        index = k % len(images)
        if k % 3 == 2:  # the NIM endpoint, word level, in the same mix
            body = {"input": [{"type": "image_url", "url": "data:image/png;base64," + payloads[index]}]}
            answer = server.post("/v1/infer", json={**body, "merge_levels": ["word"]})
            assert answer.status_code == 200, answer.text
            return [d["text_prediction"]["text"] for d in answer.json()["data"][0]["text_detections"]]
        answer = server.post("/ocr", json={"file": payloads[index], "visualize": False})
        assert answer.status_code == 200, answer.text
        return [t["text"] for t in answer.json()["result"]["ocrResults"][0]["texts"]]

    def words(texts: list[str]) -> list[str]:
        """The words of two letters or digits or more. A crop's reading can depend on the batch it was padded in
        (the BiLSTM reads the padding), and the batch depends on the other requests: the fragment of a word cut at
        a half page's edge is unsure, read again in variants, and reads ":" in one batch and "(" or "(')" in
        another."""
        return [w for w in " ".join(texts).split() if sum(c.isalnum() for c in w) >= 2]

    with ThreadPoolExecutor(12) as pool:
        results = list(pool.map(ask, range(3 * len(images))))
    for k, texts in enumerate(results):
        assert words(texts) == words(expected[k % len(images)]), (k, texts, expected[k % len(images)])


def test_graceful_shutdown_finishes_requests_in_flight(text_page):
    page = b64(png_bytes(np.tile(text_page[0], (2, 2, 1))))
    live = LiveServer(ServerConfig(threads=1)).__enter__()
    with ThreadPoolExecutor(2) as pool:
        pending = [pool.submit(live.post, "/ocr", json={"file": page, "visualize": False}) for _ in range(2)]
        time.sleep(0.3)  # both are in the server now
        live.server.should_exit = True
        answers = [future.result() for future in pending]
    live.thread.join(timeout=60)
    live.sock.close()
    assert not live.thread.is_alive()
    assert [a.status_code for a in answers] == [200, 200]
    assert all(a.json()["result"]["ocrResults"][0]["texts"] for a in answers)


# ---- NIM /v1/infer -------------------------------------------------------------------------------------------------


def test_nim_infer_levels_and_normalized_points(server, text_page):
    url = "data:image/png;base64," + b64(png_bytes(text_page[0]))
    body = {"input": [{"type": "image_url", "url": url}] * 3, "merge_levels": ["word", "sentence", "paragraph"]}
    response = server.post("/v1/infer", json=body)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    NimResponse.model_validate(response.json())
    assert [d["index"] for d in data] == [0, 1, 2]
    words, lines, paragraphs = ([t["text_prediction"]["text"] for t in d["text_detections"]] for d in data)
    assert loose(" ".join(words)).split() == loose(" ".join(PAGE_LINES)).split() and len(words) == 25
    assert [loose(line) for line in lines] == [loose(line) for line in PAGE_LINES]
    assert loose("\n".join(paragraphs)).split("\n") == [loose(line) for line in PAGE_LINES]
    for detection in data[0]["text_detections"]:
        points = detection["bounding_box"]["points"]
        assert len(points) == 4 and all(0 <= p["x"] <= 1 and 0 <= p["y"] <= 1 for p in points)
    tops = [d["bounding_box"]["points"][0]["y"] for d in data[1]["text_detections"]]
    assert tops == sorted(tops)  # lines in reading order
    default = server.post("/v1/infer", json={"input": body["input"][:1]}).json()["data"][0]["text_detections"]
    assert [d["text_prediction"]["text"] for d in default] == paragraphs  # paragraph is the default level


@pytest.mark.parametrize(
    "body, status, fragment",
    [
        ({"input": []}, 422, "input"),
        (
            {"input": [{"type": "image_url", "url": "data:image/png;base64,AAAA"}] * 2, "merge_levels": ["word"] * 3},
            422,
            "merge_levels has 3 entries for 2 inputs",
        ),
        (
            {"input": [{"type": "image_url", "url": "data:image/png;base64,AAAA"}], "merge_levels": ["page"]},
            422,
            "merge_levels",
        ),
        ({"input": [{"type": "text", "url": "x"}]}, 422, "type"),
        ({"input": [{"type": "image_url", "url": "data:image/png;base64,!!"}]}, 422, "input[0].url"),
        (
            {"input": [{"type": "image_url", "url": "data:application/pdf;base64," + b64(pdf_without_pages())}]},
            422,
            "is a PDF",
        ),
        ({"input": [{"type": "image_url", "url": "data:image/png;base64,AAAA"}] * 6}, 413, "at most 5"),
    ],
    ids=["no-input", "level-count", "unknown-level", "wrong-type", "bad-base64", "pdf", "too-many"],
)
def test_nim_bad_requests(server, body, status, fragment):
    assert_error(server.post("/v1/infer", json=body), status, fragment)


# ---- ours: /v1/ocr -------------------------------------------------------------------------------------------------


def test_v1_ocr_uploads_formats_and_levels(server, text_page, numbered_pages):
    files = [("files", ("page.png", png_bytes(text_page[0]))), ("files", ("two.pdf", pdf_bytes(numbered_pages[:2])))]
    response = server.post("/v1/ocr", files=files)
    assert response.status_code == 200, response.text
    documents = response.json()["result"]["documents"]
    assert [d["source"] for d in documents] == ["page.png", "two.pdf"]
    assert [len(d["pages"]) for d in documents] == [1, 2]
    assert documents[0]["schema"] == "ocdr.document"
    text = server.post("/v1/ocr", params={"format": "text"}, files=files)
    assert text.headers["content-type"].startswith("text/plain")
    pages = text.text.split("\f")
    assert [loose(line) for line in pages[0].split("\n") if line] == [loose(line) for line in PAGE_LINES]
    assert [p.lower() for p in pages[1:]] == ["page 101 of twelve", "page 102 of twelve"]  # case aside, as above
    lines = server.post("/v1/ocr", params={"level": "line"}, files=files[:1]).json()["result"]["documents"][0]
    assert [loose(item["text"]) for item in lines["pages"][0]["items"]] == [loose(line) for line in PAGE_LINES]
    paddlex = server.post("/v1/ocr", params={"format": "paddlex"}, files=files[:1]).json()
    assert loose(" ".join(paddlex[0]["rec_texts"])).split() == loose(" ".join(PAGE_LINES)).split()
    tuned = server.post("/v1/ocr", params={"text_det_thresh": 0.4}, files=files[:1]).json()
    assert tuned["result"]["documents"][0]["pages"][0]["params"]["thresh"] == 0.4
    chars = server.post("/v1/ocr", params={"level": "char"}, files=files[:1]).json()["result"]["documents"][0]
    items = chars["pages"][0]["items"]
    assert all(len(item["text"]) == 1 for item in items)
    read = "".join(item["text"] for item in lines["pages"][0]["items"])
    assert "".join(item["text"] for item in items) == read.replace(" ", "")
    alto = server.post("/v1/ocr", params={"format": "alto", "return_char_boxes": True}, files=files[:1])
    assert alto.text.count("<Glyph ") == len(items)
    # the optional stages are switched per request, as on /ocr (stop 91's /v1/ocr read a sideways page as it lay)
    sideways = [("files", ("sideways.png", png_bytes(np.ascontiguousarray(np.rot90(text_page[0], -1)))))]
    turned = server.post("/v1/ocr", params={"use_doc_orientation_classify": True, "format": "text"}, files=sideways)
    assert [loose(line) for line in turned.text.split("\n") if line] == [loose(line) for line in PAGE_LINES]
    page = server.post("/v1/ocr", params={"use_doc_orientation_classify": True}, files=sideways).json()
    assert page["result"]["documents"][0]["pages"][0]["angle"] == 90
    assert_error(server.post("/v1/ocr", params={"use_deskew": "maybe"}, files=sideways), 422, "use_deskew")


def test_v1_ocr_reads_an_encrypted_pdf_with_its_password(server, numbered_pages):
    """The password is a form field (not a query parameter, which URLs and access logs keep): without it, or with a
    wrong one, a 422 that says why; with it, the pages, also as a searchable PDF (written unencrypted)."""
    import io

    import pypdfium2 as pdfium

    files = [("files", ("locked.pdf", encrypted_pdf(numbered_pages[0])))]
    assert_error(server.post("/v1/ocr", files=files), 422, "encrypted without its password given")
    assert_error(server.post("/v1/ocr", files=files, data={"password": "guess"}), 422, "the password given is wrong")
    text = server.post("/v1/ocr", params={"format": "text"}, files=files, data={"password": "s3cret"})
    assert text.status_code == 200 and text.text.lower().split() == ["page", "101", "of", "twelve"], text.text
    pdf = server.post("/v1/ocr", params={"format": "pdf"}, files=files, data={"password": "s3cret"})
    document = pdfium.PdfDocument(io.BytesIO(pdf.content))  # opens with no password
    assert document[0].get_textpage().get_text_range().lower().split() == ["page", "101", "of", "twelve"]


def test_v1_ocr_standard_formats(server, text_page, numbered_pages):
    """Every exporter is served: a searchable PDF of all uploads, schema-checked ALTO, hOCR, PAGE for one page."""
    import io

    import pikepdf
    import pypdfium2 as pdfium

    files = [("files", ("page.png", png_bytes(text_page[0]))), ("files", ("two.pdf", pdf_bytes(numbered_pages[:2])))]
    pdf = server.post("/v1/ocr", params={"format": "pdf"}, files=files)
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    document = pdfium.PdfDocument(io.BytesIO(pdf.content))
    texts = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    assert len(texts) == 3
    assert loose(texts[0]).split() == loose(" ".join(PAGE_LINES)).split()
    assert [t.lower().split() for t in texts[1:]] == [["page", "101", "of", "twelve"], ["page", "102", "of", "twelve"]]
    with pikepdf.open(io.BytesIO(pdf.content)) as out:  # read with char boxes: a Tz per glyph, over its char box
        ops = [str(operator) for _, operator in pikepdf.parse_content_stream(out.pages[0])]
    assert ops.count("Tz") >= len("".join(texts[0].split()))
    for fmt, marker in [("alto", "<String "), ("hocr", 'class="ocrx_word"'), ("tsv", "level\tpage_num")]:
        answer = server.post("/v1/ocr", params={"format": fmt}, files=files)
        assert answer.status_code == 200 and marker in answer.text, (fmt, answer.text[:300])
    page = server.post("/v1/ocr", params={"format": "page"}, files=files[:1])
    assert page.status_code == 200 and "<PcGts" in page.text
    assert_error(server.post("/v1/ocr", params={"format": "page"}, files=files), 422, "one page")


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({"format": "docx"}, "format 'docx' is not one of"),
        ({"level": "glyph"}, "level 'glyph'"),
        ({"pages": "3-1"}, "ends before it starts"),
        ({"text_det_limit_type": "huge"}, "text_det_limit_type"),
        ({"dpi": 5000}, "dpi"),
    ],
)
def test_v1_ocr_bad_options(server, params, fragment):
    files = {"files": ("page.png", png_bytes(np.full((40, 40, 3), 255, np.uint8)))}
    assert_error(server.post("/v1/ocr", params=params, files=files), 422, fragment)


def test_v1_ocr_needs_files(server):
    assert_error(server.post("/v1/ocr"), 422, "files")
    assert_error(server.post("/v1/ocr", files={"files": ("x.bin", b"\x00\x01garbage")}), 422, "x.bin")


@pytest.mark.skipif(not (SHARED_DATA / "recognition").is_dir(), reason="needs ../shared/data")
def test_v1_recognize_reads_crops_as_the_api_does(server, ocr):
    """Crops in, one reading each, in order, named as uploaded: exactly what ``OCR.recognize`` reads; a crop
    upside down comes back right with useTextlineOrientation's counterpart; bad files and too many are refused."""
    folder = SHARED_DATA / "recognition" / "iiit5k_train" / "images"
    paths = sorted(folder.iterdir())[:4]
    files = [("files", (path.name, path.read_bytes())) for path in paths]
    body = server.post("/v1/recognize", files=files).json()
    assert body["errorCode"] == 0
    expected = ocr.recognize([str(p) for p in paths])
    assert body["result"]["readings"] == [
        {**r.to_dict(), "source": p.name} for r, p in zip(expected, paths, strict=True)
    ]
    image = np.asarray(Image.open(paths[0]).convert("RGB"))
    over = [("files", ("over.png", png_bytes(image[::-1, ::-1].copy())))]
    reading = server.post("/v1/recognize", params={"use_textline_orientation": "true"}, files=over).json()
    assert reading["result"]["readings"][0]["text"] == expected[0].text
    assert reading["result"]["readings"][0]["angle"] == 180
    assert_error(server.post("/v1/recognize", files=[("files", ("x.bin", b"garbage"))]), 422, "x.bin")
    frames = io.BytesIO()
    Image.fromarray(image).save(frames, "TIFF", save_all=True, append_images=[Image.fromarray(image)])
    two = [("files", ("two.tif", frames.getvalue()))]
    assert_error(server.post("/v1/recognize", files=two), 422, "two.tif has more than one page")
    assert_error(server.post("/v1/recognize", files=files * 2), 413, "at most 5 images per request")
    assert_error(server.post("/v1/recognize", params={"use_rec_variants": "maybe"}, files=files), 422)


# ---- service endpoints ---------------------------------------------------------------------------------------------


def test_health_ready_metrics_and_docs(server):
    for path, message in [("/health", "Healthy"), ("/ready", "Ready")]:
        body = requests.get(server.url + path, timeout=10).json()
        assert body["errorCode"] == 0 and body["errorMsg"] == message
    image, _ = render_lines(["Counted"], margin=20)  # one good request and one bad, so the test stands alone
    assert server.post("/ocr", json={"file": b64(png_bytes(image)), "visualize": False}).status_code == 200
    server.post("/ocr", data=b"{", headers={"Content-Type": "application/json"})
    metrics = requests.get(server.url + "/metrics", timeout=10)
    assert metrics.headers["content-type"].startswith("text/plain")
    text = metrics.text
    assert re.search(r'^ocdr_requests_total\{endpoint="/ocr",status="200"\} [1-9]', text, re.M)
    assert re.search(r'^ocdr_errors_total\{endpoint="/ocr",status="400"\} [1-9]', text, re.M)
    assert re.search(r'^ocdr_request_duration_seconds_count\{endpoint="/ocr"\} [1-9]', text, re.M)
    assert re.search(r"^ocdr_rec_batch_crops_count [1-9]", text, re.M)
    for name in ["ocdr_queue_depth", "ocdr_in_flight", "ocdr_pages_total", "ocdr_rec_batch_requests_sum"]:
        assert re.search(rf"^{name} ", text, re.M), name
    assert requests.get(server.url + "/docs", timeout=10).status_code == 200
    paths = requests.get(server.url + "/openapi.json", timeout=10).json()["paths"]
    assert {"/ocr", "/v1/infer", "/v1/ocr", "/health", "/ready", "/metrics"} <= set(paths)


# ---- URL inputs ----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def file_host(tmp_path_factory):
    """A local HTTP server with one page image, one redirect and one large file."""
    root = tmp_path_factory.mktemp("www")
    image, _ = render_lines(["Fetched from a URL"], margin=20)
    Image.fromarray(image).save(root / "page.png")
    (root / "big.png").write_bytes(png_bytes(image) + b"\0" * 300_000)

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kw):
            super().__init__(*args, directory=str(root), **kw)

        def do_GET(self):
            if self.path.startswith("/moved"):
                self.send_response(302)
                self.send_header("Location", self.path.split("?to=", 1)[1])
                self.end_headers()
                return
            super().do_GET()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_url_inputs_follow_the_allow_list(file_host):
    config = ServerConfig(threads=1, url_hosts=("127.0.0.1",), allow_private_urls=True, max_download_bytes=200_000)
    with LiveServer(config) as live:
        ok = live.post("/ocr", json={"file": file_host + "/page.png"})
        assert ok.status_code == 200, ok.text
        assert [t["text"] for t in ok.json()["result"]["ocrResults"][0]["texts"]] == ["Fetched", "from", "a", "URL"]
        nim = live.post("/v1/infer", json={"input": [{"type": "image_url", "url": file_host + "/page.png"}]})
        assert nim.json()["data"][0]["text_detections"][0]["text_prediction"]["text"] == "Fetched from a URL"
        other_host = file_host.replace("127.0.0.1", "localhost")
        assert_error(live.post("/ocr", json={"file": other_host + "/page.png"}), 403, "not on this server's URL allow")
        moved = f"{file_host}/moved?to={other_host}/page.png"
        assert_error(live.post("/ocr", json={"file": moved}), 403, "allow-list")
        assert_error(live.post("/ocr", json={"file": file_host + "/big.png"}), 413, "over the limit")
        assert_error(live.post("/ocr", json={"file": file_host + "/missing.png"}), 422, "HTTP 404")
        assert_error(live.post("/ocr", json={"file": file_host + "/page.png", "fileType": 0}), 422, "fileType")


def test_url_policy_refuses_private_addresses():
    from ocdr.server.envelope import ServiceError
    from ocdr.server.payload import UrlPolicy

    policy = UrlPolicy(hosts=("127.0.0.1", "localhost", "*.internal.example", "64:ff9b::7f00:1", "2002:7f00:1::"))
    # the last two carry 127.0.0.1 in an IPv6 address (NAT64, 6to4), which Python 3.11 called global
    for url in [
        "http://127.0.0.1/a.png",
        "http://localhost:9/a.png",
        "http://[64:ff9b::7f00:1]/",
        "http://[2002:7f00:1::]/",
    ]:
        with pytest.raises(ServiceError, match="non-public address") as err:
            policy.check(url)
        assert err.value.status == 403
    assert policy.host_allowed("files.internal.example") and not policy.host_allowed("internal.example.com")
    with pytest.raises(ServiceError, match="only http and https"):
        policy.check("ftp://127.0.0.1/a.png")
    with pytest.raises(ServiceError, match="disabled"):
        UrlPolicy().check("https://example.com/a.png")


# ---- worker processes ----------------------------------------------------------------------------------------------


def test_serve_command_with_two_workers(text_page, tmp_path):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    url = f"http://127.0.0.1:{port}"
    env_dir = tmp_path / "metrics"
    env_dir.mkdir()
    command = [sys.executable, "-m", "ocdr.cli", "serve", "--port", str(port), "--workers", "2", "--threads", "1"]
    process = subprocess.Popen(
        command + ["--log-level", "warning"],
        env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(env_dir)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, process.stdout.read().decode()
            try:
                if requests.get(url + "/ready", timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline
            time.sleep(0.2)
        page = b64(png_bytes(text_page[0]))
        with ThreadPoolExecutor(4) as pool:
            answers = list(
                pool.map(lambda _: requests.post(url + "/ocr", json={"file": page, "visualize": False}), range(6))
            )
        assert [a.status_code for a in answers] == [200] * 6
        time.sleep(0.5)
        metrics = requests.get(url + "/metrics", timeout=10).text
        served = sum(
            float(v) for v in re.findall(r'^ocdr_requests_total\{endpoint="/ocr",status="200"\} (\S+)', metrics, re.M)
        )
        assert served == 6  # whichever worker answers the scrape counts both workers' requests
    finally:
        process.terminate()
        assert process.wait(timeout=60) == 0


def test_serve_command_rejects_bad_settings():
    run = subprocess.run(
        [sys.executable, "-m", "ocdr.cli", "serve", "--workers", "0"], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 2 and "--workers must be at least 1" in run.stderr
    run = subprocess.run(
        [sys.executable, "-m", "ocdr.cli", "serve", "--concurrency", "0"], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 2 and "concurrency must be at least 1" in run.stderr
