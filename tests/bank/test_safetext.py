"""The sanitiser every output path uses for text from files."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.safetext import abbreviate, clean, one_line, quote


def test_escape_sequences_are_shown_not_sent():
    assert clean("a\x1b[5;31mblink\x1b[0m") == "a\\x1b[5;31mblink\\x1b[0m"
    assert clean("\x1b]0;pwned\x07") == "\\x1b]0;pwned\\x07"
    assert clean("nul\x00 del\x7f csi\x9b") == "nul\\x00 del\\x7f csi\\x9b"
    assert clean("bidi\u202eevil") == "bidi\\u202eevil"


def test_clean_keeps_layout_and_one_line_does_not():
    assert clean("two\nlines\tand tab\r") == "two\nlines\tand tab\\r"
    assert one_line("two\nlines\tand tab") == "two\\nlines\\tand tab"


def test_ordinary_text_is_untouched():
    text = "Train 73%, 검증 72% · “quotes” — é [bold]not markup[/]"
    assert clean(text) == one_line(text) == text


def test_abbreviate_and_quote():
    assert abbreviate("short") == "short"
    assert abbreviate("x" * 1000, 10) == "xxxxxxxxxx… (1,000 characters)"
    assert quote("A") == "'A'"
    assert quote(["a"]) == "['a']"
    assert quote("\x1b" * 3) == "'\\x1b\\x1b\\x1b'"


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_no_control_character_survives(text):
    for out in (clean(text), one_line(text)):
        assert not any((ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F for c in out)
    assert "\n" not in one_line(text) and "\t" not in one_line(text)
