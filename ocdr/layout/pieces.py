"""Words the detector found in pieces, given back whole.

The detector sometimes finds one printed word as two or more regions side by side, each read as a word of its own:
an underlined typed heading ("Cha" "racteristics", "Tippi" "ng"), a long word ("inconven" "iences"), a web address
cut at its dots and slashes ("www." "popular." "com" "my", read "www. popular. com my"), an e-mail address cut at
its "@" and dots ("team@" "acme." "co.uk"). Touching boxes alone do not tell a piece from a word: most words on a
tight form touch their neighbours. So a piece is joined only where its text says so: the letters of two pieces
spell a word-list word (``join_split_words``), the pieces follow a scheme, a "www" or a domain name and a "/"
(``join_web_addresses``), they make an e-mail address (``join_email_addresses``; or, read again as one crop, they
read as one: ``address_splits``), or the first is a French or Italian elided article cut off at its apostrophe
(``join_elisions``), or an underscore's stroke runs between them on the page (``join_underscored``). The
characters of a form's comb field, one to a box, are joined where the boxes' sides part them (``join_comb_letters``).
"""

from __future__ import annotations

import itertools
import re
import string
from collections.abc import Sequence

import cv2
import numpy as np

from ocdr.document import Word, fit_chars
from ocdr.geometry import polygon_box, quad_aspect, quad_from_box, true_runs
from ocdr.models.recognition.lexicon import LOOKALIKES, SPLIT_LETTERS, Lexicon, lookalike_spellings

# Pieces of a word: boxes side by side at most JOIN_GAP x the first one's height apart (or overlapping), in a row
# (overlapping by JOIN_ROW x the lower one's height), whose letters spell a list word of JOIN_LETTERS or more
JOIN_GAP, JOIN_ROW, JOIN_LETTERS = 0.1, 0.7, 5
# ...or up to JOIN_GAP_WIDE apart where no piece is a list word ("adjus" "tments" on receipts' print, 0.16 apart;
# "DE" "LUXE", two words, stay apart)
JOIN_GAP_WIDE = 0.2
JOIN_PIECES = 4  # pieces of one word at most ("I" "NVO" "I" "CE")
# a narrow letter the detector cut out of its word is read alone as a figure or a bar (a dot-matrix "i" as "1" or
# "7"); such a piece between two pieces of letters may stand for any letter (``_ANY_LETTER``), a mark may not
_GLYPHS = frozenset(string.digits + "|!")
_ANY_LETTER = "\0"
# Pieces of a web address: at most ADDRESS_GAP x their height apart (on 24 SROIE training receipts with addresses
# the pieces were 0.01-0.23 apart, the words around them 0.34-0.43)
ADDRESS_GAP = 0.3
# Words an underscore joins: at most UNDERSCORE_GAP x their height apart, a stroke at most UNDERSCORE_THICK x it
# thick covering UNDERSCORE_COVER of the gap's columns, under the line (looked for down to UNDERSCORE_BELOW x the
# height under the boxes)
UNDERSCORE_GAP, UNDERSCORE_THICK, UNDERSCORE_COVER, UNDERSCORE_BELOW = 1.2, 0.2, 0.9, 0.3
UNDERSCORE_REACH = 0.6  # ...its stroke reaching at most this x the height past the gap on each side
# ...and this x the height long at least: the hook of an "f" on the next line, under a gap a pixel wide between two
# words set close, filled that gap as a stroke would ("light over" read "light_over")
UNDERSCORE_LENGTH = 0.3
_TOKEN_END = re.compile(r"(.*?)([A-Za-z]+)")  # a word ending in letters: its letters at the end
_TOKEN_START = re.compile(r"([A-Za-z]+)(.*)")  # a word starting with letters
# A scheme and its "://" as read: a slash read "l" ("https:/lgithub.com", "http:l/"), one lost ("https:/www"), the
# colon lost ("http//")
_SCHEME = r"(https?|ftp)(?::[/l1I|]{1,2}|:?/[/l1I|]?)"
# The first piece of a web address: a scheme (alone, or and what follows), a "www", or a domain name and a "/"
_WEB_START = re.compile(
    rf"(?i)(?:https?|ftp):?|{_SCHEME}\w.*|(?:https?://)?www(?:\..*)?|[\w-]+(?:\.[\w-]+)*\.[a-z]{{2,}}/.*"
)
_SCHEME_SLIP = re.compile(rf"(?i)^{_SCHEME}(?=\w)")
_SPLIT_TLD = re.compile(r"(?<=\.)([A-Za-z])\.([A-Za-z])$")  # a host's last label read with a point inside
_PATH_MARKS = ":/?#&="  # what separates a web address's scheme, port, path and query pieces
_ADDRESS_PIECE = re.compile(r"[A-Za-z0-9./_~%#?=&:-]+")
# An e-mail address, in brackets or followed by a sentence's punctuation or not; and a piece of one
_EMAIL = re.compile(r"[(<\[]?[\w.%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}[.,;:!?)>\]]*")
_EMAIL_PIECE = re.compile(r"[(<\[]?[\w.%+'@-]+[,;:!?)>\]]*")
_LOCAL_PIECE = re.compile(r"[(<\[]?[\w.%+'-]+")  # what may come before an address's "@"
# Letters of a letter-spaced word: at most SPACED_REACH x their height apart, a word space SPACED_WORD_GAP x their
# median gap or more, SPACED_LETTERS of them at least
SPACED_REACH, SPACED_WORD_GAP, SPACED_LETTERS = 2.0, 1.6, 3
SPACED_PIECE = 3  # ...read a letter alone or a few together ("I" "NVO" "I" "CE"), then spelling JOIN_LETTERS or more
# Characters written one to a box of a form's comb field ("S" "M" "I" "T" "H"): COMB_LETTERS or more of them, in words
# of letters and figures in a row, at most COMB_REACH x their height apart; a box's side between each two characters,
# a stroke down the page as long as their regions are tall (a glyph's stem is shorter: its region is grown around its
# ink), two across a box left empty (a space); the boxes evenly pitched, within COMB_EVEN of the pitch, at most
# COMB_PITCH x the characters' height (a table's grid around a row of one-figure cells is wider)
COMB_LETTERS, COMB_REACH, COMB_EVEN, COMB_PITCH = 3, 2.5, 0.15, 2.2
COMB_STROKE = 0.25  # a box's side is at most this x its height wide, with the boxes' ground on both its sides
# An amount cut at its decimal point: at most DECIMAL_GAP x their height apart (on 114 held-out and training pages,
# -0.24-0.66 for 19 amounts, the wider gaps on receipts' fixed-pitch print, whose point fills a figure's width)
DECIMAL_GAP = 0.7
# An amount: what comes before its figures (a currency, a bracket), figures, a point and two figures (and a closing
# bracket or "%")
_AMOUNT = re.compile(r"(\S*?[^\d\s.]\S*?)?\d+\.\d\d[)%]?")
# Pieces of an elided form ("l" "'homme", "Qu'" "il", "dell'" "anno"): at most ELISION_GAP x their height apart
ELISION_GAP = 0.3
# French and Italian articles and pronouns elided before a vowel or "h"
ELIDED_ARTICLES = (
    *("c", "d", "j", "l", "m", "n", "s", "t", "qu", "jusqu", "lorsqu", "puisqu"),
    *("dell", "dall", "nell", "sull", "all", "coll", "un", "quest", "quell", "nessun"),
)
_ELIDED = re.compile(rf"(?i)([(\[«“„\"]*)({'|'.join(ELIDED_ARTICLES)})(['’]?)")
_ELIDED_WORD = re.compile(r"(['’]?)[^\W\d_].*")


