"""Random text for synthetic data: dictionary words mixed with the tokens documents are full of."""

from __future__ import annotations

import string
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np

from ocdr.io.labels import read_label_text
from ocdr.models.recognition.scripts import capitals

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
TLDS = ["com", "org", "net", "io", "de", "co.uk", "edu", "gov"]
SYMBOL_TOKENS = list("&-/#%+=*@|") + ["•", "–", "—", "…", "§", "°", "©", "®", "™", "±", "×"]


def load_words(paths: Sequence[str | Path] | None = None) -> list[str]:
    """The words text is drawn from: the shipped English list, or those of ``paths`` (files of words separated by
    white space, such as ``scripts/language_words.py`` writes for text in other languages)."""
    if not paths:
        return resources.files("ocdr.training.synth").joinpath("words.txt").read_text(encoding="utf-8").split()
    words = [w for path in paths for w in read_label_text(path).split()]  # a byte-order mark dropped
    if not words:
        raise ValueError(f"no words in {', '.join(map(str, paths))}")
    return words


class TextSampler:
    """Draws tokens (words, numbers, dates, prices, codes, emails, URLs) and lines of them."""

    def __init__(self, rng: np.random.Generator, words: list[str] | None = None):
        self.rng = rng
        self.words = words or load_words()

    def _choice(self, seq):
        return seq[int(self.rng.integers(len(seq)))]

    def _digits(self, n: int) -> str:
        return "".join(self._choice(string.digits) for _ in range(n))

    def dictionary_word(self) -> str:
        w = self._choice(self.words)
        r = self.rng.random()
        if r < 0.22:
            w = w.capitalize()
        elif r < 0.32:
            w = capitals(w)
        return w

    def number(self) -> str:
        r = self.rng.random()
        if r < 0.35:
            return str(int(self.rng.integers(0, 1000)))
        if r < 0.55:
            return f"{int(self.rng.integers(1000, 10**7)):,}"
        if r < 0.75:
            return f"{self.rng.random() * 10 ** self.rng.integers(1, 5):.{int(self.rng.integers(1, 4))}f}"
        if r < 0.87:
            return f"{int(self.rng.integers(0, 101))}%"
        return f"({self._digits(3)}) {self._digits(3)}-{self._digits(4)}".split(" ")[int(self.rng.integers(2))]

    def date_or_time(self) -> str:
        d, m, y = int(self.rng.integers(1, 29)), int(self.rng.integers(1, 13)), int(self.rng.integers(1950, 2031))
        forms = [
            f"{d:02d}/{m:02d}/{y}",
            f"{m}/{d}/{y % 100:02d}",
            f"{y}-{m:02d}-{d:02d}",
            f"{d}.{m}.{y}",
            f"{self._choice(MONTHS)}",
            f"{int(self.rng.integers(0, 24)):02d}:{int(self.rng.integers(0, 60)):02d}",
            f"{d}-{self._choice(MONTHS).upper()}-{y % 100:02d}",
        ]
        return self._choice(forms)

    def price(self) -> str:
        value = self.rng.random() * 10 ** self.rng.integers(0, 5)
        cur = self._choice(["$", "$", "€", "£", "¥", "", "RM", "USD "])
        amount = f"{value:,.2f}" if self.rng.random() < 0.7 else f"{value:.2f}"
        if cur == "USD ":
            return amount
        return f"{cur}{amount}" if self.rng.random() < 0.85 else f"{amount}{cur}"

    def code(self) -> str:
        n_letters, n_digits = int(self.rng.integers(1, 4)), int(self.rng.integers(2, 7))
        letters = "".join(self._choice(string.ascii_uppercase) for _ in range(n_letters))
        sep = self._choice(["", "-", "/", ".", "#"])
        digits = self._digits(n_digits)
        return f"{letters}{sep}{digits}" if self.rng.random() < 0.7 else f"{digits}{sep}{letters}"

    def email_or_url(self) -> str:
        a, b = self._choice(self.words).lower(), self._choice(self.words).lower()
        forms = [
            f"{a}.{b}@{b}.{self._choice(TLDS)}",
            f"www.{a}.{self._choice(TLDS)}",
            f"https://{a}.{self._choice(TLDS)}/{b}",
            f"{a}_{self._digits(2)}@mail.{self._choice(TLDS)}",
        ]
        return self._choice(forms)

    def token(self) -> str:
        r = self.rng.random()
        if r < 0.70:
            tok = self.dictionary_word()
        elif r < 0.80:
            tok = self.number()
        elif r < 0.85:
            tok = self.date_or_time()
        elif r < 0.90:
            tok = self.price()
        elif r < 0.94:
            tok = self.code()
        elif r < 0.96:
            tok = self.email_or_url()
        else:
            tok = self._choice(SYMBOL_TOKENS)
        return self.punctuate(tok)

    def punctuate(self, tok: str) -> str:
        r = self.rng.random()
        if r < 0.13:
            tok += self._choice([",", ",", ".", ".", ";", ":", "!", "?", "'s", ")", '"'])
        elif r < 0.17:
            left, right = self._choice([("(", ")"), ('"', '"'), ("'", "'"), ("[", "]"), ("“", "”"), ("‘", "’")])
            tok = f"{left}{tok}{right}"
        elif r < 0.19:
            tok = f"{tok}-{self.dictionary_word().lower()}"
        return tok

    def words_line(self, n_tokens: int) -> list[str]:
        return [self.token() for _ in range(max(1, n_tokens))]
