"""What every tutor screen shares: the app's language for its own labels and key descriptions, and a
footer that tightens below 80 columns so every key stays on screen.

Screens never reach up into the app: what they draw is handed to them at construction, and what they ask
for they post as a message (tutor.app.messages) that the app handles."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer

from tutor.app.strings import TranslatedBindings, t

NARROW = 80  # below this many columns the footer drops the padding between keys


class TutorScreen(TranslatedBindings, Screen):
    """A full screen that speaks the app's language."""

    def __init__(self, *args: Any, lang: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lang = lang

    def t(self, key: str, **values: object) -> str:
        return t(self.lang, key, **values)

    def on_resize(self, event: events.Resize) -> None:
        for footer in self.query(Footer):
            footer.compact = event.size.width < NARROW


class TutorModal(TranslatedBindings, ModalScreen):
    """A dialog over the current screen, in the app's language."""

    def __init__(self, *args: Any, lang: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lang = lang

    def t(self, key: str, **values: object) -> str:
        return t(self.lang, key, **values)
