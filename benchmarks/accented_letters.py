"""How well a recognizer reads each accented (or Cyrillic, or Greek) letter: per-letter recall on crops of known text.

    python benchmarks/accented_letters.py --data work_data/latin_letters --models latin
    python benchmarks/accented_letters.py --data work_data/cyr_letters --models cyrillic --letters cyrillic
    python benchmarks/accented_letters.py --data work_data/el_letters --models greek --letters greek
    python benchmarks/accented_letters.py --data DIR --models latin shipped my_rec.onnx --json out.json
    python benchmarks/accented_letters.py --data DIR --models latin my_rec.onnx --lexicon none   # the networks alone

``--data`` is a crop set (``gt_list.txt``), such as ``ocdr synth lines --words`` renders from
``scripts/language_words.py``'s ``accented.txt``. Each crop is read as ``ocdr eval rec`` reads it; its reading is
aligned to its label by edit distance (rapidfuzz), and a label's letter counts as read when it is kept or replaced by
itself (that is, it lies in an aligned stretch that is equal). Printed: for every counted letter of the labels, its
count and the share read, per model, and what it was most often read as.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict

from rapidfuzz.distance import Levenshtein

from ocdr import OCR
from ocdr.io.crop_datasets import read_crop_dataset
from ocdr.models.recognition import lexicon

# the letters counted, lower case: a recognizer's letters beyond a-z; their capitals are counted too
LETTERS = {"latin": lexicon.ACCENTED, "cyrillic": lexicon.CYRILLIC, "greek": lexicon.GREEK}


def letter_recall(labels: list[str], readings: list[str], letters: str) -> tuple[Counter, Counter, dict[str, Counter]]:
    """Per letter of ``letters`` and of their capitals: occurrences, occurrences read, and what the others were read
    as."""
    counted = set(letters) | {c.upper() for c in letters if len(c.upper()) == 1}  # "ß" has no capital of one letter
    seen, read, instead = Counter(), Counter(), defaultdict(Counter)
    for label, reading in zip(labels, readings, strict=True):
        for tag, a0, a1, b0, b1 in Levenshtein.opcodes(label, reading).as_list():
            for k in range(a0, a1):
                letter = label[k]
                if letter not in counted:
                    continue
                seen[letter] += 1
                if tag == "equal":
                    read[letter] += 1
                else:
                    other = reading[b0 + (k - a0)] if tag == "replace" and b0 + (k - a0) < b1 else "(lost)"
                    instead[letter][other] += 1
    return seen, read, instead


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="crop set with accented labels")
    parser.add_argument(
        "--models",
        nargs="+",
        default=["latin"],
        help="rec models: 'shipped', 'latin', 'cyrillic', 'greek' or ONNX files",
    )
    parser.add_argument("--letters", choices=sorted(LETTERS), default="latin", help="the letters counted")
    parser.add_argument(
        "--lexicon",
        nargs="+",
        default=["auto"],
        help="word lists every model reads with (default: each model's own, 'auto'; 'none': the network alone)",
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args()
    items = list(read_crop_dataset(args.data))
    crops, labels = [image for _, image, _ in items], [text for *_, text in items]
    results = {}
    for name in args.models:
        lexicon = None if args.lexicon == ["none"] else args.lexicon
        ocr = OCR(rec_model=None if name == "shipped" else name, threads=args.threads, lexicon=lexicon)
        readings = [r.text for r in ocr.recognize(crops)]
        results[name] = letter_recall(labels, readings, LETTERS[args.letters])
        exact = sum(a == b for a, b in zip(labels, readings, strict=True)) / max(len(labels), 1)
        print(f"{name}: {len(labels)} crops, word accuracy {exact:.3f}")
    letters = sorted(results[args.models[0]][0], key=lambda c: -results[args.models[0]][0][c])
    print(f"\n| letter | count | {' | '.join(args.models)} | most often read instead ({args.models[-1]}) |")
    print(f"|---|---|{'---|' * len(args.models)}---|")
    out = {}
    for letter in letters:
        count = results[args.models[0]][0][letter]
        shares = [results[m][1][letter] / count for m in args.models]
        top = ", ".join(f"{c} {n}" for c, n in results[args.models[-1]][2][letter].most_common(2))
        print(f"| {letter} | {count} | {' | '.join(f'{s:.2f}' for s in shares)} | {top} |")
        out[letter] = {"count": count, **dict(zip(args.models, shares, strict=True))}
    totals = [sum(results[m][1].values()) / max(sum(results[m][0].values()), 1) for m in args.models]
    print(f"| all | {sum(results[args.models[0]][0].values())} | {' | '.join(f'**{t:.3f}**' for t in totals)} | |")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(out, f, ensure_ascii=False, indent=2)


if __name__ == "__main__":
    main()
