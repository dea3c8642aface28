"""What every tutor screen shares: the app's language for its own labels and key descriptions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.screen import ModalScreen, Screen

from tutor.app.strings import localize_bindings, t

if TYPE_CHECKING:  # pragma: no cover
    from tutor.app.app import TutorApp


class TutorScreen(Screen):
    """A full screen that speaks the app's language."""

    def __init__(self, *args: Any, lang: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lang = lang
        localize_bindings(self, lang)

    @property
    def tutor(self) -> TutorApp:
        return self.app  # type: ignore[return-value]

    def t(self, key: str, **values: object) -> str:
        return t(self.lang, key, **values)


class TutorModal(ModalScreen):
    """A dialog over the current screen, in the app's language."""

    def __init__(self, *args: Any, lang: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lang = lang
        localize_bindings(self, lang)

    def t(self, key: str, **values: object) -> str:
        return t(self.lang, key, **values)
