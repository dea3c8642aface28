"""A bank text in one language: the part of the schema the first screen needs, without pydantic."""

from __future__ import annotations

LANGUAGES = ("en", "ko")
DEFAULT_LANGUAGE = "en"


def text(value: dict[str, str] | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """The text in `lang`, falling back to English."""
    if not value:
        return ""
    return value.get(lang) or value[DEFAULT_LANGUAGE]
