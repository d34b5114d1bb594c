"""The recognizer's character set: index 0 is the CTC blank, then one class per character."""

from __future__ import annotations

import string
from collections.abc import Sequence

# Printable ASCII (space included) plus symbols common in documents, receipts and forms.
DOCUMENT_SYMBOLS = "€£¥¢°§©®™±×÷–—‘’“”•…µ¶¼½¾"
DEFAULT_CHARSET = "".join(sorted(set(string.printable[:95]))) + DOCUMENT_SYMBOLS

# Characters that print look-alikes map to before encoding a label (keeps labels inside the charset).
NORMALIZE = {"\u00a0": " ", "\u2009": " ", "\u2212": "-", "\u2010": "-", "\u2011": "-", "\u00ad": "-"}


class Charset:
    """Maps text to CTC class indices and back. Class 0 is the blank."""

    def __init__(self, chars: Sequence[str] | str = DEFAULT_CHARSET):
        chars = list(chars)
        if len(set(chars)) != len(chars):
            raise ValueError("charset has duplicate characters")
        self.chars: list[str] = chars
        self.index = {c: i + 1 for i, c in enumerate(chars)}

    @property
    def num_classes(self) -> int:
        return len(self.chars) + 1

    def normalize(self, text: str) -> str:
        return "".join(NORMALIZE.get(c, c) for c in text)

    def covers(self, text: str) -> bool:
        return all(c in self.index for c in self.normalize(text))

    def encode(self, text: str) -> list[int]:
        text = self.normalize(text)
        missing = sorted({c for c in text if c not in self.index})
        if missing:
            raise ValueError(f"characters not in the charset: {missing!r}")
        return [self.index[c] for c in text]

    def __len__(self) -> int:
        return len(self.chars)

    def __str__(self) -> str:
        return "".join(self.chars)
