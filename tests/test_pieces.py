"""Words the detector cut or boxed loosely, put back together (``ocdr.layout.pieces``, ``ocdr.leaders``)."""

from __future__ import annotations

import pytest

from ocdr.document import Word
from ocdr.geometry import quad_from_box
from ocdr.layout.pieces import join_email_addresses, join_split_words, join_web_addresses
from ocdr.leaders import Leader, drop_leader_dots
from ocdr.models.recognition.lexicon import Lexicon


def _word(text: str, x0: float, x1: float, y0: float = 10.0, y1: float = 34.0) -> Word:
    return Word(quad_from_box(x0, y0, x1, y1), text, 0.9)


def test_a_host_ending_in_two_one_letter_labels_is_one_top_level_domain():
    """A point read inside ".my" ("com." "m.y"): no top-level domain is one letter."""
    words = [_word("www.", 0, 60), _word("popular.", 64, 190), _word("com.", 192, 255), _word("m.y", 262, 296)]
    assert [w.text for w in join_web_addresses(words)] == ["www.popular.com.my"]
    kept = [_word("www.a.com/x.y.z", 0, 200)]  # a path's points are left as read
    assert [w.text for w in join_web_addresses(kept)] == ["www.a.com/x.y.z"]


def test_a_point_read_after_an_at_sign_from_the_next_piece_is_dropped():
    """The next piece's first glyph, cut by this box's end, read as a point ("info@." "acme.co.uk")."""
    words = [_word("Mail", 0, 60), _word("info@.", 67, 146), _word("acme.co.uk", 145, 298)]
    assert [w.text for w in join_email_addresses(words)] == ["Mail", "info@acme.co.uk"]
    apart = [_word("info@.", 67, 146), _word("acme.co.uk", 150, 303)]  # not overlapping: no glyph cut
    assert [w.text for w in join_email_addresses(apart)] == ["info@.", "acme.co.uk"]


def test_an_article_beside_a_word_is_no_piece_of_a_longer_word():
    """The detector's padded boxes of "a" and "round" touch: two words ("at a round table"), not "around"; a word
    cut after its first letter still joins where the rest is no word ("I" "nvoice"), and capitals may be a cut word
    ("A" "WARD")."""
    lexicon = Lexicon(["a", "round", "around", "invoice", "award", "ward"])
    assert [w.text for w in join_split_words([_word("a", 0, 16), _word("round", 15, 90)], lexicon)] == ["a", "round"]
    assert [w.text for w in join_split_words([_word("I", 0, 8), _word("nvoice", 8, 90)], lexicon)] == ["Invoice"]
    assert [w.text for w in join_split_words([_word("A", 0, 18), _word("WARD", 17, 90)], lexicon)] == ["AWARD"]


def test_a_page_number_starting_over_its_leader_gives_its_dots_back():
    leader = Leader(_word(".........", 172, 809), None)
    number, title = _word(".15", 807, 834), _word("Configuration", 40, 162)
    below = _word(".5", 807, 834, 60, 84)  # another row's: left as read
    assert [w.text for w in drop_leader_dots([title, number, below], [leader])] == ["Configuration", "15", ".5"]
    fixed = drop_leader_dots([number], [leader])[0]
    assert fixed.polygon[0, 0] == pytest.approx(809) and fixed.polygon[1, 0] == pytest.approx(834)
