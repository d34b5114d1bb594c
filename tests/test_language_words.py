"""scripts/language_words.py: the synthetic-text word lists carry a language's frequent one-letter words and, for
French and Italian, elided forms, which wordfreq's lists lack; the shipped-style word lists of letters stay as they
were."""

from __future__ import annotations

import importlib.util
import sys
import types
from functools import cache
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "language_words.py"
RANKED = {  # wordfreq's way: "l'homme" is "l" and "homme"
    "fr": ["de", "l", "la", "à", "d", "et", "homme", "y", "abord", "été", "pain", "j", "ont"],
    "ru": ["в", "и", "не", "с", "что", "он", "я"],
}


@cache
def _script():
    spec = importlib.util.spec_from_file_location("language_words", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up there
    spec.loader.exec_module(module)
    return module


def _run(monkeypatch, tmp_path: Path, script: str, *extra: str) -> Path:
    module = _script()
    fake = types.ModuleType("wordfreq")
    fake.top_n_list = lambda lang, n: RANKED.get(lang, ["word"])[:n]
    monkeypatch.setitem(sys.modules, "wordfreq", fake)
    out = tmp_path / script
    argv = ["language_words.py", "--script", script, "--out", str(out), "--lexicons", str(tmp_path), *extra]
    monkeypatch.setattr(sys, "argv", argv)
    module.main()
    return out


def test_elided_forms_of_words_that_start_with_a_vowel_or_h():
    forms = _script().elided(["homme", "pain", "abord", "été", "ont"], ("l'", "d'"))
    assert forms == ["l'homme", "d'abord", "l’été", "d'ont"]  # every third with a typographic apostrophe


def test_lists_carry_one_letter_words_and_elided_forms(monkeypatch, tmp_path):
    out = _run(monkeypatch, tmp_path, "latin", "--one-letter", "3")
    french = (out / "fr.txt").read_text(encoding="utf-8").split()
    assert french[:9] == ["de", "la", "et", "homme", "abord", "été", "pain", "ont", "à"]
    assert french.count("à") == french.count("y") == 3 and french.count("a") == 0
    assert "l" not in french and "d" not in french and "j" not in french  # split-off articles are not words
    assert french[-5:] == ["l'et", "d'homme", "l’abord", "d'été", "j'ont"]  # French's prefixes in turn
    assert (out / "short.txt").read_text(encoding="utf-8").split()[:2] == ["à", "y"]
    assert (tmp_path / "fr.txt").read_text(encoding="utf-8").split() == sorted(french[:8])  # the word list: as before
    russian = _run(monkeypatch, tmp_path, "cyrillic", "--one-letter", "2") / "ru.txt"
    assert russian.read_text(encoding="utf-8").split() == ["не", "что", "он", *["в", "и", "с", "я"] * 2]


def test_one_letter_zero_writes_the_lists_as_they_were(monkeypatch, tmp_path):
    out = _run(monkeypatch, tmp_path, "latin", "--one-letter", "0")
    assert (out / "fr.txt").read_text(encoding="utf-8").split() == [
        "de",
        "la",
        "et",
        "homme",
        "abord",
        "été",
        "pain",
        "ont",
    ]
    assert not (out / "short.txt").read_text(encoding="utf-8").split()


def test_focus_draws_the_letters_given_half_in_capitals(monkeypatch, tmp_path):
    out = _run(monkeypatch, tmp_path, "latin", "--focus", "éô", "--per-letter", "4")
    focus = (out / "focus.txt").read_text(encoding="utf-8").split()
    assert focus == ["été", "ÉTÉ", "été", "ÉTÉ"]  # no word has "ô"
    assert not (_run(monkeypatch, tmp_path / "plain", "latin") / "focus.txt").exists()  # only when asked