def join_split_words(words: list[Word], lexicon: Lexicon) -> list[Word]:
    """``words`` with each word found in pieces joined: up to ``JOIN_PIECES`` words side by side whose boxes touch
    (``JOIN_GAP`` x the first piece's height, ``JOIN_ROW``), the first ending and the last starting with a letter,
    those between all letters or a narrow letter read alone as a figure or a bar ("Invo" "1" "ce", "Invo" "7" "ce":
    a dot-matrix "i" the detector cut out; ``_GLYPHS``), whose letters together spell a list word of
    ``JOIN_LETTERS`` or more while the pieces are not all list words of two letters or more ("any" "one", "follow"
    "up" stay apart); pieces a little further apart (``JOIN_GAP_WIDE``) only where none is a list word."""
    rows = _Rows(words)
    joined: dict[int, Word] = {}
    for i in rows.left_to_right():
        first = _TOKEN_END.fullmatch(words[i].text)
        if i in rows.used or first is None or (len(words[i].text) > 1 and quad_aspect(words[i].polygon) >= 1.0):
            continue
        chain = [i]  # a word narrower than tall is taken for vertical text, but for a letter alone
        # the gaps measured against the first piece's height: a glyph's own box is short ("Invo" "7" "ce")
        height = float(rows.heights[i])
        while len(chain) < JOIN_PIECES and (j := rows.next(chain[-1], JOIN_GAP_WIDE, chain, True, height)) is not None:
            chain.append(j)
            if (text := _split_word(rows, chain, first, lexicon)) is not None:
                joined[i] = rows.join(chain, text)
                break
            if not _inner_piece(words[j].text):  # no letters to go on with
                break
    return rows.result(joined)


