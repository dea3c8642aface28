"""How sure the learner is, asked before an answer is graded (issue 26; certainty-based marking as Moodle's
CBM): off unless the learner turned it on (`c` on home, kept in the store's settings). When on, Enter on a
chosen answer focuses this bar instead of grading: s sure, f fairly sure, g guessing (or click), Escape goes
back to the options. It posts `Chosen` with the level for `session.submit(confidence=...)`."""

from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

from tutor.app.strings import t

SETTING = "app.confidence"  # "on" / "off" in the store's settings
LEVELS = (("s", "sure"), ("f", "fairly_sure"), ("g", "guessing"))


def asking(store: Any) -> bool:
    """Whether the learner turned confidence on (an unreadable store: off)."""
    from tutor.study.store import StoreError

    try:
        return store.setting(SETTING) == "on"
    except StoreError:
        return False


class ConfidenceBar(Static, can_focus=True):
    DEFAULT_CSS = """
    ConfidenceBar { height: auto; padding: 0 1; margin-top: 1; border-left: thick $accent; }
    ConfidenceBar:focus { background: $boost; }
    """
    BINDINGS = [*(Binding(key, f"choose('{level}')", f"conf.{level}") for key, level in LEVELS),
                Binding("escape", "cancel", "key.back")]

    class Chosen(Message):
        def __init__(self, level: str | None) -> None:
            super().__init__()
            self.level = level  # None: back to the options

    def __init__(self, lang: str = "en", *, store: Any = None, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.lang = lang
        self.enabled = asking(store) if store is not None else False
        self.display = False

    def ask(self) -> None:
        keys = "  ".join(f"{key} {t(self.lang, f'conf.{level}')}" for key, level in LEVELS)
        self.update(f"{t(self.lang, 'conf.prompt')}  {keys}")
        self.display = True
        self.focus()
        self.scroll_visible(animate=False)

    def hide(self) -> None:
        self.display = False

    def action_choose(self, level: str) -> None:
        self.post_message(self.Chosen(level))

    def action_cancel(self) -> None:
        self.hide()
        self.post_message(self.Chosen(None))

    def on_click(self) -> None:
        self.focus()
