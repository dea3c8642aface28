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
        from tutor.study.plan import PlanError, save_settings

        def value(name: str) -> str:
            return self.query_one(f"#plan-{name}", Input).value.strip()

        error = self.query_one("#plan-error", Static)
        try:
            exam_date, minutes, mark = self._values(value)
            save_settings(self.store, exam_date, minutes, mark)
        except (PlanError, ValueError) as exc:
            error.update(self.t("plan.bad_input", why=self._why(exc)))
            return False
        self.dismiss(True)
        return True

    def _values(self, value) -> tuple:
        """The three fields read; a field that does not parse raises ValueError with the message key to show."""
        from tutor.study.plan import PlanError, parse_date

        if not value("date"):
            raise ValueError("plan.need_date")
        try:
            exam_date = parse_date(value("date"))
        except PlanError:
            raise ValueError("plan.err_date") from None
        try:
            minutes = int(value("minutes")) if value("minutes") else None
            mark = float(value("mark").rstrip("% ")) / 100 if value("mark") else None
        except ValueError:
            raise ValueError("plan.err_number") from None
        self._checked = (exam_date, minutes, mark)
        return exam_date, minutes, mark

    def _why(self, exc: Exception) -> str:
        """One line in the app's language: which field is wrong and why (save_settings's rule, named)."""
        from datetime import date

        from tutor.study.plan import MAX_DAYS, PlanError

        if not isinstance(exc, PlanError):
            return self.t(str(exc))
        exam_date, minutes, mark = self._checked
        today = date.today()
        if exam_date <= today:
            return self.t("plan.err_past", date=exam_date.isoformat())
        if (exam_date - today).days > MAX_DAYS:
            return self.t("plan.err_far", days=MAX_DAYS)
        if minutes is not None and not 1 <= minutes <= 24 * 60:
            return self.t("plan.err_minutes")
        if mark is not None and not 0 < mark <= 1:
            return self.t("plan.err_mark")
        return str(exc).splitlines()[0]

    def action_cancel(self) -> None:
        self.dismiss(False)
