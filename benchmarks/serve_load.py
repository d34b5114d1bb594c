"""Load test of `ocdr serve` over real HTTP: throughput, latency, error answers and memory growth under a mixed load.

    python benchmarks/serve_load.py                                    # 10,000 requests from 16 client threads
    python benchmarks/serve_load.py --requests 150 --concurrency 4     # a quick smoke run
    python benchmarks/serve_load.py --requests 0 --compare-concurrency 1,16 --compare-requests 200
    python benchmarks/serve_load.py --server-args "--workers 2 --threads 1" --json serve_load.json

It starts the server itself (on a free local port, waits for /ready, stops it with SIGTERM at the end) and sends a
fixed-seed mix of requests, all encoded before the clock starts: real pages (FUNSD forms, ICDAR 2015 scenes, SROIE
receipts) and word/line crops from the shared training data, to /ocr (a tenth with the annotated image), /v1/infer
and /v1/ocr, plus malformed requests that must each be answered 4xx with the error envelope. One page and one crop
are read first to warm the models up; they are not counted.

Prints markdown tables: status counts, requests/s, pages/s (every image read counts as a page; real pages and crops
also apart), p50/p95/p99 latency, the server's RSS around the 1,000th request and over the last 1,000 (medians of
samples taken every 50 answers: one reading swings with the pages in flight), its peak and profile, and per request
type.
`--compare-concurrency` runs one fixed set of valid requests at each client concurrency against the same server.
Exits 1 on any 5xx or failed connection, any malformed request not answered 4xx with the envelope, or any valid
request not answered 200 with the expected body.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from urllib3 import encode_multipart_formdata

REPO = Path(__file__).resolve().parent.parent
PAGE_SETS = ("funsd_train", "icdar2015_train", "sroie_train")
CROP_SETS = ("iiit5k_train", "svt_train", "funsd_train_words", "sroie_train_lines")
MIME = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
JSON_TYPE = "application/json"
# how valid requests spread over the endpoints (the rest go to /ocr), and how many /ocr ones ask for the image
INFER_SHARE = 0.2
UPLOAD_SHARE = 0.05
VISUALIZE_SHARE = 0.1
MAX_INFER_CROPS = 4  # a /v1/infer request of crops carries 1..this many, as NIM clients batch them
RSS_FIRST_SAMPLE = 1000
RSS_EVERY = 50  # answers between RSS samples
READY_TIMEOUT = 120.0
STOP_TIMEOUT = 30.0
MAX_WRONG_SHOWN = 20


@dataclass(frozen=True)
class Image:
    name: str
    data: bytes
    b64: str

    @property
    def mime(self) -> str:
        return MIME.get(Path(self.name).suffix.lower(), "application/octet-stream")

    @property
    def data_url(self) -> str:
        return f"data:{self.mime};base64,{self.b64}"


@dataclass(frozen=True)
class Call:
    """One prepared HTTP request, body already encoded, and what a correct answer looks like."""

    kind: str  # "page", "crop" or "malformed"
    variant: str  # the endpoint and options, or the malformed case
    path: str
    body: bytes
    content_type: str
    pages: int = 0  # images the server reads for it (0 for malformed requests)
    expect: int = 200
    query: tuple[tuple[str, str], ...] = ()
    visualize: bool = False


@dataclass(frozen=True)
class Outcome:
    call: Call
    status: int  # 0: no HTTP answer (connection error, client timeout)
    seconds: float
    problem: str | None  # why the answer is wrong, None when it is right


# ---- the request mix ----------------------------------------------------------------------------------------------


def _image(path: Path, dataset: str) -> Image:
    """Named ``<set>/<file>``: file names repeat across sets, and the name keys the shared bodies."""
    data = path.read_bytes()
    return Image(f"{dataset}/{path.name}", data, base64.b64encode(data).decode("ascii"))


def load_pages(root: Path, per_set: int, rng: random.Random) -> list[Image]:
    images = []
    for name in PAGE_SETS:
        files = sorted(p for p in (root / "detection" / name / "images").iterdir() if p.suffix.lower() in MIME)
        images += [_image(p, name) for p in rng.sample(files, min(per_set, len(files)))]
    return images


def load_crops(root: Path, per_set: int, rng: random.Random) -> list[Image]:
    """Crops named in each set's gt_list.txt ("<file> <text>" lines)."""
    images = []
    for name in CROP_SETS:
        folder = root / "recognition" / name
        lines = (folder / "gt_list.txt").read_text(encoding="utf-8").splitlines()
        files = sorted(line.split(" ", 1)[0] for line in lines if line.strip())
        images += [_image(folder / "images" / f, name) for f in rng.sample(files, min(per_set, len(files)))]
    return images