def _split_word(rows: _Rows, chain: list[int], first: re.Match, lexicon: Lexicon) -> str | None:
    """The text of the pieces ``chain`` (left to right; ``first``: the first one's ``_TOKEN_END`` match) joined,
    where ``join_split_words`` joins them, else None."""
    last = _TOKEN_START.fullmatch(rows.words[chain[-1]].text)
    middle = [rows.words[k].text for k in chain[1:-1]]
    if last is None or not all(_inner_piece(text) for text in middle):
        return None
    # a lone glyph read as neither a letter nor a figure like one ("Invo" "7" "ce") stands for any letter
    middle = [text if text.isalpha() or text in LOOKALIKES else _ANY_LETTER for text in middle]
    pieces = [first.group(2), *middle, last.group(1)]
    spelt = _spelt(pieces, lexicon)
    if spelt is None or len(spelt) < JOIN_LETTERS or _all_words(pieces, lexicon):
        return None
    gaps = rows.boxes[chain[1:], 0] - rows.boxes[chain[:-1], 2]
    wide = (gaps > JOIN_GAP * rows.heights[chain[0]]).any()
    if wide and any(p.lower() in lexicon for p in pieces):
        return None
    return first.group(1) + spelt + last.group(2)


def join_spaced_letters(words: list[Word], lexicon: Lexicon) -> list[Word]:
    """``words`` with each word printed letter-spaced ("W E L C O M E", a heading's or a sign's) joined: a row of
    letters read each as a word of its own (or a few together, ``SPACED_PIECE``: "I" "NVO" "I" "CE", then spelling
    ``JOIN_LETTERS`` or more), at most ``SPACED_REACH`` x their height apart, parted into words where
    a gap is ``SPACED_WORD_GAP`` x their median gap or more, each of whose letters spell a list word of
    ``SPACED_LETTERS`` or more. An "O", "I", "l" or "i" read alone as a figure ("0", "1") is taken as the letter
    (``lookalike_spellings``). Letters alone that spell no word ("A B C D", a question's choices) stay apart."""
    rows = _Rows(words)
    joined: dict[int, Word] = {}
    for i in rows.left_to_right():
        if i in rows.used or not _spaced(words[i].text):
            continue
        run = [i]
        while (j := rows.next(run[-1], SPACED_REACH, also=run, narrow=True)) is not None and _spaced(words[j].text):
            run.append(j)
        if len(run) < 2:
            continue
        gaps = rows.boxes[run[1:], 0] - rows.boxes[run[:-1], 2]
        breaks = np.flatnonzero(gaps >= SPACED_WORD_GAP * max(float(np.median(gaps)), 1.0)) + 1
        for piece in np.split(np.array(run), breaks):
            texts = [words[k].text for k in piece]
            alone = all(_letter(t) for t in texts)
            if alone:  # letters alone
                spaced = len(piece) >= SPACED_LETTERS and any(t.isalpha() for t in texts)
            else:  # letters in pieces ("I" "NVO" "I" "CE"): as a split word's
                spaced = len(piece) >= 2 and not _all_words(texts, lexicon)
            text = _spelt(texts, lexicon) if spaced else None
            if text is not None and (alone or len(text) >= JOIN_LETTERS):
                joined[int(piece[0])] = rows.join(piece.tolist(), text)
    return rows.result(joined)


def join_comb_letters(gray: np.ndarray, words: list[Word]) -> list[Word]:
    """``words`` with the characters of each comb field joined: a form's boxes, one character written in each, read
    as a word a box or a few ("1" "4" "0" "3" "19" "8" "7" for "14031987"), an empty box a space ("SW1A 2AA"). On
    the page (``gray``: its gray pixels), a box's side runs down the gap between each two words and between each two
    characters of a word, longer than they are tall, and the boxes are evenly pitched, about as wide as the
    characters are tall (``COMB_*``). Words of letters with no side between them ("Yes" "No" in a grid) are no
    comb's."""
    rows = _Rows(words)
    boxed: dict[int, bool] = {}  # asked of a word as a run's start and as the next word of another's

    def in_boxes(k: int) -> bool:
        if k not in boxed:
            boxed[k] = _boxed(gray, rows, k)
        return boxed[k]

    joined: dict[int, Word] = {}
    for i in rows.left_to_right():
        if i in rows.used or not in_boxes(i):
            continue
        run, sides = [i], []
        while (j := rows.next(run[-1], COMB_REACH, also=run, narrow=True)) is not None and in_boxes(j):
            count = _box_sides(gray, rows.boxes[[run[-1], j]], _middle(rows, run[-1], -1), _middle(rows, j, 0))
            if not 1 <= count <= 2:
                break
            run.append(j)
            sides.append(count)
        chars = [len(words[k].text) for k in run]
        if len(run) < 2 or sum(chars) < COMB_LETTERS:
            continue
        # box widths from each word's middle to the next's: half of each word's boxes, and the empty boxes between
        units = np.array([(a + b) / 2 + n - 1 for a, b, n in zip(chars, chars[1:], sides, strict=False)])
        steps = np.diff((rows.boxes[run, 0] + rows.boxes[run, 2]) / 2)
        pitch = float(np.median(steps / units))
        even = np.abs(steps - pitch * units) <= COMB_EVEN * pitch
        if even.all() and pitch <= COMB_PITCH * float(np.median(rows.heights[run])):
            text = words[run[0]].text + "".join(
                " " * (n - 1) + words[k].text for n, k in zip(sides, run[1:], strict=True)
            )
            joined[i] = rows.join(run, _one_kind(text))
    return rows.result(joined)


