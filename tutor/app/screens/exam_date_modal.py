"""The exam date, minutes per day and pass mark, over the home screen (`d`). Enter saves through
`tutor.study.plan.save_settings`, which checks them; what it refuses is one line in the dialog, and the
dialog stays open. Dismisses with True once saved, False on Escape."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalGroup, VerticalGroup
from textual.widgets import Input, Label, Static

from tutor.app.screens.base import TutorModal


class ExamDateModal(TutorModal):
    DEFAULT_CSS = """
    ExamDateModal { align: center middle; }
    ExamDateModal #plan-box { width: 60; max-width: 100%; height: auto; border: round $primary;
                              background: $surface; padding: 0 1; }
    ExamDateModal .plan-row { height: auto; }
    ExamDateModal .plan-row Label { width: 24; padding: 1 1 0 0; }
    ExamDateModal .plan-row Input { width: 1fr; }
    ExamDateModal #plan-error { color: $error; height: auto; }
    ExamDateModal .dialog-title { text-style: bold; }
    ExamDateModal .dialog-hint { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "cancel", "key.back")]

    def __init__(self, store: Any, *, lang: str = "en") -> None:
        super().__init__(lang=lang)
        self.store = store

    def compose(self) -> ComposeResult:
        from tutor.study.plan import load_settings

        settings = load_settings(self.store)
        values = {
            "date": settings.exam_date.isoformat() if settings.exam_date else "",
            "minutes": str(settings.minutes_per_day or ""),
            "mark": f"{settings.pass_mark * 100:g}",
        }
        with VerticalGroup(id="plan-box"):
            yield Static(self.t("plan.dialog_title"), classes="dialog-title", markup=False)
            for name, placeholder in (("date", "YYYY-MM-DD"), ("minutes", "30"), ("mark", "72")):
                with HorizontalGroup(classes="plan-row"):
                    yield Label(self.t(f"plan.field_{name}"), markup=False)
                    yield Input(values[name], placeholder=placeholder, id=f"plan-{name}", compact=False)
            yield Static("", id="plan-error", markup=False)
            yield Static(self.t("plan.dialog_hint"), classes="dialog-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#plan-date", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.save()

    def save(self) -> bool:
        from tutor.study.plan import PlanError, parse_date, save_settings

        def value(name: str) -> str:
            return self.query_one(f"#plan-{name}", Input).value.strip()

        error = self.query_one("#plan-error", Static)
        try:
            exam_date = parse_date(value("date")) if value("date") else None
            if exam_date is None:
                raise PlanError(self.t("plan.need_date"))
            minutes = int(value("minutes")) if value("minutes") else None
            mark = float(value("mark").rstrip("%")) / 100 if value("mark") else None
            save_settings(self.store, exam_date, minutes, mark)
        except (PlanError, ValueError) as exc:
            error.update(self.t("plan.bad_input", why=str(exc).splitlines()[0] if str(exc) else "?"))
            return False
        self.dismiss(True)
        return True

    def action_cancel(self) -> None:
        self.dismiss(False)
