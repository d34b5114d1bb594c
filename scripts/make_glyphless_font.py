"""Build the searchable PDF's text-layer font (``ocdr/io/glyphless.ttf``): a TrueType font of one glyph, a box 1/2
em wide from the descent to the ascent, which every character code of the text layer maps to.

    python scripts/make_glyphless_font.py ocdr/io/glyphless.ttf

The text is drawn invisibly, so the box is never painted; it is there because pdfium leaves out of its extracted
text a one-glyph text object that covers no area, which every glyph of a font without a program (or with empty
glyphs) is to it where its substitute font has no such character (Cyrillic, Greek, check boxes).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen

from ocdr.io.markup import DESCENT
from ocdr.io.searchable_pdf import FONT_NAME, GLYPH_WIDTH

UNITS_PER_EM = 1000


def build(out: Path) -> None:
    advance, ascent, descent = (
        round(UNITS_PER_EM * GLYPH_WIDTH),
        round(UNITS_PER_EM * (1 - DESCENT)),
        -round(UNITS_PER_EM * DESCENT),
    )
    pen = TTGlyphPen(None)
    pen.moveTo((0, descent))
    for point in ((0, ascent), (advance, ascent), (advance, descent)):
        pen.lineTo(point)
    pen.closePath()
    builder = FontBuilder(UNITS_PER_EM, isTTF=True)
    builder.updateHead(created=0, modified=0)  # the same bytes every time
    builder.setupGlyphOrder([".notdef", "box"])
    builder.setupCharacterMap({})
    builder.setupGlyf({".notdef": TTGlyphPen(None).glyph(), "box": pen.glyph()})
    builder.setupHorizontalMetrics({".notdef": (advance, 0), "box": (advance, 0)})
    builder.setupHorizontalHeader(ascent=ascent, descent=descent)
    builder.setupNameTable({"familyName": FONT_NAME, "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=ascent, sTypoDescender=descent, usWinAscent=ascent, usWinDescent=-descent)
    builder.setupPost()
    builder.font.recalcTimestamp = False
    builder.save(str(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="where to write the font, e.g. ocdr/io/glyphless.ttf")
    build(parser.parse_args().out)


if __name__ == "__main__":
    main()
