"""A yes/no question over the current screen; dismisses with True (y, Enter on Yes) or False."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalGroup, VerticalGroup
from textual.widgets import Button, Static

from tutor.app.screens.base import TutorModal


class ConfirmModal(TutorModal):
    BINDINGS = [
        Binding("y", "answer(True)", "key.yes"),
        Binding("n,escape", "answer(False)", "key.no"),
    ]

    def __init__(self, message: str, *, lang: str = "en") -> None:
        super().__init__(lang=lang)
        self.message = message

    def compose(self) -> ComposeResult:
        with VerticalGroup(id="confirm-box"):
            yield Static(self.message, id="confirm-message", markup=False)
            with HorizontalGroup(classes="actions"):
                yield Button(f"{self.t('key.yes')} (y)", id="btn-yes", variant="primary", compact=True)
                yield Button(f"{self.t('key.no')} (n)", id="btn-no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#btn-yes", Button).focus()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "btn-yes")