def _json(body: Any) -> bytes:
    return json.dumps(body).encode()


class CallFactory:
    """Builds valid calls, sharing each encoded body between the calls that send it (pages are large)."""

    def __init__(self) -> None:
        self._bodies: dict[tuple, tuple[bytes, str]] = {}

    def _body(self, key: tuple, build: Callable[[], tuple[bytes, str]]) -> tuple[bytes, str]:
        if key not in self._bodies:
            self._bodies[key] = build()
        return self._bodies[key]

    def ocr(self, kind: str, image: Image, visualize: bool) -> Call:
        body, ctype = self._body(
            ("/ocr", image.name, visualize),
            lambda: (_json({"file": image.b64, "fileType": 1, "visualize": visualize}), JSON_TYPE),
        )
        variant = "/ocr visualize" if visualize else "/ocr"
        return Call(kind, variant, "/ocr", body, ctype, pages=1, visualize=visualize)

    def infer(self, kind: str, images: Sequence[Image]) -> Call:
        body, ctype = self._body(
            ("/v1/infer", *(i.name for i in images)),
            lambda: (_json({"input": [{"type": "image_url", "url": i.data_url} for i in images]}), JSON_TYPE),
        )
        return Call(kind, "/v1/infer", "/v1/infer", body, ctype, pages=len(images))

    def upload(self, kind: str, image: Image) -> Call:
        body, ctype = self._body(
            ("/v1/ocr", image.name),
            lambda: encode_multipart_formdata([("files", (image.name, image.data, image.mime))]),
        )
        return Call(kind, "/v1/ocr", "/v1/ocr", body, ctype, pages=1)


def malformed_calls(page: Image, crop: Image, rng: random.Random) -> list[Call]:
    """One call per kind of bad input, each with the status the server should answer."""

    def ocr(case: str, body: Any, expect: int = 422) -> Call:
        return Call("malformed", case, "/ocr", _json(body), JSON_TYPE, expect=expect)

    png = page if page.mime == "image/png" else crop
    upload, upload_type = encode_multipart_formdata([("files", (crop.name, crop.data, crop.mime))])
    two_levels = {"input": [{"type": "image_url", "url": crop.data_url}], "merge_levels": ["word", "sentence"]}
    return [
        Call("malformed", "invalid JSON", "/ocr", b'{"file": "abc", "fileType": 1', JSON_TYPE, expect=400),
        ocr("invalid Base64", {"file": "this is not base64!", "fileType": 1}),
        ocr("random bytes", {"file": base64.b64encode(rng.randbytes(4096)).decode(), "fileType": 1}),
        ocr("fileType 5", {"file": crop.b64, "fileType": 5}),
        ocr("fileType 0 with an image", {"file": crop.b64, "fileType": 0}),
        ocr("truncated PNG", {"file": base64.b64encode(png.data[:200]).decode(), "fileType": 1}),
        ocr("empty PDF", {"file": base64.b64encode(b"%PDF-1.4\n%%EOF").decode(), "fileType": 0}),
        ocr("URL input", {"file": "https://example.com/page.png", "fileType": 1}, expect=403),
        Call("malformed", "merge_levels count", "/v1/infer", _json(two_levels), JSON_TYPE, expect=422),
        Call("malformed", "format=nope", "/v1/ocr", upload, upload_type, expect=422, query=(("format", "nope"),)),
    ]


def build_mix(
    count: int,
    pages: list[Image],
    crops: list[Image],
    page_share: float,
    malformed: list[Call],
    malformed_share: float,
    rng: random.Random,
    factory: CallFactory,
) -> list[Call]:
    """``count`` calls: malformed, page or crop by share; valid ones mostly /ocr, some /v1/infer and /v1/ocr."""
    calls = []
    for _ in range(count):
        draw = rng.random()
        if draw < malformed_share:
            calls.append(rng.choice(malformed))
            continue
        kind = "page" if draw < malformed_share + page_share else "crop"
        image = rng.choice(pages if kind == "page" else crops)
        endpoint = rng.random()
        if endpoint < INFER_SHARE:
            batch = [image] if kind == "page" else rng.sample(crops, rng.randint(1, MAX_INFER_CROPS))
            calls.append(factory.infer(kind, batch))
        elif endpoint < INFER_SHARE + UPLOAD_SHARE:
            calls.append(factory.upload(kind, image))
        else:
            calls.append(factory.ocr(kind, image, rng.random() < VISUALIZE_SHARE))
    return calls


