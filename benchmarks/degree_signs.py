"""How well the pipeline reads temperatures set the SI way, a space between the figure and "°C", and whether it
puts a ring where there is none.

    python benchmarks/degree_signs.py --threads 2

Lines with temperatures ("180 °C", "212 °F", "8 °C,") and control lines with capitals C and F but no ring
("Vitamin C", "Set C to 5"), rendered in seven faces at 18, 24 and 34 px. Printed per face: temperatures read
exactly as printed (each looked for in the page's text), and degree signs read on the control lines (none is
right).
"""

from __future__ import annotations

import argparse

from ocdr import OCR
from ocdr.training.synth.render import render_lines

LINES = [
    "Bake at 180 °C for 25 min",
    "Water boils at 212 °F and 100 °C",
    "Keep below 8 °C, serve at 60 °F",
    "It was 21 °C inside",
]
TEMPERATURES = ["180 °C", "212 °F", "100 °C", "8 °C,", "60 °F", "21 °C"]
CONTROLS = ["Vitamin C and grade F in Section C.", "Set C to 5 and F to 7"]
FONTS = (
    "DejaVuSans.ttf",
    "LiberationSans-Regular.ttf",
    "Carlito-Regular.ttf",
    "Roboto-Regular.ttf",
    "LiberationSerif-Regular.ttf",
    "DejaVuSerif.ttf",
    "LiberationMono-Regular.ttf",
)
SIZES = (18, 24, 34)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    ocr = OCR(threads=args.threads)
    print("| face | temperatures read | rings read on the control lines |")
    print("|---|---|---|")
    found = false = 0
    for font in FONTS:
        read = wrong = 0
        for size in SIZES:
            page, _ = render_lines(LINES + CONTROLS, font, size=size)
            lines = [line.text for line in ocr(page).pages[0].lines]
            text = "\n".join(lines)
            read += sum(temperature in text for temperature in TEMPERATURES)
            wrong += sum(line.count("°") for line in lines if _control(line))
        found, false = found + read, false + wrong
        print(f"| {font} | {read}/{len(TEMPERATURES) * len(SIZES)} | {wrong} |")
    print(f"| all | {found}/{len(TEMPERATURES) * len(SIZES) * len(FONTS)} | {false} |")


def _control(line: str) -> bool:
    """Whether a line read is one of the control lines (they hold no figure but 5 and 7, and no temperature)."""
    return any(word in line for word in ("Vitamin", "Section", "Set"))


if __name__ == "__main__":
    main()