def _one_kind(text: str) -> str:
    """A comb field's characters, each read alone in its box, where all but look-alikes are letters: those figures
    read as the letters they look like ("K0WALSKA" is "KOWALSKA"; ``lookalike_spellings``); where all but
    look-alikes are figures, those letters as figures ("14O3" is "1403"). A box holds no word around its character
    to tell them by."""
    chars = text.replace(" ", "")
    if sum(c.isalpha() for c in chars) >= COMB_LETTERS and all(c.isalpha() or c in LOOKALIKES for c in chars):
        return " ".join(next(lookalike_spellings(piece)) for piece in text.split(" "))
    figures = {letter: figure for figure, pair in LOOKALIKES.items() for letter in pair}
    if sum(c.isdigit() for c in chars) >= COMB_LETTERS and all(c.isdigit() or c in figures for c in chars):
        return "".join(figures.get(c, c) for c in text)
    return text


def _boxed(gray: np.ndarray, rows: _Rows, i: int) -> bool:
    """Whether word ``i`` may be written in a comb's boxes: letters and figures only, a box's side between each two
    of them (the detector joins a few boxes' characters into one region)."""
    text = rows.words[i].text
    if not text.isalnum():
        return False
    return (
        len(text) == 1
        or _box_sides(gray, rows.boxes[i][None], _middle(rows, i, 0), _middle(rows, i, -1)) >= len(text) - 1
    )


def _middle(rows: _Rows, i: int, k: int) -> float:
    """Where word ``i``'s ``k``-th character stands, across: its box parted evenly among its characters."""
    x0, _, x1, _ = rows.boxes[i]
    n = len(rows.words[i].text)
    return float(x0 + (k % n + 0.5) * (x1 - x0) / n)