# ---- checking answers ---------------------------------------------------------------------------------------------


def check_error(response: requests.Response) -> str | None:
    """A malformed request must get a 4xx whose body is the envelope, errorCode equal to the status."""
    if not 400 <= response.status_code < 500:
        return f"HTTP {response.status_code}, not 4xx"
    try:
        body = response.json()
    except ValueError:
        return "body is not JSON"
    if not isinstance(body, dict) or not isinstance(body.get("logId"), str) or "result" in body:
        return "body is not the error envelope"
    if body.get("errorCode") != response.status_code:
        return f"errorCode {body.get('errorCode')!r} != HTTP {response.status_code}"
    if not isinstance(body.get("errorMsg"), str) or not body["errorMsg"]:
        return "errorMsg is empty"
    return None


def check_success(call: Call, response: requests.Response) -> str | None:
    """A valid request must get a 200 with one result per image it sent (and the image only when asked for)."""
    if response.status_code != 200:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    try:
        body = response.json()
        if call.path == "/v1/infer":
            indices = [item["index"] for item in body["data"]]
            return None if indices == list(range(call.pages)) else f"data indices {indices}"
        if body["errorCode"] != 0:
            return f"errorCode {body['errorCode']}"
        if call.path == "/v1/ocr":
            return None if len(body["result"]["documents"]) == 1 else "not one document"
        pages = body["result"]["ocrResults"]
        if len(pages) != 1 or not isinstance(pages[0]["texts"], list):
            return "not one ocrResults entry"
        return None if (pages[0]["image"] is not None) == call.visualize else "image present != visualize"
    except (ValueError, KeyError, TypeError) as exc:
        return f"unexpected body ({type(exc).__name__}: {exc})"


