"""Locating the free fonts the synthetic-data recipes use, and which characters each can draw."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

FONT_DIRS = (
    Path("/usr/share/fonts"),
    Path("/usr/share/texmf/fonts/opentype"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".fonts",
)


@dataclass(frozen=True)
class FontSpec:
    path: Path
    coverage: frozenset[str]

    @property
    def name(self) -> str:
        return self.path.stem


def listed_font_names() -> list[str]:
    text = resources.files("ocdr.training.synth").joinpath("fonts.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache
def _font_index(dirs: tuple[Path, ...]) -> dict[str, Path]:
    index: dict[str, Path] = {}
    for d in dirs:
        if d.is_dir():
            for p in sorted(d.rglob("*")):
                if p.suffix.lower() in (".ttf", ".otf"):
                    index.setdefault(p.name, p)
    return index


def _coverage(path: Path) -> frozenset[str]:
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True) as font:
        return frozenset(chr(cp) for cp in font.getBestCmap())


def find_fonts(names: list[str] | None = None, font_dirs: list[Path] | None = None) -> list[FontSpec]:
    """Resolve font file names (default: the shipped list) to paths with their character coverage."""
    shipped = not names  # the shipped list: a few missing fonts are tolerated (a system without one package)
    names = names or listed_font_names()
    dirs = tuple(Path(d) for d in font_dirs) if font_dirs else FONT_DIRS
    index = _font_index(dirs)
    missing = [n for n in names if n not in index]
    found = [FontSpec(index[n], _coverage(index[n])) for n in names if n in index]
    if not found:
        raise FileNotFoundError(
            f"none of the {len(names)} fonts was found under {', '.join(map(str, dirs))}; run scripts/install-fonts.sh"
        )
    if missing and not shipped:  # fonts a user named: each one is meant
        raise FileNotFoundError(f"fonts not found under {', '.join(map(str, dirs))}: {', '.join(missing)}")
    if missing and len(missing) > len(names) // 2:
        raise FileNotFoundError(
            f"{len(missing)} of {len(names)} fonts missing (e.g. {missing[:3]}); run scripts/install-fonts.sh"
        )
    return found


def fonts_drawing(fonts: list[FontSpec], words: list[str]) -> list[FontSpec]:
    """Those of ``fonts`` that draw every character of ``words`` (all of them, when none does): a page's body font
    draws all its paragraphs, and one without the list's letters (a Latin-only font, Cyrillic words) would leave
    only the numbers and codes between them."""
    letters = set("".join(words))
    return [f for f in fonts if letters <= f.coverage] or fonts


def drawn_words(words: list[str], fonts: list[FontSpec]) -> list[str]:
    """The ``words`` whose every character one of ``fonts`` or another has; an error when none is (Chinese words and
    Latin fonts: each was drawn as missing-glyph boxes, labelled as the word, and the other crops held no list word)."""
    covered = frozenset().union(*(f.coverage for f in fonts))
    kept = [w for w in words if covered.issuperset(w)]
    if not kept:
        raise ValueError(
            f"no font draws the words (e.g. {words[0]!r}): install fonts of their script (fonts-noto-cjk, ...) and "
            "name them with --fonts"
        )
    return kept
