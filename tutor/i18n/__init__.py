"""The words tutor shows, in English and Korean, through gettext catalogues. No Textual, no torch.

Two ways in, one catalogue (tutor/locale/ko/LC_MESSAGES/tutor.po):

- keyed messages, `t(lang, "home.due", due=3)`: the app's chrome, defined in English in `messages.py`
  under a key that is also the gettext context; plural forms chosen by the count the message names;
- plain gettext, `_(lang, "loading dataset {name}")` and `ngettext(lang, singular, plural, n)`, for text
  made where the language is not known yet (the lab engine marks such text with `N_` and whoever shows
  it translates it).

English is the source language (no catalogue); a message missing from the Korean catalogue falls back
to English, and an unknown key shows itself, so a forgotten translation is visible, never a crash. The
tests fail on either. Concept tags read in Korean come from questions/glossary.yaml (`concepts:`).
"""

from __future__ import annotations

from typing import Any

from tutor.i18n.catalog import translations
from tutor.i18n.messages import MESSAGES
from tutor.safetext import clean

LANGUAGES = ("en", "ko")

__all__ = ["LANGUAGES", "N_", "_", "concept", "duration", "gettext", "ngettext", "t", "translations"]


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "translate later"
    """Marks `message` for the catalogue where it is made; it is translated where it is shown."""
    return message


def gettext(lang: str, message: str, **values: Any) -> str:
    """`message` (an English msgid) in `lang`, formatted with `values` when given."""
    text = translations(lang).gettext(message) if message else message
    return text.format(**_safe(values)) if values else text


_ = gettext


def ngettext(lang: str, singular: str, plural: str, n: int, **values: Any) -> str:
    """The form of a counted message that `n` takes in `lang`, formatted with `values` (and `n`)."""
    return translations(lang).ngettext(singular, plural, n).format(n=n, **_safe(values))


def t(lang: str, key: str, **values: Any) -> str:
    """The keyed message `key` in `lang`, formatted with `values`; a plural message counts the value it names."""
    message = MESSAGES.get(key)
    if message is None:
        return key
    catalogue = translations(lang)
    if message.plural is not None:
        template = catalogue.npgettext(key, message.singular, message.plural, _count(values.get(message.n)))
    else:
        template = catalogue.pgettext(key, message.singular)
    return template.format(**_safe(values)) if values else template


def _safe(values: dict[str, Any]) -> dict[str, Any]:
    """The values put into a message, made safe to show: a topic, a lab's title, an arm's label or a file
    name comes from a file and may hold escape sequences, which a message then shows escaped
    (`tutor.safetext.clean`), never sends. Numbers stay numbers for their format specs."""
    return {k: v if isinstance(v, (int, float)) else clean(v) for k, v in values.items()}


def _count(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 2  # not a number (a placeholder such as "-"): the plural form reads best


def duration(lang: str, seconds: float) -> str:
    """A short human duration: 'a moment', '25 min', '3 h', '4 days'."""
    minutes = seconds / 60
    if minutes < 1:
        return t(lang, "dur.now")
    if minutes < 90:
        return t(lang, "dur.minutes", n=round(minutes))
    hours = minutes / 60
    if hours < 36:
        return t(lang, "dur.hours", n=round(hours))
    return t(lang, "dur.days", n=round(hours / 24))


def concept(lang: str, tag: str) -> str:
    """A question's concept tag as the learner reads it: the glossary's Korean under `ko`, else the tag."""
    if lang != "ko":
        return tag
    from tutor.i18n.glossary import concepts

    return concepts().get(tag, tag)