# ---- the server ---------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, extra: list[str]) -> subprocess.Popen:
    """``ocdr serve`` in a child process (its own warnings and tracebacks go to our stderr); back once /ready is 200."""
    command = [sys.executable, "-m", "ocdr.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen([*command, "--log-level", "warning", *extra])
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with status {process.returncode} before it was ready")
        try:
            if requests.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return process
        except requests.ConnectionError:
            pass
        time.sleep(0.25)
    stop_server(process)
    raise SystemExit(f"the server was not ready within {READY_TIMEOUT:g} s")


def stop_server(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _descendants(pid: int) -> list[int]:
    found = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in map(int, children.read_text().split()):
            found += [child, *_descendants(child)]
    return found


def server_rss_mib(pid: int) -> float:
    """VmRSS of the server and every process under it (``--workers N`` runs N children), from /proc."""
    total_kib = 0
    for proc in [pid, *_descendants(pid)]:
        try:
            status = Path(f"/proc/{proc}/status").read_text()
        except FileNotFoundError:  # exited meanwhile
            continue
        total_kib += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total_kib / 1024


# ---- running a load -----------------------------------------------------------------------------------------------


class Client:
    """Sends calls from a pool of threads, one requests.Session (kept-alive connection) per thread."""

    def __init__(self, base_url: str, timeout: float):
        self.base_url = base_url
        self.timeout = timeout
        self._local = threading.local()

    def send(self, call: Call) -> Outcome:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        start = time.perf_counter()
        try:
            response = session.post(
                self.base_url + call.path,
                data=call.body,
                params=call.query,
                headers={"Content-Type": call.content_type},
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            return Outcome(call, 0, time.perf_counter() - start, f"no answer: {exc}")
        seconds = time.perf_counter() - start
        problem = check_error(response) if call.kind == "malformed" else check_success(call, response)
        return Outcome(call, response.status_code, seconds, problem)

    def run(
        self, calls: list[Call], concurrency: int, on_done: Callable[[int], None] | None = None
    ) -> tuple[list[Outcome], float]:
        """All calls at ``concurrency``; ``on_done(n)`` after the n-th answer (any thread). Outcomes and wall time."""
        done, lock = 0, threading.Lock()

        def task(call: Call) -> Outcome:
            nonlocal done
            outcome = self.send(call)
            if on_done is not None:
                with lock:
                    done += 1
                    count = done
                on_done(count)
            return outcome

        start = time.perf_counter()
        with ThreadPoolExecutor(concurrency, thread_name_prefix="load") as pool:
            outcomes = list(pool.map(task, calls))
        return outcomes, time.perf_counter() - start


# ---- summaries ----------------------------------------------------------------------------------------------------


def percentiles_ms(seconds: list[float]) -> dict[str, float | None]:
    if not seconds:
        return {"p50": None, "p95": None, "p99": None}
    if len(seconds) == 1:
        return dict.fromkeys(("p50", "p95", "p99"), seconds[0] * 1000)
    cuts = statistics.quantiles(seconds, n=100, method="inclusive")
    return {"p50": cuts[49] * 1000, "p95": cuts[94] * 1000, "p99": cuts[98] * 1000}


def summarize(outcomes: list[Outcome], wall: float) -> dict[str, Any]:
    """Counts, throughput and latency of one run; the first few wrong answers go to stderr."""
    wrong = [o for o in outcomes if o.problem is not None]
    for o in wrong[:MAX_WRONG_SHOWN]:
        print(f"WRONG {o.call.kind} {o.call.path} {o.call.variant}: {o.problem}", file=sys.stderr)
    if len(wrong) > MAX_WRONG_SHOWN:
        print(f"... and {len(wrong) - MAX_WRONG_SHOWN} more wrong answers", file=sys.stderr)
    classes = Counter("none" if o.status == 0 else f"{o.status // 100}xx" for o in outcomes)
    malformed = [o for o in outcomes if o.call.kind == "malformed"]
    valid = [o for o in outcomes if o.call.kind != "malformed"]
    read = [o for o in valid if o.problem is None]
    images = {kind: sum(o.call.pages for o in read if o.call.kind == kind) for kind in ("page", "crop")}
    return {
        "requests": len(outcomes),
        "status_classes": {name: classes[name] for name in ("2xx", "4xx", "5xx", "none")},
        "malformed": len(malformed),
        "malformed_envelope_ok": sum(o.problem is None for o in malformed),
        "valid": len(valid),
        "valid_failed": len(valid) - len(read),
        "wall_s": wall,
        "requests_per_s": len(outcomes) / wall,
        "pages_per_s": sum(images.values()) / wall,
        "real_pages_per_s": images["page"] / wall,
        "crops_per_s": images["crop"] / wall,
        "latency_ms": {
            "all": percentiles_ms([o.seconds for o in outcomes]),
            "page requests": percentiles_ms([o.seconds for o in valid if o.call.kind == "page"]),
            "crop requests": percentiles_ms([o.seconds for o in valid if o.call.kind == "crop"]),
        },
    }


def by_type(outcomes: list[Outcome]) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str, str], list[Outcome]] = defaultdict(list)
    for o in outcomes:
        groups[(o.call.kind, o.call.path, o.call.variant)].append(o)
    rows = []
    for (kind, path, variant), group in sorted(groups.items()):
        rows.append(
            {
                "kind": kind,
                "path": path,
                "variant": variant,
                "count": len(group),
                "expected": group[0].call.expect,
                "statuses": dict(sorted(Counter(o.status for o in group).items())),
                "wrong": sum(o.problem is not None for o in group),
                **percentiles_ms([o.seconds for o in group]),
            }
        )
    return rows


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _table(header: Sequence[str], rows: list[Sequence[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def print_load(summary: dict[str, Any], rss: dict[str, Any], types: list[dict[str, Any]]) -> None:
    s = summary
    c = s["status_classes"]
    rows: list[Sequence[Any]] = [
        ("requests", f"{s['requests']} (2xx {c['2xx']}, 4xx {c['4xx']}, 5xx {c['5xx']}, no answer {c['none']})"),
        ("malformed answered 4xx with the envelope", f"{s['malformed_envelope_ok']} / {s['malformed']}"),
        ("valid requests not 200 or with a wrong body", f"{s['valid_failed']} / {s['valid']}"),
        ("wall time", f"{s['wall_s']:.1f} s"),
        ("requests/s", f"{s['requests_per_s']:.2f}"),
        ("pages/s (every image read)", f"{s['pages_per_s']:.2f}"),
        ("real pages/s", f"{s['real_pages_per_s']:.2f}"),
        ("crops/s", f"{s['crops_per_s']:.2f}"),
    ]
    for name, p in s["latency_ms"].items():
        rows.append((f"latency p50 / p95 / p99, {name}", f"{_ms(p['p50'])} / {_ms(p['p95'])} / {_ms(p['p99'])} ms"))
    rows += [
        (
            f"server RSS around request {rss['first_at']} (median, {rss['window']} answers)",
            f"{rss['first_mib']:.0f} MiB",
        ),
        (f"server RSS over the last {rss['window']} answers (median)", f"{rss['end_mib']:.0f} MiB"),
        ("RSS growth", f"{rss['growth_pct']:+.1f}%"),
        ("RSS peak", f"{rss['peak_mib']:.0f} MiB"),
        (
            "RSS profile (median per tenth of the run)",
            ", ".join(f"{mib:.0f}" for mib in rss["profile_mib"].values()) + " MiB",
        ),
    ]
    print(_table(("metric", "value"), rows))
    print()
    print(
        _table(
            ("kind", "request", "n", "expected", "statuses", "wrong", "p50 ms", "p95 ms"),
            [
                (
                    t["kind"],
                    t["variant"] if t["variant"].startswith("/") else f"{t['path']}: {t['variant']}",
                    t["count"],
                    t["expected"],
                    ", ".join(f"{code}×{n}" for code, n in t["statuses"].items()),
                    t["wrong"],
                    _ms(t["p50"]),
                    _ms(t["p95"]),
                )
                for t in types
            ],
        )
    )


def rss_summary(samples: list[tuple[int, float]], total: int) -> dict[str, Any]:
    """Median RSS in a window around the 1,000th answer (10% of a shorter run) and over the last window of answers,
    the growth between them, the peak, and the median per tenth of the run."""
    first_at = RSS_FIRST_SAMPLE if total > 2 * RSS_FIRST_SAMPLE else max(1, total // 10)
    half = max(RSS_EVERY, first_at // 2)

    def median(lo: int, hi: int) -> float:
        return statistics.median([mib for n, mib in samples if lo < n <= hi] or [samples[-1][1]])

    first = median(first_at - half, first_at + half)
    end = median(total - 2 * half, total)
    step = max(1, total // 10)
    return {
        "first_at": first_at,
        "window": 2 * half,
        "first_mib": first,
        "end_at": total,
        "end_mib": end,
        "growth_pct": 100 * (end - first) / first,
        "peak_mib": max(mib for _, mib in samples),
        "profile_mib": {hi: median(hi - step, hi) for hi in range(step, total + 1, step)},
        "samples": samples,
    }


def run_load(client: Client, calls: list[Call], concurrency: int, server_pid: int) -> dict[str, Any]:
    """The mixed load, with the server's RSS sampled every ``RSS_EVERY`` answers."""
    samples: list[tuple[int, float]] = []

    def on_done(count: int) -> None:
        if count % RSS_EVERY == 0 or count == len(calls):
            samples.append((count, server_rss_mib(server_pid)))

    outcomes, wall = client.run(calls, concurrency, on_done)
    rss = rss_summary(sorted(samples), len(calls))
    summary = summarize(outcomes, wall)
    types = by_type(outcomes)
    print(f"\n## Load: {len(calls)} requests from {concurrency} client threads\n")
    print_load(summary, rss, types)
    return {**summary, "concurrency": concurrency, "rss": rss, "by_type": types}


def run_compare(client: Client, calls: list[Call], levels: list[int]) -> list[dict[str, Any]]:
    """The same valid calls at each client concurrency; throughput relative to the first level."""
    results = []
    for level in levels:
        outcomes, wall = client.run(calls, level)
        summary = summarize(outcomes, wall)
        results.append({"concurrency": level, **summary})
    base = results[0]["pages_per_s"]
    print(f"\n## Client concurrency: the same {len(calls)} valid requests at each level\n")
    rows = [
        (
            r["concurrency"],
            f"{r['wall_s']:.1f}",
            f"{r['requests_per_s']:.2f}",
            f"{r['pages_per_s']:.2f}",
            f"{r['pages_per_s'] / base:.2f}×",
            _ms(r["latency_ms"]["all"]["p50"]),
            _ms(r["latency_ms"]["all"]["p95"]),
            r["valid_failed"],
        )
        for r in results
    ]
    header = ("concurrency", "wall s", "requests/s", "pages/s", f"vs c={levels[0]}", "p50 ms", "p95 ms", "failed")
    print(_table(header, rows))
    return results


def failures(summary: dict[str, Any]) -> list[str]:
    reasons = []
    if summary["status_classes"]["5xx"] or summary["status_classes"]["none"]:
        reasons.append(f"{summary['status_classes']['5xx']} 5xx, {summary['status_classes']['none']} unanswered")
    if summary["malformed_envelope_ok"] != summary["malformed"]:
        reasons.append(f"{summary['malformed'] - summary['malformed_envelope_ok']} malformed without a 4xx envelope")
    if summary["valid_failed"]:
        reasons.append(f"{summary['valid_failed']} valid requests not 200 with the expected body")
    return reasons


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000, help="requests in the mixed load (0: none)")
    parser.add_argument("--concurrency", type=int, default=16, help="client threads of the mixed load")
    parser.add_argument("--page-share", type=float, default=0.3, help="share of real pages (the rest: crops)")
    parser.add_argument("--malformed-share", type=float, default=0.1, help="share of malformed requests")
    parser.add_argument("--pages-per-set", type=int, default=20, help="pages drawn from each detection set")
    parser.add_argument("--crops-per-set", type=int, default=50, help="crops drawn from each recognition set")
    parser.add_argument(
        "--compare-concurrency", type=str, default=None, metavar="C1,C2,...", help='e.g. "1,16": pages/s at each'
    )
    parser.add_argument("--compare-requests", type=int, default=200, help="valid requests of each compare run")
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data", help="the shared data root")
    parser.add_argument("--server-args", default="", help='extra `ocdr serve` flags, e.g. "--workers 2 --threads 1"')
    parser.add_argument("--timeout", type=float, default=300.0, help="client timeout per request, seconds")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--json", type=Path, default=None, help="also write the summary here")
    args = parser.parse_args()
    levels = [int(c) for c in args.compare_concurrency.split(",")] if args.compare_concurrency else []
    if args.requests < 0 or args.concurrency < 1 or any(level < 1 for level in levels):
        parser.error("--requests must be >= 0, concurrencies >= 1")
    if not (0 <= args.malformed_share and 0 <= args.page_share and args.malformed_share + args.page_share <= 1):
        parser.error("--page-share and --malformed-share must be >= 0 and add up to at most 1")
    if not args.requests and not levels:
        parser.error("nothing to run: give --requests > 0 or --compare-concurrency")
    if not (args.data / "detection").is_dir():
        parser.error(f"no detection/ under {args.data} (set --data)")

    rng = random.Random(args.seed)
    pages = load_pages(args.data, args.pages_per_set, rng)
    crops = load_crops(args.data, args.crops_per_set, rng)
    factory = CallFactory()
    malformed = malformed_calls(pages[0], crops[0], rng)
    mix = build_mix(args.requests, pages, crops, args.page_share, malformed, args.malformed_share, rng, factory)
    valid_share = 1 - args.malformed_share
    compare_page_share = args.page_share / valid_share if valid_share > 0 else 0.0
    compare_count = args.compare_requests if levels else 0
    compare = build_mix(compare_count, pages, crops, compare_page_share, [], 0.0, rng, factory)
    warmup = [factory.ocr("page", pages[0], False), factory.ocr("crop", crops[0], False)]

    port = free_port()
    extra = shlex.split(args.server_args)
    print(f"server: ocdr serve --port {port} {' '.join(extra)}".rstrip(), file=sys.stderr)
    server = start_server(port, extra)
    report: dict[str, Any] = {"server_args": extra, "seed": args.seed}
    try:
        client = Client(f"http://127.0.0.1:{port}", args.timeout)
        client.run(warmup, 1)
        if mix:
            report["load"] = run_load(client, mix, args.concurrency, server.pid)
        if levels:
            report["compare"] = run_compare(client, compare, levels)
    finally:
        stop_server(server)

    reasons = failures(report["load"]) if "load" in report else []
    for result in report.get("compare", []):
        reasons += [f"c={result['concurrency']}: {reason}" for reason in failures(result)]
    report["failures"] = reasons
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    for reason in reasons:
        print(f"FAIL: {reason}", file=sys.stderr)
    return 1 if reasons else 0


if __name__ == "__main__":
    sys.exit(main())
