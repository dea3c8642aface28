"""The UI strings themselves: every English key translated, no format field lost."""

from __future__ import annotations

import string

from tutor.app.strings import STRINGS, t


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_english_string_is_translated_with_the_same_fields():
    for key, english in STRINGS["en"].items():
        assert key in STRINGS["ko"], f"no Korean for {key}"
        assert _fields(STRINGS["ko"][key]) == _fields(english), key


def test_missing_keys_fall_back_to_english_then_to_the_key():
    assert t("xx", "key.quit") == "Quit"
    assert t("ko", "no.such.key") == "no.such.key"
