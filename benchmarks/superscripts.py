"""How many superscript and subscript figures on rendered lines the pipeline reads in their words
(``ocdr.superscripts``), and how many it reads where there are none.

    python benchmarks/superscripts.py --threads 2

Lines of units, formulas and footnote markers ("25 m²", "E = mc²", "appendix¹", "notes¹²"), the superscripts set as a
word processor sets them (``render_superscripts``), and lines of formulas with subscripts ("H₂O", "C₆H₁₂O₆", "x₁"),
in six faces at 18, 24 and 36 px. Printed: superscripted words read exactly (the word and its figures), words
read right but for the figures, subscripted words read exactly (a letter's case aside: a lone "x" is read "X"),
and, on lines of marks that are raised or sunk but no figures (quotes, a degree sign, a percent sign, a fraction,
a trademark, commas), superscript or subscript figures read where none are.
"""

from __future__ import annotations

import argparse

from ocdr import OCR
from ocdr.superscripts import FIGURES, SUBSCRIPT_FIGURES
from ocdr.training.synth.render import render_superscripts

LINES = [
    [("The room is 25 m", "2"), (" and the tank 3 m", "3"), (" in all.", "")],
    [("Einstein showed that E = mc", "2"), (" holds.", "")],
    [("See the appendix", "1"), (" for details and the notes", "12"), (" below.", "")],
    [("Growth was 40%", "3"), (" in the second quarter", "4"), (".", "")],
]
SUBSCRIPTS = [
    [("Water is H", "_2"), ("O and carbon dioxide CO", "_2"), (".", "")],
    [("The values x", "_1"), (" and x", "_2"), (" sum to 10.", "")],
    [("Glucose is C", "_6"), ("H", "_12"), ("O", "_6"), (" in short.", "")],
]
SUBSCRIPTED = ["h₂o", "co₂", "x₁", "x₂", "c₆h₁₂o₆"]
CONTROLS = [
    [("It's 25°C today, 50% off, and the dogs' toys.", "")],
    [('Add ½ cup of sugar to the "Classic" recipe™.', "")],
    [("The 1st and 2nd prizes go to 'Alpha' and ‘Beta’.", "")],
    [("Jump, quickly; pygmy yaks graze (1, 2, 3 and 4).", "")],
]
FONTS = ("LiberationSerif-Regular.ttf", "LiberationSans-Regular.ttf", "DejaVuSans.ttf", "Carlito-Regular.ttf",
         "FreeSerif.ttf", "DejaVuSerif.ttf")  # fmt: skip
SCRIPTS = {chr(c) for table in (FIGURES, SUBSCRIPT_FIGURES) for c in table.values()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    ocr = OCR(threads=args.threads)
    total = exact = bare = sub_total = sub_exact = false = 0
    for font in FONTS:
        for size in (18, 24, 36):
            words = [w.text.rstrip(".") for w in ocr(render_superscripts(LINES, font, size)).pages[0].words]
            for runs in LINES:
                for text, superscript in runs:
                    if superscript:
                        word = text.split()[-1]
                        total += 1
                        exact += word + superscript.translate(FIGURES) in words
                        bare += word in words
            page = ocr(render_superscripts(SUBSCRIPTS, font, size)).pages[0]
            words = [w.text.rstrip(".").lower() for w in page.words]
            sub_total += len(SUBSCRIPTED)
            sub_exact += sum(word in words for word in SUBSCRIPTED)
            said = "".join(w.text for w in ocr(render_superscripts(CONTROLS, font, size)).pages[0].words)
            false += sum(c in SCRIPTS for c in said)
    print(
        "| superscripts | read exactly | word read without them | subscripted words | read exactly "
        "| figures read on control lines |"
    )
    print("|---|---|---|---|---|---|")
    print(f"| {total} | {exact} | {bare} | {sub_total} | {sub_exact} | {false} |")


if __name__ == "__main__":
    main()
