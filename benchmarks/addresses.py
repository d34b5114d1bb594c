"""Lines of print holding an e-mail or web address ("Contact john.smith@company.net for help", "See
https://github.com/ocdr/ocdr for details"): how often the whole pipeline gives the address back whole, and how it
fails where it does not. The detector cuts addresses at their "@", dots, slashes and underscores;
``ocdr.layout.pieces`` joins the pieces (``join_email_addresses``, ``join_web_addresses``).

    python benchmarks/addresses.py --kind email --count 200 --seed 11 --threads 2
    python benchmarks/addresses.py --kind web --count 200 --seed 5 --threads 2
"""

from __future__ import annotations

import argparse
import random
import time

from ocdr import OCR
from ocdr.training.synth.fonts import find_fonts
from ocdr.training.synth.render import render_lines

LOCAL = ("sales", "john.smith", "info", "a.b-c", "support", "mary_jones", "contact", "hr", "billing2", "team")
DOMAINS = ("example.com", "acme.co.uk", "mail.org", "company.net", "uni.edu", "shop.de")
PATHS = ("", "/docs", "/a/b.html", "/ocdr/ocdr", "/path?id=42", "/item-7", "/pub", "/help#faq")
SCHEMES = ("https://", "http://", "https://www.", "www.", "", "ftp://")
FRAMES = ("Email: {}", "Contact {} for help", "{}", "Write to {} today", "See {} for details", "URL: {}")
SIZES = (14, 18, 24, 32)


def address(kind: str, rng: random.Random) -> str:
    """An e-mail address, or a web address (a scheme or "www.", or a bare domain and a path)."""
    if kind == "email":
        return f"{rng.choice(LOCAL)}@{rng.choice(DOMAINS)}"
    scheme, path = rng.choice(SCHEMES), rng.choice(PATHS)
    if not scheme:  # a bare domain is an address by its path
        path = rng.choice(PATHS[1:])
    return f"{scheme}{rng.choice(DOMAINS)}{path}"


def sample_lines(kind: str, count: int, seed: int) -> list[tuple[str, int, str, str]]:
    """(font file name, size, line, address) for ``count`` lines in the synthetic-data font list."""
    fonts = [f.path.name for f in find_fonts()]
    rng = random.Random(seed)
    lines = []
    for _ in range(count):
        found = address(kind, rng)
        lines.append((rng.choice(fonts), rng.choice(SIZES), rng.choice(FRAMES).format(found), found))
    return lines


def failure(read: str, address: str) -> str:
    """Why a line's reading lacks the address whole: cut apart (every glyph read, spaces between), or misread (a
    glyph lost or wrong)."""
    return "cut apart" if address in "".join(read.split()) else "misread"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kind", choices=["email", "web"], default="email")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    ocr = OCR(threads=args.threads)
    whole = 0
    misses: dict[str, int] = {}
    start = time.perf_counter()
    for font, size, text, found in sample_lines(args.kind, args.count, args.seed):
        image, _ = render_lines([text], font, size, margin=size)
        read = ocr(image).text
        if found in read.split():
            whole += 1
        else:
            kind = failure(read, found)
            misses[kind] = misses.get(kind, 0) + 1
    print("| addresses | lines | read whole | cut apart | misread | s |")
    print("|---|---|---|---|---|---|")
    seconds = time.perf_counter() - start
    cut, wrong = misses.get("cut apart", 0), misses.get("misread", 0)
    print(f"| {args.kind} | {args.count} | {whole} | {cut} | {wrong} | {seconds:.1f} |")


if __name__ == "__main__":
    main()
