"""Word lists of ten Western European languages, for synthetic crops with accented letters (``ocdr synth lines
--words``): the recognizer's Latin recipe (``ocdr/runtime/weights/rec_crnn_lite_latin.md``).

    pip install wordfreq
    python scripts/latin_words.py --out work_data/words_latin        # fr de es pt it nl sv da nb fi, 20,000 each

It also writes ``accented.txt``, the words of all ten lists that have an accented letter (given beside the lists, it
makes such words more frequent in the crops), and ``characters_list.txt``: the accented letters in both cases, the
characters a fine-tune of the shipped recognizer adds to its head (``ocdr train rec --init shipped --charset``).

The words are the most frequent ones of each language in wordfreq (https://github.com/rspeer/wordfreq; its data
are CC BY-SA 4.0, from Wikipedia, subtitles, news, books, web text and Twitter), kept when they are two or more
letters of ``LETTERS`` (apostrophes and hyphens inside allowed). The lists are not committed: this script writes
them on the machine that renders the crops.
"""

from __future__ import annotations

import argparse
import re
import string
from pathlib import Path

LANGUAGES = ("fr", "de", "es", "pt", "it", "nl", "sv", "da", "nb", "fi")
# the letters of those languages beyond a-z (all of Latin-1's letters less Icelandic's, plus French's œ and ÿ)
ACCENTED = "àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿœß"
LETTERS = string.ascii_lowercase + ACCENTED
_WORD = re.compile(rf"[{LETTERS}]+(?:['’-][{LETTERS}]+)*")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="folder for <language>.txt")
    parser.add_argument("--count", type=int, default=20_000, help="most frequent words of each language")
    args = parser.parse_args()
    from wordfreq import top_n_list  # the recipe's one extra package

    args.out.mkdir(parents=True, exist_ok=True)
    accented_words = []
    for lang in LANGUAGES:
        words = [w.replace("’", "'") for w in top_n_list(lang, args.count) if len(w) >= 2 and _WORD.fullmatch(w)]
        (args.out / f"{lang}.txt").write_text("\n".join(words) + "\n", encoding="utf-8")
        accented = [w for w in words if any(c in ACCENTED for c in w)]
        accented_words += accented
        print(f"{lang}: {len(words)} words, {len(accented)} with accented letters")
    (args.out / "accented.txt").write_text("\n".join(accented_words) + "\n", encoding="utf-8")
    upper = [c.upper() for c in ACCENTED if len(c.upper()) == 1]  # "ß" has no capital of one letter here
    (args.out / "characters_list.txt").write_text("\n".join([*ACCENTED, *upper]) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