def _box_sides(gray: np.ndarray, boxes: np.ndarray, x0: float, x1: float) -> int:
    """How many strokes run down the page ``gray`` between columns ``x0`` and ``x1``, from the highest top of the
    ``boxes`` ((x0, y0, x1, y1) rows, characters' regions) to their lowest bottom: a comb's box sides, thin
    (``COMB_STROKE``) and with ground on both sides; none where any ink run down it is not such a side, or where
    the ink is most of it (light print on a dark ground, whose ground runs down every gap)."""
    top, bottom = int(np.min(boxes[:, 1])), int(np.ceil(np.max(boxes[:, 3])))
    left, right = int(np.ceil(x0)), int(np.floor(x1))
    if top < 0 or bottom > gray.shape[0] or right - left < 1 or bottom - top < 3:
        return 0
    _, ink = cv2.threshold(gray[top:bottom, left:right], 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    if ink.mean() > 0.5:  # a dark ground behind light print: its gaps run down every column between letters
        return 0
    down = np.flatnonzero(ink.all(axis=0))
    runs = np.split(down, np.flatnonzero(np.diff(down) > 1) + 1) if len(down) else []
    # thin, with the boxes' ground on both sides
    thin = [r for r in runs if r[0] > 0 and r[-1] < ink.shape[1] - 1 and len(r) <= COMB_STROKE * (bottom - top)]
    return len(thin) if len(thin) == len(runs) else 0


def _letter(text: str) -> bool:
    return len(text) == 1 and (text.isalpha() or text in LOOKALIKES)


def _spaced(text: str) -> bool:
    """Whether ``text`` may be a piece of a letter-spaced word: a letter, or a few (``SPACED_PIECE``)."""
    return _letter(text) or (text.isalpha() and len(text) <= SPACED_PIECE)


def _inner_piece(text: str) -> bool:
    """Whether ``text`` may stand between two pieces of a word: letters, or a narrow letter read as a glyph
    (``_GLYPHS``)."""
    return text.isalpha() or text in _GLYPHS


def _all_words(pieces: Sequence[str], lexicon: Lexicon) -> bool:
    """Whether every piece is a list word of two letters or more, or a word of one alone (``SPLIT_LETTERS``, not
    among capitals: "A" "WARD" may be a word cut): words side by side ("any" "one", "a" "round"), not a word's
    pieces."""
    capitals = not any(c.islower() for p in pieces for c in p)
    return all((len(p) >= 2 or (not capitals and p.lower() in SPLIT_LETTERS)) and p.lower() in lexicon for p in pieces)


def _spelt(pieces: Sequence[str], lexicon: Lexicon) -> str | None:
    """The list word that a word's ``pieces`` spell, a figure among them taken for a letter it looks like
    (``lookalike_spellings``) and ``_ANY_LETTER`` for any letter, in the case of the others; None if they spell
    none."""
    upper = not any(c.islower() for piece in pieces for c in piece)
    fills = string.ascii_uppercase if upper else string.ascii_lowercase
    for spelling in lookalike_spellings(pieces):
        parts = spelling.split(_ANY_LETTER)
        for letters in itertools.product(fills, repeat=len(parts) - 1):
            word = "".join(part + letter for part, letter in zip(parts, (*letters, ""), strict=True))
            if word.lower() in lexicon:
                return word
    return None


def join_elisions(words: list[Word]) -> list[Word]:
    """``words`` with each French or Italian elided article or pronoun that the detector cut off its word at the
    apostrophe joined to it ("l" "'homme" is "l'homme", "Qu'" "il" is "Qu'il"): the next word in its row at most
    ``ELISION_GAP`` away, starting with a letter, one apostrophe between the two. Without one ("all" "artisti")
    nothing tells a lost apostrophe from two words, and they stay apart."""
    rows = _Rows(words)
    joined: dict[int, Word] = {}
    for i in rows.left_to_right():
        first = _ELIDED.fullmatch(words[i].text)
        if i in rows.used or first is None or (j := rows.next(i, ELISION_GAP, narrow=True)) is None:
            continue
        second = _ELIDED_WORD.fullmatch(words[j].text)
        if second is not None and bool(first.group(3)) != bool(second.group(1)):
            joined[i] = rows.join([i, j], words[i].text + words[j].text)
    return rows.result(joined)


def join_decimals(words: list[Word]) -> list[Word]:
    """``words`` with each amount the detector cut at its decimal point joined ("RM3." "80" is "RM3.80", "780,900."
    "00" is "780,900.00", "52" ".00" is "52.00"; FUNSD's labels cut amounts there, and the detector learnt to): a
    word and the next one in its row, at most ``DECIMAL_GAP`` away, that make an amount cut just after or before its
    point. A number and a point alone with nothing before it in its row ("1." "25 g") numbers a list's item: its
    amount stays apart."""
    rows = _Rows(words)
    joined: dict[int, Word] = {}
    for i in rows.left_to_right():
        left = words[i].text
        if i in rows.used or not left or left[-1] not in ".0123456789":  # no figure or point to cut at
            continue
        if (j := rows.next(i, DECIMAL_GAP, narrow=True)) is None:
            continue
        amount = _AMOUNT.fullmatch(text := left + words[j].text)
        at_point = text.rfind(".") in (len(left) - 1, len(left))  # cut just after or just before the point
        if amount is not None and at_point and (amount.group(1) or rows.after_words(i)):
            joined[i] = rows.join([i, j], text)
    return rows.result(joined)


def join_web_addresses(words: list[Word]) -> list[Word]:
    """``words`` with each web address found in pieces joined, its "www" in the case of the rest and its scheme's
    "//" put right ("https:/lgithub.com"). A word starting with a scheme ("https://"), a "www" or a domain name and
    a "/" takes in the words after it in its row that are at most ``ADDRESS_GAP`` apart and made of an address's
    characters, while a dot or a path's mark (":", "/", "?", "#", "&", "=") separates them: on either side, or (a dot)
    lost between two pieces ("com" "my" is "com.my", "WWW" "lavender.com.my" is "WWW.lavender.com.my"); a doubled
    dot is read once ("www." ".dominos.com")."""
    rows = _Rows(words)
    joined: dict[int, Word] = {}
    for i in rows.left_to_right():
        if i in rows.used or quad_aspect(words[i].polygon) >= 1.0 or not _WEB_START.fullmatch(words[i].text):
            continue
        chain, text = [i], words[i].text
        while (j := rows.next(chain[-1], ADDRESS_GAP, chain)) is not None:
            left, right = words[chain[-1]].text, words[j].text
            if not _ADDRESS_PIECE.fullmatch(right):
                break
            if rows.read_twice(chain[-1], j, left, right):
                right = right[1:]
            elif not (left[-1] in "." + _PATH_MARKS or right[0] in "." + _PATH_MARKS):
                # a dot lost between ("com" "my", "WWW" "lavender.com.my"); but a "www" before a word ("the WWW
                # is") or a whole name before what follows ("www.dominos.com" "my/smile") stay apart; and so does a
                # word after a path ("uni.edu/docs" "for")
                if "." in left.strip(".") or (len(chain) == 1 and "." not in right.strip(".")) or _in_path(text):
                    break
                right = "." + right
            chain.append(j)
            text += right
        cased = _whole_tld(_www_cased(_SCHEME_SLIP.sub(r"\1://", text)))
        if len(chain) > 1 or cased != text:
            joined[i] = rows.join(chain, cased)
    return rows.result(joined)


def join_email_addresses(words: list[Word]) -> list[Word]:
    """``words`` with each e-mail address found in pieces joined. Pieces at most ``ADDRESS_GAP`` apart in a row (after
    a whole address, at most ``JOIN_GAP``) are taken in where an "@", a dot or an underscore separates them
    ("john.smith@" "company.net", "team" "@company.net", "acme." "co.uk", "mary_" "jones@"; a doubled dot read once:
    "shop." ".de") or where the next piece starts inside the last (a glyph read in both: "sales@u" "uni.edu" is
    "sales@uni.edu"; or "info@." "acme.co.uk", the glyph cut read a point); the longest run of them that is an
    address is joined. An underscore the detector left out of
    both pieces ("mary" "jones@uni.edu") is for a second reading (``address_splits``)."""
    rows = _Rows(words)
    joined: dict[int, Word] = {}
    for i in rows.left_to_right():
        if i in rows.used or not _EMAIL_PIECE.fullmatch(words[i].text):
            continue
        chain, texts = [i], [words[i].text]
        while (j := rows.next(chain[-1], ADDRESS_GAP, chain, narrow=True)) is not None:
            left, right = texts[-1], words[j].text
            gap = rows.boxes[j, 0] - rows.boxes[chain[-1], 2]
            if not _EMAIL_PIECE.fullmatch(right):
                break
            if _EMAIL.fullmatch(left) and gap > JOIN_GAP * min(rows.heights[[j, chain[-1]]]):
                break  # an address at a sentence's end and the next word ("info@acme.com." "Thanks")
            if left[-2:] in ("@.", "@,") and rows.boxes[j, 0] < rows.boxes[chain[-1], 2]:
                left = left[:-1]  # the next piece's first glyph, cut by this box's end, read a point ("info@.")
            if rows.read_twice(chain[-1], j, left, right):
                right = right[1:]
            elif not (left[-1] in "@._" or right[0] in "@._"):
                break
            chain.append(j)
            texts.append(left + right)
        ends = [k for k in range(1, len(chain)) if _EMAIL.fullmatch(texts[k]) and texts[k].count("@") == 1]
        if ends:
            joined[i] = rows.join(chain[: ends[-1] + 1], texts[ends[-1]])
    return rows.result(joined)


def join_underscored(gray: np.ndarray, words: list[Word]) -> list[Word]:
    """``words`` with those an underscore joins given back whole ("user" "id" read for "user_id", "get" "user"
    "id(request)" for "get_user_id(request)"): the detector parts words at an underscore, its stroke under the
    line, and leaves the stroke out of both boxes. On the page (``gray``: its gray pixels), an underscore is a thin
    stroke low in the gap between two words of a row (``UNDERSCORE_GAP``), across it (``UNDERSCORE_COVER``), with no
    ink above it; an underline runs on under the words too, and is no underscore."""
    rows = _Rows(words)
    joined: dict[int, Word] = {}
    for i in rows.left_to_right():
        if i in rows.used or (quad_aspect(words[i].polygon) >= 1.0 and len(words[i].text) > 2):  # vertical text
            continue
        chain, text = [i], words[i].text
        while (j := rows.next(chain[-1], UNDERSCORE_GAP, chain, narrow=True)) is not None:
            if not _underscore(gray, rows.boxes[chain[-1]], rows.boxes[j]):
                break
            chain.append(j)
            right = words[j].text
            text += "_" + (right[1:] if len(right) > 1 and rows.read_twice(chain[-2], j, text, right) else right)
        if len(chain) > 1:
            joined[i] = rows.join(chain, text)
    return rows.result(joined)


def _underscore(gray: np.ndarray, a: np.ndarray, b: np.ndarray) -> bool:
    """Whether an underscore's stroke runs between the boxes ``a`` and ``b`` ((x0, y0, x1, y1), ``a`` left of ``b``
    in a row) on the page ``gray``: thin, under the line, across the gap with nothing above or just below it (the
    next line's tops), at least ``UNDERSCORE_LENGTH`` x the height long, and reaching no further than
    ``UNDERSCORE_REACH`` x the height past the gap (a rule or an underline runs on under the words)."""
    height = float(min(a[3] - a[1], b[3] - b[1]))
    top = int(max(0, min(a[1], b[1])))
    bottom = int(min(gray.shape[0], max(a[3], b[3]) + UNDERSCORE_BELOW * height))
    left, right = int(max(0, a[0])), int(min(gray.shape[1], b[2]))
    if right - left < 3 or bottom - top < 3:
        return False
    _, ink = cv2.threshold(gray[top:bottom, left:right], 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    g0, g1 = int(np.ceil(a[2])) - left + 1, int(np.floor(b[0])) - left - 1  # the gap, a pixel in from each box
    if g1 - g0 < 1:  # boxes that meet or overlap over the stroke: the gap is their overlap's glyph-free columns
        lo, hi = int(np.floor(min(a[2], b[0]))) - left - 1, int(np.ceil(max(a[2], b[0]))) - left + 2
        g0, g1 = _glyph_gap(ink[: max(1, int((a[1] + a[3]) / 2) - top)], max(lo, 0), hi)
        if g1 - g0 < 1:
            return False
    gap = ink[:, g0:g1]
    stroke = np.flatnonzero(gap.mean(axis=1) >= UNDERSCORE_COVER)
    if not len(stroke) or stroke[-1] - stroke[0] + 1 > UNDERSCORE_THICK * height:
        return False
    if stroke[0] < (a[1] + a[3]) / 2 - top or gap[: stroke[0]].any() or gap[stroke[-1] + 1 : stroke[-1] + 3].any():
        return False  # a dash or a glyph, not a stroke under the line; or the next line's tops
    if stroke[-1] + 3 > len(gap):
        return False  # cut by the strip's foot: no room to see what lies under it
    starts, ends = true_runs(ink[stroke[0] : stroke[-1] + 1].any(axis=0))
    k = int(np.searchsorted(starts, g0, side="right")) - 1  # the run holding the gap's first column
    reach = UNDERSCORE_REACH * height
    long_enough = k >= 0 and ends[k] - starts[k] >= UNDERSCORE_LENGTH * height
    return bool(long_enough and ends[k] >= g1 and g0 - starts[k] <= reach and ends[k] - g1 <= reach)


def _glyph_gap(upper: np.ndarray, lo: int, hi: int) -> tuple[int, int]:
    """The longest run of columns in [``lo``, ``hi``) with no ink in ``upper`` (the strip's rows above the line's
    middle, where an underscore never reaches), as (first, end): (``lo``, ``lo``) where there is none."""
    starts, ends = true_runs(~upper[:, lo:hi].any(axis=0))
    if not len(starts):
        return lo, lo
    k = int(np.argmax(ends - starts))
    return lo + int(starts[k]), lo + int(ends[k])


def address_splits(words: list[Word]) -> list[tuple[int, int]]:
    """Pairs of words (i, j) that may be one e-mail address cut where the detector left a separator out ("mary"
    "jones@uni.edu" for "mary_jones@uni.edu": an underscore under the line, outside both boxes): word j holds an
    "@" after its first character, and word i, made of an address's characters, ends at most ``ADDRESS_GAP``
    before it in its row (twice that after a separator it ends with: the underscore read as a dot, "mary."
    "jones@uni.edu"). Read again as one crop (``join_read_addresses``), such a pair gives its separator back."""
    rows = _Rows(words)
    pairs = []
    for i, word in enumerate(words):
        gap = 2 * ADDRESS_GAP if word.text[-1:] in ("_", ".", "-") else ADDRESS_GAP
        if _LOCAL_PIECE.fullmatch(word.text) and (j := rows.next(i, gap, narrow=True)) is not None:
            if "@" in words[j].text[1:]:
                pairs.append((i, j))
    return pairs


def join_read_addresses(words: list[Word], readings: dict[tuple[int, int], str]) -> list[Word]:
    """``words`` with each pair of ``address_splits`` joined whose reading as one crop is an e-mail address of the
    same letters and digits, spaces beside its separators left out ("mary_ jones@uni.edu"), and more than the two
    texts run together: separators ("_", ".", "-") put back between them, never a letter; a word before an address,
    read with it ("to info@uni.edu", or at a tight word space "toinfo@uni.edu"), stays apart."""
    rows = _Rows(words)
    joined: dict[int, Word] = {}
    for (i, j), reading in readings.items():
        text = re.sub(r" ?([_.@-]) ?", r"\1", reading.strip())
        together = words[i].text + words[j].text
        same = re.sub(r"[\W_]", "", text) == re.sub(r"[\W_]", "", together)
        if same and text != together and _EMAIL.fullmatch(text) and not rows.used & {i, j}:
            joined[i] = rows.join([i, j], text)
    return rows.result(joined)


def _in_path(address: str) -> bool:
    """Whether a web address read so far has come past its host name, to its path."""
    return "/" in re.sub(rf"(?i)^{_SCHEME}", "", address)


def _whole_tld(address: str) -> str:
    """``address`` with a point read inside its top-level domain taken out ("popular.com.m.y" is "popular.com.my"):
    no top-level domain is one letter, so a host ending in two one-letter labels is one label misread."""
    scheme, sep, rest = address.rpartition("://")
    host, slash, path = rest.partition("/")
    return scheme + sep + _SPLIT_TLD.sub(r"\1\2", host) + slash + path


def _www_cased(address: str) -> str:
    """``address`` with its "www" in the case of most of its other letters ("wWW.popular.com" -> "www.popular...")."""
    if "www" not in address.lower():
        return address
    start = address.lower().index("www")
    rest = address[start + 3 :]
    upper, lower = sum(c.isupper() for c in rest), sum(c.islower() for c in rest)
    if upper == lower:  # no letters to go by
        return address
    return address[:start] + ("WWW" if upper > lower else "www") + rest


def join_pieces(words: list[Word], pairs: list[tuple[int, int]]) -> list[Word]:
    """``words`` with each pair ``(i, j)`` (word ``j`` the next on word ``i``'s right, a piece of the same word: a
    mark both their regions read, left to one, joins them: ``ocdr.marks.marks_read_twice``) joined into one word,
    pairs that chain ("1." ".5." ".2") into one."""
    after = dict(pairs)
    rows = _Rows(words)
    joined = {}
    for first in sorted(set(after) - set(after.values())):
        pieces = [first]
        while pieces[-1] in after:
            pieces.append(after[pieces[-1]])
        joined[first] = rows.join(pieces, "".join(words[k].text for k in pieces))
    return rows.result(joined)


def span(words: list[Word]) -> np.ndarray:
    """The quad over ``words`` side by side (left to right): the first one's left side to the last one's right, or
    the box around them all where they are not quads."""
    first, last = words[0].polygon, words[-1].polygon
    if first.shape == last.shape == (4, 2):
        return np.array([first[0], last[1], last[2], first[3]])
    x0, y0 = np.min([np.min(w.polygon, axis=0) for w in words], axis=0)
    x1, y1 = np.max([np.max(w.polygon, axis=0) for w in words], axis=0)
    return quad_from_box(x0, y0, x1, y1)


class _Rows:
    """The words' boxes, for finding each word's neighbour on its right in its row, and the words joined so far."""

    def __init__(self, words: list[Word]):
        self.words = words
        self.boxes = np.array([polygon_box(w.polygon) for w in words]).reshape(-1, 4)
        self.heights = self.boxes[:, 3] - self.boxes[:, 1]
        self.used: set[int] = set()

    def left_to_right(self) -> list[int]:
        return np.argsort(self.boxes[:, 0], kind="stable").tolist()

    def next(
        self, i: int, gap: float, also: Sequence[int] = (), narrow: bool = False, height: float | None = None
    ) -> int | None:
        """The nearest word right of word ``i`` (a horizontal one) in its row, starting at most ``gap`` x the lower
        of their heights (or x ``height``) after its end; not one already joined or in ``also``. ``narrow``: word
        ``i`` may be narrower than tall (a letter alone, "l"); else such a word is taken for vertical text."""
        if not narrow and quad_aspect(self.words[i].polygon) >= 1.0:
            return None
        x0, _, x1, _ = self.boxes[i]
        boxes = self.boxes
        low = np.minimum(self.heights, self.heights[i]) if height is None else height
        beside = (boxes[:, 0] > x0) & (boxes[:, 2] > x1) & (boxes[:, 0] - x1 <= gap * low) & self._in_row(i)
        beside[[*self.used, i, *also]] = False
        if not beside.any():
            return None
        return int(np.flatnonzero(beside)[np.argmin(boxes[beside, 0])])

    def after_words(self, i: int) -> bool:
        """Whether any word lies left of word ``i`` in its row."""
        return bool(((self.boxes[:, 2] <= self.boxes[i, 0]) & self._in_row(i)).any())

    def _in_row(self, i: int) -> np.ndarray:
        """Which words share word ``i``'s row: their boxes overlap down the page by ``JOIN_ROW`` x the lower one's
        height."""
        _, y0, _, y1 = self.boxes[i]
        overlap = np.minimum(self.boxes[:, 3], y1) - np.maximum(self.boxes[:, 1], y0)
        return overlap >= JOIN_ROW * np.minimum(self.heights, self.heights[i])

    def read_twice(self, i: int, j: int, left: str, right: str) -> bool:
        """Whether word ``j``'s text ``right`` starts with a glyph that word ``i``'s text ``left`` ends with, read
        twice: a dot ("shop." ".de"), or any glyph but an "@" where ``j`` starts inside ``i``'s box ("sales@u"
        "uni.edu")."""
        if left[-1] != right[0]:
            return False
        return left[-1] == "." or (self.boxes[j, 0] < self.boxes[i, 2] and left[-1] != "@")

    def join(self, pieces: list[int], text: str) -> Word:
        """One word over ``pieces`` (left to right) reading ``text``, as sure as the least sure piece."""
        words = [self.words[k] for k in pieces]
        polygon = span(words)
        self.used |= set(pieces)
        confidence = min(w.confidence for w in words)
        chars = None if any(w.chars is None for w in words) else [c for w in words for c in w.chars or ()]
        return Word(polygon, text, confidence, fit_chars(chars, text, polygon, confidence))

    def result(self, joined: dict[int, Word]) -> list[Word]:
        """The words with each joined one in place of its first piece, its other pieces left out."""
        return [joined.get(k, w) for k, w in enumerate(self.words) if k in joined or k not in self.used]
