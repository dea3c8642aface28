"""The app's words: texts from the bank made safe to draw (`shown`), and the app's own messages (`t`).

The messages themselves live in the gettext catalogues (tutor.i18n: English in tutor/i18n/messages.py,
Korean in tutor/locale/ko/LC_MESSAGES/tutor.po); this module is the app's door to them, so screens and
widgets keep one import. Key descriptions in `BINDINGS` are message keys: screens mix in
`TranslatedBindings`, which translates them where Textual's footer and key panel read them (the public
`Screen.active_bindings`), so bindings are never rewritten in place. No Textual import here.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from tutor.i18n import LANGUAGES, concept, duration, t

__all__ = ["LANGUAGES", "TranslatedBindings", "concept", "duration", "glue_percent", "localize_bindings", "shown", "t"]


# "84 %" and "84%" are both in the bank (37 and 101 times); Rich and Textual break lines at any Unicode
# space, a no-break one included, so "84 %" could end one line and start the next with "%". The files keep
# their spelling (authors need not care); what is drawn is "84%", the form most of the bank already uses.
_NUMBER_PERCENT = re.compile(r"(\d)[ \u00a0\u202f]%")


def glue_percent(text: str) -> str:
    """`text` with every number kept on one line with its %: "84 %" is drawn "84%"."""
    return _NUMBER_PERCENT.sub(r"\1%", text)


def shown(value: dict[str, str] | None, lang: str) -> str:
    """A bank or lab text in `lang`, safe to draw: escape sequences in a file are shown, never sent to
    the terminal (`tutor.safetext.clean`), and numbers stay with their % (`glue_percent`). Widgets pass
    it as plain text (`markup=False` or Rich `Text`)."""
    from tutor.bank.localtext import text
    from tutor.safetext import clean

    return glue_percent(clean(text(value, lang)))


class TranslatedBindings:
    """Mixed into a Textual screen ahead of `Screen`: the active bindings with their descriptions (message
    keys such as "key.practice") in the screen's language. Textual's Footer and KeyPanel read bindings
    only through this property; key handling does not, so only what is shown changes."""

    lang: str = "en"

    @property
    def active_bindings(self) -> dict[str, Any]:
        found = super().active_bindings  # type: ignore[misc]
        return {
            key: active._replace(binding=replace(active.binding, description=t(self.lang, active.binding.description)))
            if active.binding.description else active
            for key, active in found.items()
        }


def localize_bindings(node: Any, lang: str) -> None:
    """Kept for callers written before `TranslatedBindings`: descriptions are now translated where they are
    shown (the screen's `active_bindings`), so a node's bindings need no rewriting. Does nothing."""
