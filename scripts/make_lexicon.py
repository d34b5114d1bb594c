"""Build a shipped word list (``ocdr/runtime/lexicons/en.txt``) from a system dictionary.

    apt-get install wamerican
    python scripts/make_lexicon.py /usr/share/dict/american-english ocdr/runtime/lexicons/en.txt

Keeps words of the letters a-z, lower-cased and sorted; drops acronyms (entries in capitals only, such as "CST" or
"IMF", unless the word is also listed otherwise): correcting a reading into an acronym turns right abbreviations
("GST") into wrong ones. Possessives, accented words and words with digits or hyphens are dropped too.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dictionary", type=Path, help="one word per line, e.g. /usr/share/dict/american-english")
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    entries = args.dictionary.read_text(encoding="utf-8").split()
    words = {w.lower() for w in entries if re.fullmatch(r"[A-Za-z]+", w) and not re.fullmatch(r"[A-Z]{2,}", w)}
    args.out.write_text("\n".join(sorted(words)) + "\n", encoding="utf-8")
    print(f"{len(words)} words -> {args.out}")


if __name__ == "__main__":
    main()
