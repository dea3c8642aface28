"""The learner's prediction, asked before anything of the result is shown: which arm ends best on
validation accuracy, then (with the claims now in view, in plain words) whether the claims will hold.

The claims appear once an arm is guessed (or the verdict list gets the focus, or a run starts): what a
claim says points at an arm, so it comes after that guess, never before. Both guesses are optional.
Posts `LabPrediction.Changed` when a guess changes.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import HorizontalGroup, Vertical
from textual.message import Message
from textual.widgets import Label, RadioButton, RadioSet, Static

from tutor.app.strings import shown, t
from tutor.app.widgets.lab_text import VERDICTS, glued, indented, unmeasured


class LabPrediction(Vertical):
    class Changed(Message):
        def __init__(self, arm: str | None, verdict: str | None) -> None:
            super().__init__()
            self.arm = arm
            self.verdict = verdict

    def __init__(self, lab: Any, *, lang: str = "en", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lab = lab
        self.lang = lang
        self.revealed = False

    def t(self, key: str, **values: object) -> str:
        return t(self.lang, key, **values)

    def compose(self) -> ComposeResult:
        yield Static(self.t("lab.predict"), classes="lab-heading", markup=False)
        with HorizontalGroup(id="lab-guesses"):
            with Vertical(classes="lab-guess"):
                yield Label(self.t("lab.predict_arm"))
                with RadioSet(id="predict-arm", compact=True):
                    for name in self.lab.arm_names:
                        yield RadioButton(name, name=name)
                    yield RadioButton(self.t("lab.no_guess"), value=True, name="")
            with Vertical(classes="lab-guess"):
                yield Label(self.t("lab.predict_verdict"))
                with RadioSet(id="predict-verdict", compact=True):
                    for verdict in VERDICTS:
                        yield RadioButton(self.t(f"lab.verdict.{verdict}"), name=verdict)
                    yield RadioButton(self.t("lab.no_guess"), value=True, name="")
        yield Static(self.claims(), id="lab-claims-ahead")
        yield Static(self._guess_text(), id="lab-guess-line", markup=False)
        yield Static(self.t("lab.start_hint"), classes="lab-hint", markup=False)

    # -- the guesses ----------------------------------------------------------------------------

    def guess(self, radio_id: str) -> str | None:
        pressed = self.query_one(f"#{radio_id}", RadioSet).pressed_button
        return (pressed.name or None) if pressed is not None else None

    @property
    def arm(self) -> str | None:
        return self.guess("predict-arm")

    @property
    def verdict(self) -> str | None:
        return self.guess("predict-verdict")

    def _guess_text(self) -> str:
        if not self.is_mounted:
            return self.t("lab.guess_none")
        arm, verdict = self.arm, self.verdict
        if arm is None and verdict is None:
            return self.t("lab.guess_none")
        return self.t("lab.guess_line", arm=arm or "-", verdict=self.t(f"lab.verdict.{verdict}") if verdict else "-")

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        if event.radio_set.id == "predict-arm":
            self.reveal()
        self.query_one("#lab-guess-line", Static).update(self._guess_text())
        self.post_message(self.Changed(self.arm, self.verdict))

    def on_descendant_focus(self, event: Any) -> None:
        if getattr(event.widget, "id", None) == "predict-verdict":
            self.reveal()

    # -- the claims -----------------------------------------------------------------------------

    def reveal(self) -> None:
        """Show the claims in plain words (after the arm guess: they point at arms)."""
        if not self.revealed:
            self.revealed = True
            self.query_one("#lab-claims-ahead", Static).update(self.claims())

    def claims(self) -> Group:
        heading = Text(self.t("lab.claims_ahead", count=len(self.lab.claims)), style="bold")
        if not self.revealed:
            return Group(heading, indented(Text("  " + self.t("lab.claims_after_guess"), style="dim italic")))
        lines: list[Any] = [heading]
        for claim in self.lab.claims:
            says = shown(claim.says, self.lang) if getattr(claim, "says", None) else claim.text
            lines.append(indented(Text("  • " + glued(unmeasured(says)))))
        return Group(*lines)
