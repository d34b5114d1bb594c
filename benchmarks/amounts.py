"""How well the pipeline reads amounts and the marks beside figures: thousands separators (which small print's
commas are read as points), minus signs, brackets run into a figure's word, degree signs beside a bracket; and
whether it leaves alone what only looks like them: German amounts ("1.234,56"), decimals, spaced dashes.

    python benchmarks/amounts.py --threads 2

Each group's lines are rendered in six faces at 11-28 px (``render_lines``) and read; a line counts
when the page's line reads exactly as printed. Printed per group: lines read exactly, of those rendered.
"""

from __future__ import annotations

import argparse

from ocdr import OCR
from ocdr.training.synth.render import render_lines

GROUPS = {
    "thousands separators": [
        "Total 1,234.56 and 12,500",
        "Rate 0.75 of 3,400,000",
        "Net 45.20 (9,870.15)",
    ],
    "amounts printed the German way (controls)": [
        "Summe 1.234,56 und 7.500",
        "Preis 12.000 EUR, 3.250,00",
        "Version 2.125 build 4.100",
    ],
    "minus signs": [
        "Rounding: -RM0.02",
        "Total due -12.50 today",
        "Low of -5 and high 8",
        "Balance -$1,250.00",
        "Set x to -3 then -40",
    ],
    "spaced dashes (controls)": [
        "From 2020 - 2021 only",
        "It was - as they say - fine",
        "Pages 10 -- 12 here",
    ],
    "brackets and degree signs": [
        "Heat the oven to 180 °C (160 °C fan).",
        "Store below 25 °C; keep at 4 °C [39 °F]",
        "Bake 200°C (400°F) for 20 min",
    ],
    "brackets set close (controls)": [
        "Call f(2) and g(10) now",
        "Section 4(b)(ii) applies",
        "see Fig. 3(a) and 7(c)",
    ],
}
FONTS = (
    "LiberationSans-Regular.ttf",
    "LiberationSerif-Regular.ttf",
    "DejaVuSans.ttf",
    "Roboto-Regular.ttf",
    "NimbusMonoPS-Regular.otf",
    "Carlito-Regular.ttf",
)
SIZES = (11, 14, 16, 20, 24, 28)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    ocr = OCR(threads=args.threads)
    print("| lines | read exactly |")
    print("|---|---|")
    for group, lines in GROUPS.items():
        exact = 0
        for font in FONTS:
            for size in SIZES:
                page, _ = render_lines(lines, font, size=size)
                read = [line.text for line in ocr(page).pages[0].lines]
                exact += sum(line in read for line in lines)
        print(f"| {group} | {exact}/{len(lines) * len(FONTS) * len(SIZES)} |")


if __name__ == "__main__":
    main()
