"""How well the pipeline reads a form's comb fields (one character written in each box), and whether it joins the
one-figure cells of a table's row.

    python benchmarks/comb_fields.py --threads 2

Forms of four comb fields (a date, a postcode with an empty box, a name, a reference of letters and figures), the
characters in six faces at 20 and 26 px, in boxes 1.2 and 1.6 em wide. Printed per face: fields read exactly as
written (the field's line of the page's text is its label, a tab, its value), and, on a control form whose boxes
are 4 em wide (a table's grid of one-figure cells), the rows read joined (none is right).
"""

from __future__ import annotations

import argparse

from ocdr import OCR
from ocdr.training.synth.render import render_comb_fields

FIELDS = [("Date of birth", "14031987"), ("Postcode", "SW1A 2AA"), ("Surname", "KOWALSKA"), ("Reference", "K7Q93X")]
CONTROLS = [("Won drawn lost", "921"), ("Scores", "4 7"), ("Grades", "XQZ")]
FONTS = (
    "DejaVuSans.ttf",
    "LiberationSans-Regular.ttf",
    "LiberationMono-Regular.ttf",
    "LiberationSerif-Regular.ttf",
    "Carlito-Regular.ttf",
    "DejaVuSansMono.ttf",
)
SIZES = (20, 26)
PITCHES = (1.2, 1.6)  # em


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    ocr = OCR(threads=args.threads)
    print("| face | fields read exactly | control rows joined |")
    print("|---|---|---|")
    found = joined = 0
    for font in FONTS:
        read = wrong = 0
        for size in SIZES:
            for pitch in PITCHES:
                lines = ocr(render_comb_fields(FIELDS, font, size, round(pitch * size))).text.splitlines()
                read += sum(f"{label}\t{value}" in lines for label, value in FIELDS)
            lines = ocr(render_comb_fields(CONTROLS, font, size, 4 * size, boxes=3)).text.splitlines()
            wrong += sum(any(v.replace(" ", "") in line.split() for line in lines) for _, v in CONTROLS)
        found, joined = found + read, joined + wrong
        print(f"| {font} | {read}/{len(FIELDS) * len(SIZES) * len(PITCHES)} | {wrong}/{len(CONTROLS) * len(SIZES)} |")
    total = len(FIELDS) * len(SIZES) * len(PITCHES) * len(FONTS)
    print(f"| all | {found}/{total} | {joined}/{len(CONTROLS) * len(SIZES) * len(FONTS)} |")


if __name__ == "__main__":
    main()
