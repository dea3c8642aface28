"""One held misconception over the home screen (keys 1..3 there): the belief, the learner's evidence, and the
way out: `p` practises the questions that target it, `l` opens the lab whose claim refutes it. Dismisses
with "practice", "lab" or None; the home screen posts the message."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalGroup
from textual.widgets import Footer, Static

from tutor.app.screens.base import TutorModal
from tutor.app.strings import shown


class MisconceptionModal(TutorModal):
    DEFAULT_CSS = """
    MisconceptionModal { align: center middle; }
    MisconceptionModal #mis-box { width: 70; max-width: 100%; height: auto; border: round $primary;
                                  background: $surface; padding: 0 1; }
    MisconceptionModal #mis-belief { text-style: bold; }
    MisconceptionModal .dialog-hint { color: $text-muted; }
    """
    BINDINGS = [
        Binding("p", "choose('practice')", "mis.key_practice"),
        Binding("l", "choose('lab')", "mis.key_lab"),
        Binding("escape", "choose('')", "key.back"),
    ]

    def __init__(self, held: Any, labs: dict[str, Any], *, lang: str = "en") -> None:
        super().__init__(lang=lang)
        self.held = held
        self.labs = labs

    def compose(self) -> ComposeResult:
        held = self.held
        with VerticalGroup(id="mis-box"):
            yield Static(shown(held.text, self.lang) or held.id, id="mis-belief", markup=False)
            yield Static(held.evidence.text(self.lang), id="mis-evidence", markup=False)
            yield Static(self.t("mis.questions", n=len(held.questions)), markup=False)
            lab = self.labs.get(held.lab) if held.lab else None
            if lab is not None:
                yield Static(self.t("mis.lab", lab=shown(lab.title, self.lang) or held.lab), id="mis-lab", markup=False)
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose" and parameters and parameters[0] == "lab":
            return self.held.lab is not None and self.held.lab in self.labs
        return True

    def action_choose(self, what: str) -> None:
        self.dismiss(what or None)
