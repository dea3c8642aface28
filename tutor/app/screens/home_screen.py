"""Home: the topics with counts and mastery, reviews due, bank problems, and the ways to study."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalGroup
from textual.widgets import Button, DataTable, Footer, Static

from tutor.app.messages import (
    OpenLab,
    OpenLabs,
    StartExam,
    StartMisconception,
    StartPractice,
    StartReview,
    StoreTrouble,
)
from tutor.app.screens.base import TutorScreen
from tutor.app.widgets.home_outlook import TOP, HomeOutlook, OutlookData
from tutor.app.widgets.topic_table import ALL, TopicTable
from tutor.bank import text
from tutor.safetext import one_line
from tutor.study.progress import summary

PROBLEM_LINES = 3


def short_path(file: str, limit: int = 32) -> str:
    """A long path cut to its last two parts, so the file name survives on one line."""
    parts = Path(file).parts
    return file if len(file) <= limit or len(parts) <= 2 else str(Path("…", *parts[-2:]))


class HomeScreen(TutorScreen):
    AUTO_FOCUS = "#topics"
    BINDINGS = [
        Binding("p", "practice", "key.practice"),
        Binding("e", "exam('short')", "key.exam_short"),
        Binding("m", "exam('full')", "key.exam_full"),
        Binding("r", "review", "key.review"),
        Binding("l", "labs", "key.labs"),
        Binding("d", "exam_date", "key.exam_date", show=False),  # named on the outlook line and in F1
        Binding("c", "toggle_confidence", "key.confidence", show=False),
        *(Binding(str(n), f"misconception({n})", "key.misconception", show=False) for n in range(1, TOP + 1)),
        Binding("q", "app.quit", "key.quit"),
    ]

    def __init__(self, bank: Any, store: Any, *, problems: list | None = None, lang: str = "en",
                 labs: Any = None) -> None:
        super().__init__(lang=lang)
        self.labs = labs if labs is not None else {}  # id -> LabRef, or a callable giving them (read when first needed)
        self.bank = bank
        self.store = store
        self.problems = list(problems or [])

    def compose(self) -> ComposeResult:
        yield Static(self.t("app.title"), id="home-title", classes="bar", markup=False)
        problems = self.problems
        if problems:
            files = len({p.file for p in problems})
            lines = [self.t("home.problems", files=files)]
            lines += [f"  {one_line(short_path(p.file))}:{p.line}: {one_line(p.message)}" for p in problems[:PROBLEM_LINES]]
            if len(problems) > PROBLEM_LINES:
                lines.append("  " + self.t("home.problems_more", more=len(problems) - PROBLEM_LINES))
            yield Static(Text("\n".join(lines), no_wrap=True, overflow="ellipsis"), id="home-problems")
        if not self.bank.questions:
            yield Static(self.t("home.empty"), id="home-empty", markup=False)
        yield TopicTable(self.lang, id="topics")
        yield Static("", id="home-status", markup=False)
        yield Static("", id="home-practice", markup=False)
        yield HomeOutlook(self.lang, id="home-outlook")
        with HorizontalGroup(id="home-actions", classes="actions"):
            yield Button(self.t("key.practice"), id="btn-practice", variant="primary", compact=True)
            yield Button(self.t("key.exam_short"), id="btn-exam-short", compact=True)
            yield Button(self.t("key.exam_full"), id="btn-exam-full", compact=True)
            yield Button(self.t("key.review"), id="btn-review", compact=True)
            yield Button(self.t("key.labs"), id="btn-labs", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        from tutor.study.sessions import EXAM_PRESETS

        for button in self.query(Button):
            button.can_focus = False  # keys drive everything; buttons are for the mouse
        for preset in ("short", "full"):
            count, minutes = EXAM_PRESETS[preset]
            self.query_one(f"#btn-exam-{preset}").tooltip = self.t(f"exam.{preset}", count=count, minutes=f"{minutes:g}")
        self.query_one(TopicTable).tooltip = self.t("home.hint")

    def on_screen_resume(self) -> None:
        # also sent when the screen is first shown, so this draws the table the first time too
        self.refresh_progress()

    def refresh_progress(self) -> None:
        from tutor.study.store import StoreError

        bank = self.bank
        try:
            progress = summary(bank, self.store)
        except StoreError as exc:
            self.post_message(StoreTrouble(exc))
            return
        self.query_one(TopicTable).fill(bank, progress)
        parts = [self.t("home.due", due=progress.due) if progress.due else self.t("home.due_none")]
        if progress.leeches:
            parts.append(self.t("home.leeches", count=len(progress.leeches)))
        parts.append(self.t("home.totals", questions=progress.total, seen=progress.seen))
        status = self.query_one("#home-status", Static)
        status.update("  ·  ".join(parts))
        status.set_class(progress.due > 0, "-due")
        self.show_practice_target()
        self.refresh_outlook()

    def refresh_outlook(self) -> None:
        """Misconceptions, plan and readiness, computed off the UI thread (after the first frame)."""
        self.call_after_refresh(self._outlook_worker)

    @work(thread=True, exclusive=True, group="outlook", exit_on_error=False)
    def _outlook_worker(self) -> None:
        from tutor.app.widgets.home_outlook import gather
        from tutor.study.store import StoreError

        try:
            data = gather(self.bank, self.store)
        except StoreError:
            return  # the progress read above already told the learner
        self.app.call_from_thread(self._show_outlook, data)

    def _show_outlook(self, data: OutlookData) -> None:
        if self.is_attached:
            self.query_one(HomeOutlook).show(data)
            self.refresh_bindings()

    def show_practice_target(self) -> None:
        """Name the set `p` (and Enter) starts: the highlighted row, so it never starts silently."""
        bank = self.bank
        topic = self._topic()
        if topic is None:
            title, count = self.t("home.all_topics"), len(bank)
        else:
            found = bank.topic_title(topic)
            title, count = (text(found, self.lang) if found is not None else topic), len(bank.question_ids(topic))
        self.query_one("#home-practice", Static).update(self.t("home.practice_target", topic=title, count=count))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.show_practice_target()

    def _topic(self) -> str | None:
        key = self.query_one(TopicTable).topic_key
        return None if key in (None, ALL) else key

    def action_practice(self) -> None:
        self.post_message(StartPractice(self._topic()))

    def action_exam(self, preset: str) -> None:
        self.post_message(StartExam(preset))

    def action_review(self) -> None:
        self.post_message(StartReview())

    def action_labs(self) -> None:
        self.post_message(OpenLabs())

    def action_exam_date(self) -> None:
        from tutor.app.screens.exam_date_modal import ExamDateModal

        def saved(changed: bool | None) -> None:
            if changed:
                self.refresh_outlook()

        self.app.push_screen(ExamDateModal(self.store, lang=self.lang), saved)

    def action_toggle_confidence(self) -> None:
        """Ask how sure before grading (certainty-based marking), or stop asking; kept in the store's settings."""
        from tutor.app.widgets.confidence_bar import SETTING, asking
        from tutor.study.store import StoreError

        on = not asking(self.store)
        try:
            self.store.set_setting(SETTING, "on" if on else "off")
        except StoreError as exc:
            self.post_message(StoreTrouble(exc))
            return
        self.notify(self.t("conf.on" if on else "conf.off"), timeout=4)

    def _held(self, n: int) -> Any:
        data = self.query_one(HomeOutlook).data
        return data.held[n - 1] if data is not None and 0 < n <= len(data.held) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "misconception":
            return self._held(int(parameters[0])) is not None  # type: ignore[arg-type]
        return True

    def action_misconception(self, n: int) -> None:
        from tutor.app.screens.misconception_modal import MisconceptionModal

        held = self._held(n)
        if held is None:
            return
        labs = self.labs() if callable(self.labs) else self.labs

        def chosen(what: str | None) -> None:
            if what == "practice":
                self.post_message(StartMisconception(held.id))
            elif what == "lab" and held.lab:
                self.post_message(OpenLab(held.lab))

        self.app.push_screen(MisconceptionModal(held, labs, lang=self.lang), chosen)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = event.row_key.value
        self.post_message(StartPractice(None if key == ALL else key))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {
            "btn-practice": self.action_practice,
            "btn-exam-short": lambda: self.action_exam("short"),
            "btn-exam-full": lambda: self.action_exam("full"),
            "btn-review": self.action_review,
            "btn-labs": self.action_labs,
        }
        if event.button.id in actions:
            actions[event.button.id]()
