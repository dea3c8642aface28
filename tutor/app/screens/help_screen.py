"""F1: the keys of the screen below, read from its active bindings (translated as its footer shows them),
with the app-wide keys (command palette, help, quit) after them. Escape, F1 or q closes it."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from tutor.app.screens.base import TutorModal


def key_rows(screen: Any, lang: str) -> list[tuple[str, str]]:
    """(key, what it does) for the screen's and the app's bindings active on `screen` (described by message
    keys, so in `lang`), once per meaning; the widgets' generic keys (cursor, scrolling) are left out."""
    from tutor.app.strings import t
    from tutor.i18n.messages import MESSAGES
    ours = {t(lang, key) for key in MESSAGES}  # Textual's own (tab, ^c) have English descriptions: left out
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    for active in screen.active_bindings.values():
        binding = active.binding
        if active.node not in (screen, screen.app) or binding.description not in ours or not active.enabled or t(lang, binding.description) in seen:
            continue
        seen.add(t(lang, binding.description))  # q and Ctrl+Q both quit: listed once
        shown = binding.key_display or screen.app.get_key_display(binding)
        rows.append((shown, t(lang, binding.description)))
    return rows


class HelpScreen(TutorModal):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen #help-box { width: 72; max-width: 100%; height: auto; max-height: 90%; border: round $primary;
                           background: $surface; padding: 0 1; }
    HelpScreen .dialog-title { text-style: bold; }
    HelpScreen .dialog-hint { color: $text-muted; }
    """
    BINDINGS = [Binding("escape,f1,q", "dismiss", "key.back")]

    def __init__(self, below: Any, *, lang: str = "en") -> None:
        super().__init__(lang=lang)
        self.below = below
        self.rows = key_rows(below, lang)  # read now, while `below` is still the app's screen (its keys' state)

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True, style="bold")
        table.add_column()
        for key, what in self.rows:
            table.add_row(Text(key), Text(what))
        with VerticalScroll(id="help-box", classes="dialog"):
            yield Static(self.t("help.title"), classes="dialog-title", markup=False)
            yield Static(table, id="help-keys")
            yield Static(self.t("help.close"), classes="dialog-hint", markup=False)

    def action_dismiss(self) -> None:
        self.dismiss()
