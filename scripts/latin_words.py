"""Word lists of ten Western European languages, for synthetic crops with accented letters (``ocdr synth lines
--words``): the recognizer's Latin recipe (``ocdr/runtime/weights/rec_crnn_lite_latin.md``).

    pip install wordfreq
    apt-get install hunspell-de-de hunspell-cs   # for ß and ý (optional)
    python scripts/latin_words.py --out work_data/words_latin --hunspell /usr/share/hunspell \
        --lexicons ocdr/runtime/lexicons                                  # the shipped word lists too

It also writes ``accented.txt``, the words of all ten lists that have an accented letter (given beside the lists, it
makes such words more frequent in the crops), and ``characters_list.txt``: the accented letters in both cases, the
characters a fine-tune of the shipped recognizer adds to its head (``ocdr train rec --init shipped --charset``).

``letters.txt`` draws the accented letters evenly: ``--per-letter`` entries for each letter, cycled from the words
that have it, a quarter of them in capitals (so capital letters are drawn too, not only word-initial ones).
wordfreq folds "ß" to "ss" and none of the ten languages has "ý": with ``--hunspell`` (a folder of Hunspell
dictionaries: ``apt-get install hunspell-de-de hunspell-cs``), their words come from the German and Czech
dictionaries' stems, kept when every letter is in ``LETTERS``.

``--skip 20000`` gives the next 20,000 words of each language instead: words outside the shipped lists, to check
that the lists leave such words alone (``work_data/latin_rare`` in ``docs/models.md``).

With ``--lexicons``, each language's words of letters only also go there, sorted: the shipped word lists the
recognizer's near-miss readings are corrected against (``--lexicon fr``, or ``latin`` for all ten;
``ocdr.models.recognition.lexicon``).

The words are the most frequent ones of each language in wordfreq (https://github.com/rspeer/wordfreq; its data
are CC BY-SA 4.0, from Wikipedia, subtitles, news, books, web text and Twitter), kept when they are two or more
letters of ``LETTERS`` (apostrophes and hyphens inside allowed). The synthetic-text lists are not committed: this
script writes them on the machine that renders the crops (the ``--lexicons`` lists are, in ocdr/runtime/lexicons).
"""

from __future__ import annotations

import argparse
import re
import string
from pathlib import Path

from ocdr.models.recognition.lexicon import ACCENTED

LANGUAGES = ("fr", "de", "es", "pt", "it", "nl", "sv", "da", "nb", "fi")
# the letters of those languages: a-z and ACCENTED (all of Latin-1's letters less Icelandic's, plus French's œ and ÿ)
LETTERS = string.ascii_lowercase + ACCENTED
_WORD = re.compile(rf"[{LETTERS}]+(?:['’-][{LETTERS}]+)*")


# the dictionaries that have the letters wordfreq lacks, and those letters
HUNSPELL_LETTERS = {"de_DE.dic": "ß", "cs_CZ.dic": "ý"}


def hunspell_words(dic: Path) -> list[str]:
    """The stems of a Hunspell dictionary (one ``word/FLAGS`` a line after a count) that have its letter of
    ``HUNSPELL_LETTERS`` and only letters of ``LETTERS``."""
    letter = HUNSPELL_LETTERS[dic.name]
    stems = (line.split("/")[0].strip() for line in dic.read_text(encoding="utf-8").splitlines()[1:])
    return [w.lower() for w in stems if letter in w.lower() and _WORD.fullmatch(w.lower())]


def letter_balanced(words: list[str], per_letter: int) -> list[str]:
    """``per_letter`` entries for each accented letter that some word has, cycled from those words in their order
    (language by language, each language's most frequent first), every fourth in capitals."""
    out = []
    for letter in ACCENTED:
        having = list(dict.fromkeys(w for w in words if letter in w))
        for i in range(per_letter if having else 0):
            w = having[i % len(having)]
            out.append(w.upper() if i % 4 == 3 and len(w.upper()) == len(w) else w)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True, help="folder for <language>.txt")
    parser.add_argument("--count", type=int, default=20_000, help="most frequent words of each language")
    parser.add_argument("--skip", type=int, default=0, help="leave out this many most frequent words first")
    parser.add_argument("--per-letter", type=int, default=2_000, help="entries of letters.txt for each letter")
    parser.add_argument("--hunspell", type=Path, help="folder of Hunspell .dic files (de_DE, cs_CZ) for ß and ý")
    parser.add_argument("--lexicons", type=Path, help="folder for <language>.txt word lists of letters only")
    args = parser.parse_args()
    from wordfreq import top_n_list  # the recipe's one extra package

    args.out.mkdir(parents=True, exist_ok=True)
    accented_words = []
    for lang in LANGUAGES:
        ranked = top_n_list(lang, args.skip + args.count)[args.skip :]
        words = [w.replace("’", "'") for w in ranked if len(w) >= 2 and _WORD.fullmatch(w)]
        (args.out / f"{lang}.txt").write_text("\n".join(words) + "\n", encoding="utf-8")
        if args.lexicons:
            lexicon = sorted({w for w in words if w.isalpha()})
            (args.lexicons / f"{lang}.txt").write_text("\n".join(lexicon) + "\n", encoding="utf-8")
        accented = [w for w in words if any(c in ACCENTED for c in w)]
        accented_words += accented
        print(f"{lang}: {len(words)} words, {len(accented)} with accented letters")
    (args.out / "accented.txt").write_text("\n".join(accented_words) + "\n", encoding="utf-8")
    if args.hunspell:
        accented_words += [w for name in HUNSPELL_LETTERS for w in hunspell_words(args.hunspell / name)]
    (args.out / "letters.txt").write_text("\n".join(letter_balanced(accented_words, args.per_letter)) + "\n", "utf-8")
    upper = [c.upper() for c in ACCENTED if len(c.upper()) == 1]  # "ß" has no capital of one letter here
    (args.out / "characters_list.txt").write_text("\n".join([*ACCENTED, *upper]) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
