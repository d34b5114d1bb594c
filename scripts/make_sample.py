"""Render samples/letter.png, the sample page the README reads (fixed text, free fonts, 150 DPI)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from ocdr.training.synth.fonts import find_fonts
from ocdr.training.synth.render import load_font

LINES = [
    ("LiberationSans-Bold.ttf", 20, "Invoice No. 2026-0417"),
    ("LiberationSerif-Regular.ttf", 12, "Date: 14 March 2026"),
    ("LiberationSerif-Regular.ttf", 12, "Bill to: Northwind Traders, 42 Harbour Road, Leeds"),
    ("LiberationSerif-Regular.ttf", 12, ""),
    ("LiberationSerif-Regular.ttf", 12, "Thank you for your order. The items below were shipped"),
    ("LiberationSerif-Regular.ttf", 12, "on Monday and should arrive within five working days."),
    ("LiberationSerif-Regular.ttf", 12, ""),
    ("LiberationMono-Regular.ttf", 11, "Paper, A4, 500 sheets     4 x 5.90     23.60"),
    ("LiberationMono-Regular.ttf", 11, "Toner cartridge (black)   1 x 64.00    64.00"),
    ("LiberationMono-Regular.ttf", 11, "Delivery                               7.50"),
    ("LiberationSerif-Regular.ttf", 12, ""),
    ("LiberationSans-Bold.ttf", 13, "Total due: $95.10"),
]


SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "letter.png"


def main(out: Path = SAMPLE, dpi: int = 150) -> None:
    paths = {f.path.name: str(f.path) for f in find_fonts([name for name, _, _ in LINES])}
    width, height = int(6.0 * dpi), int(4.4 * dpi)
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    y = int(0.35 * dpi)
    for name, pt, text in LINES:
        font = load_font(paths[name], int(pt * dpi / 72))
        y += int(pt * dpi / 72 * 1.45)
        if text:
            draw.text((int(0.45 * dpi), y), text, font=font, fill=20, anchor="ls")
    out.parent.mkdir(parents=True, exist_ok=True)
    page.save(out, optimize=True)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
