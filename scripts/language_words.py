"""Word lists of the languages a recognizer adds to the default one's English, for synthetic crops with their letters
(``ocdr synth lines --words``): the recipes of ``ocdr/runtime/weights/rec_crnn_lite_latin.md`` (``--script latin``:
ten Western European languages), ``rec_crnn_lite_cyrillic.md`` (``--script cyrillic``: Russian, Ukrainian,
Bulgarian and Macedonian) and ``rec_crnn_lite_greek.md`` (``--script greek``).

    pip install wordfreq
    apt-get install hunspell-de-de hunspell-cs   # for ß and ý (optional, Latin only)
    python scripts/language_words.py --script latin --out work_data/words_latin --hunspell /usr/share/hunspell \
        --lexicons ocdr/runtime/lexicons                                  # the shipped word lists too

It also writes ``accented.txt``, the words of all the lists that have a letter beyond a-z (given beside the lists,
it makes such words more frequent in the crops), and ``characters_list.txt``: those letters in both cases, the
characters a fine-tune of the shipped recognizer adds to its head (``ocdr train rec --init shipped --charset``).

``letters.txt`` draws those letters evenly: ``--per-letter`` entries for each letter, cycled from the words that
have it, a quarter of them in capitals (so capital letters are drawn too, not only word-initial ones). ``--focus
åäö`` writes ``focus.txt`` the same way for the letters given, half in capitals: the letters a recognizer still
confuses with their look-alikes (Latin round 5: "å" read "ä", "Ö" read "ö").
wordfreq folds "ß" to "ss" and none of the ten Latin languages has "ý": with ``--hunspell`` (a folder of Hunspell
dictionaries: ``apt-get install hunspell-de-de hunspell-cs``), their words come from the German and Czech
dictionaries' stems, kept when every letter is in the script's letters.

``--skip 20000`` gives the next 20,000 words of each language instead: words outside the shipped lists, to check
that the lists leave such words alone (``work_data/latin_rare`` in ``docs/models.md``).

With ``--lexicons``, each language's words of letters only also go there, sorted: the shipped word lists the
recognizer's near-miss readings are corrected against (``--lexicon fr``, or ``latin`` for all ten, ``cyrillic``
for all four, ``el`` or ``greek``; ``ocdr.models.recognition.lexicon``).

The words are the most frequent ones of each language in wordfreq (https://github.com/rspeer/wordfreq; its data
are CC BY-SA 4.0, from Wikipedia, subtitles, news, books, web text and Twitter), kept when they are two or more of
the script's letters (apostrophes and hyphens inside allowed), composed (NFC), with Greek's final sigma put back
(wordfreq folds it to "σ"). A one-letter word among the 50 most frequent (Russian "в", "и"; Ukrainian "і", "з";
Greek "η", "ο"; French "à", "y"; Portuguese "é") is written ``--one-letter`` times at the end of its list, so that
crops have them (uniform draws from 20,000 words would all but never pick them); so are, for French and Italian, an
elided form of each word that starts with a vowel or "h" among the 5,000 most frequent ("l'homme", "d’abord",
"dell'anno"): wordfreq splits the elided article off, as a word "l" or "d" of its own, which is not drawn. None of
these go into the word lists of ``--lexicons``, which keep words of two letters or more and nothing but letters.
``short.txt`` has them all once each, for crops that check them. The synthetic-text lists are not committed: this
script writes them on the machine that renders the crops (the ``--lexicons`` lists are, in ocdr/runtime/lexicons).
"""

from __future__ import annotations

import argparse
import re
import string
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ocdr.models.recognition.lexicon import ACCENTED, CYRILLIC, CYRILLIC_LANGUAGES, GREEK, GREEK_LANGUAGES
from ocdr.models.recognition.scripts import capitals, final_sigma


@dataclass(frozen=True)
class Script:
    languages: tuple[str, ...]  # wordfreq's codes, in the order the lists are written and letters.txt cycles
    new: str  # the letters the recognizer adds (lower case)
    letters: str  # every letter a kept word may have
    hunspell: dict[str, str] = field(default_factory=dict)  # dictionaries that have letters wordfreq lacks

    @cached_property
    def word(self) -> re.Pattern[str]:
        return re.compile(rf"[{self.letters}]+(?:['’-][{self.letters}]+)*")


SCRIPTS = {
    # Latin: all of Latin-1's letters less Icelandic's, plus French's œ and ÿ
    "latin": Script(
        ("fr", "de", "es", "pt", "it", "nl", "sv", "da", "nb", "fi"),
        ACCENTED,
        string.ascii_lowercase + ACCENTED,
        {"de_DE.dic": "ß", "cs_CZ.dic": "ý"},
    ),
    "cyrillic": Script(("ru", "uk", "bg", "mk"), CYRILLIC, CYRILLIC),
    "greek": Script(GREEK_LANGUAGES, GREEK, GREEK),
}
assert set(SCRIPTS["cyrillic"].languages) == set(CYRILLIC_LANGUAGES)

# Words elided before a vowel or "h", which wordfreq splits off ("l'homme": "l", "homme"), so that its lists have
# neither the elided forms nor, as words, the one letters left ("l", "d")
ELISIONS = {
    "fr": ("l'", "d'", "l'", "d'", "j'", "n'", "s'", "c'", "qu'", "m'", "t'"),
    "it": ("l'", "dell'", "l'", "un'", "all'", "nell'", "dall'", "d'", "sull'", "quest'"),
}
ELIDED_FROM = 5_000  # an elided form of each word that starts with a vowel or "h" among this many most frequent
ONE_LETTER_RANK = 50  # one-letter words among each language's this many most frequent are drawn too


