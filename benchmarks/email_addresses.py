"""Lines of print holding an e-mail address ("Contact john.smith@company.net for help"): how often the whole
pipeline gives the address back whole, and how it fails where it does not. The detector cuts addresses at their "@",
dots and underscores; ``ocdr.layout.pieces.join_email_addresses`` joins the pieces.

    python benchmarks/email_addresses.py --count 150 --seed 3 --threads 2
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
FRAMES = ("Email: {}", "Contact {} for help", "{}", "Write to {} today")
SIZES = (14, 18, 24, 32)


def sample_lines(count: int, seed: int) -> list[tuple[str, int, str, str]]:
    """(font file name, size, line, address) for ``count`` lines in the synthetic-data font list."""
    fonts = [f.path.name for f in find_fonts()]
    rng = random.Random(seed)
    lines = []
    for _ in range(count):
        address = f"{rng.choice(LOCAL)}@{rng.choice(DOMAINS)}"
        lines.append((rng.choice(fonts), rng.choice(SIZES), rng.choice(FRAMES).format(address), address))
    return lines


def failure(read: str, address: str) -> str:
    """Why a line's reading lacks the address whole: cut apart (every glyph read, spaces between), or misread (a
    glyph lost or wrong)."""
    return "cut apart" if address in "".join(read.split()) else "misread"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=150)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    ocr = OCR(threads=args.threads)
    whole = 0
    misses: dict[str, int] = {}
    start = time.perf_counter()
    for font, size, text, address in sample_lines(args.count, args.seed):
        image, _ = render_lines([text], font, size, margin=size)
        read = ocr(image).text
        if address in read.split():
            whole += 1
        else:
            kind = failure(read, address)
            misses[kind] = misses.get(kind, 0) + 1
    print("| lines | address read whole | cut apart | misread | s |")
    print("|---|---|---|---|---|")
    seconds = time.perf_counter() - start
    print(f"| {args.count} | {whole} | {misses.get('cut apart', 0)} | {misses.get('misread', 0)} | {seconds:.1f} |")


if __name__ == "__main__":
    main()