def elided(words: list[str], prefixes: tuple[str, ...]) -> list[str]:
    """An elided form of each of ``words`` that starts with a vowel or "h", the prefixes taken in turn, every third
    with a typographic apostrophe ("l’homme"); none without prefixes."""
    if not prefixes:
        return []
    starts = [w for w in words if w[0] in "aeiouhàâéèêîôúy" and w.isalpha()]
    forms = [prefixes[i % len(prefixes)] + w for i, w in enumerate(starts)]
    return [f.replace("'", "’") if i % 3 == 2 else f for i, f in enumerate(forms)]


def hunspell_words(dic: Path, script: Script) -> list[str]:
    """The stems of a Hunspell dictionary (one ``word/FLAGS`` a line after a count) that have its letter of
    ``script.hunspell`` and only the script's letters."""
    letter = script.hunspell[dic.name]
    stems = (line.split("/")[0].strip() for line in dic.read_text(encoding="utf-8").splitlines()[1:])
    return [w.lower() for w in stems if letter in w.lower() and script.word.fullmatch(w.lower())]


def letter_balanced(words: list[str], letters: str, per_letter: int, capitals_every: int = 4) -> list[str]:
    """``per_letter`` entries for each of ``letters`` that some word has, cycled from those words in their order
    (language by language, each language's most frequent first), every ``capitals_every``-th in capitals."""
    out = []
    for letter in letters:
        having = list(dict.fromkeys(w for w in words if letter in w))
        for i in range(per_letter if having else 0):
            w = having[i % len(having)]
            turn = i % capitals_every == capitals_every - 1
            out.append(capitals(w) if turn and len(capitals(w)) == len(w) else w)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--script", choices=sorted(SCRIPTS), required=True, help="the recognizer's languages")
    parser.add_argument("--out", type=Path, required=True, help="folder for <language>.txt")
    parser.add_argument("--count", type=int, default=20_000, help="most frequent words of each language")
    parser.add_argument("--skip", type=int, default=0, help="leave out this many most frequent words first")
    parser.add_argument(
        "--one-letter",
        type=int,
        default=100,
        help="times each frequent one-letter word is written in its list (0: neither these nor elided forms)",
    )
    parser.add_argument("--per-letter", type=int, default=2_000, help="entries of letters.txt for each letter")
    parser.add_argument(
        "--focus",
        default="",
        help="letters (lower case) for focus.txt: --per-letter entries each, every other in capitals",
    )
    parser.add_argument("--hunspell", type=Path, help="folder of Hunspell .dic files (de_DE, cs_CZ) for ß and ý")
    parser.add_argument("--lexicons", type=Path, help="folder for <language>.txt word lists of letters only")
    args = parser.parse_args()
    from wordfreq import top_n_list  # the recipe's one extra package

    script = SCRIPTS[args.script]
    args.out.mkdir(parents=True, exist_ok=True)
    accented_words: list[str] = []
    short_words: list[str] = []
    for lang in script.languages:
        ranked = top_n_list(lang, args.skip + args.count)[args.skip :]
        composed = [unicodedata.normalize("NFC", w) for w in ranked]  # a few of Greek's are decomposed ("μαΐου")
        words = [final_sigma(w.replace("’", "'")) for w in composed if len(w) >= 2 and script.word.fullmatch(w)]
        short: list[str] = []  # the rarer words of --skip have neither these
        extra: list[str] = []  # nor the elided forms
        if args.one_letter and not args.skip:
            split_off = {e[0] for e in ELISIONS.get(lang, ()) if len(e) == 2}
            short = [
                w for w in composed[:ONE_LETTER_RANK] if len(w) == 1 and w in script.letters and w not in split_off
            ]
            extra = short * args.one_letter + elided(words[:ELIDED_FROM], ELISIONS.get(lang, ()))
        short_words += dict.fromkeys(extra)
        (args.out / f"{lang}.txt").write_text("\n".join(words + extra) + "\n", encoding="utf-8")
        if args.lexicons:
            lexicon = sorted({w for w in words if w.isalpha()})
            (args.lexicons / f"{lang}.txt").write_text("\n".join(lexicon) + "\n", encoding="utf-8")
        accented = [w for w in words if any(c in script.new for c in w)]
        accented_words += accented
        print(
            f"{lang}: {len(words)} words ({len(accented)} with letters beyond a-z), one-letter words {' '.join(short)}"
        )
    (args.out / "accented.txt").write_text("\n".join(accented_words) + "\n", encoding="utf-8")
    (args.out / "short.txt").write_text("\n".join(short_words) + "\n", encoding="utf-8")
    if args.hunspell:
        accented_words += [w for name in script.hunspell for w in hunspell_words(args.hunspell / name, script)]
    balanced = letter_balanced(accented_words, script.new, args.per_letter)
    (args.out / "letters.txt").write_text("\n".join(balanced) + "\n", "utf-8")
    if args.focus:
        focus = letter_balanced(accented_words, args.focus, args.per_letter, capitals_every=2)
        (args.out / "focus.txt").write_text("\n".join(focus) + "\n", "utf-8")
    upper = [c.upper() for c in script.new if len(c.upper()) == 1]  # "ß" has no capital of one letter here
    letters = dict.fromkeys([*script.new, *upper])  # Greek's two small sigmas have one capital
    (args.out / "characters_list.txt").write_text("\n".join(letters) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
