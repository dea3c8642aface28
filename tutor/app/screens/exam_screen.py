"""Exam: N questions in M minutes with a live countdown, a navigator, flags, and no feedback until the
end. `ExamSession` keeps the answers, the clock and the score; this screen shows and forwards."""

from __future__ import annotations

from datetime import timedelta

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, HorizontalGroup, Vertical, VerticalScroll
from textual.widgets import Button, Footer, Static

from tutor.app.messages import ShowReport, StoreTrouble
from tutor.app.screens.base import TutorScreen
from tutor.app.screens.confirm_modal import ConfirmModal
from tutor.app.widgets.choices import Choices
from tutor.app.widgets.exam_navigator import ExamNavigator
from tutor.app.widgets.question_pane import QuestionPane
from tutor.app.widgets.question_view import QuestionView
from tutor.study.sessions import ExamSession
from tutor.study.store import StoreError

FLAG_KEY = "x"  # not f: f answers False on a true/false question
RESERVED = frozenset({FLAG_KEY, "s"})  # exam keys that option letters must not take (letters go A-H, T/F)
LOW_TIME = timedelta(minutes=5)


def clock(remaining: timedelta) -> str:
    seconds = max(0, int(remaining.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"


class ExamScreen(TutorScreen):
    BINDINGS = [
        Binding("escape", "leave", "key.back"),
        Binding("left", "previous", "key.prev_q", key_display="←"),
        Binding("right,enter", "next", "key.next_q", key_display="→"),
        Binding(FLAG_KEY, "flag", "key.flag"),
        Binding("s", "finish", "key.finish"),
    ]

    def __init__(self, session: ExamSession, *, lang: str = "en") -> None:
        super().__init__(lang=lang)
        self.session = session
        self.index = 0
        self.finished = False

    def compose(self) -> ComposeResult:
        yield Static("", id="exam-bar", classes="bar", markup=False)
        with Horizontal(id="exam-body"):
            with QuestionPane(id="exam-main"):
                yield Static("", id="exam-flag", markup=False)
            with Vertical(id="exam-side"):
                with VerticalScroll(id="exam-nav-scroll"):
                    yield ExamNavigator(self.session.total, id="exam-nav")
                yield Static(self.t("exam.legend"), id="exam-legend", markup=False)
        with HorizontalGroup(id="exam-actions", classes="actions"):
            yield Button(f"← {self.t('key.prev_q')}", id="btn-prev", compact=True)
            yield Button(f"{self.t('key.next_q')} →", id="btn-next", compact=True)
            yield Button(f"⚑ {self.t('key.flag')}", id="btn-flag", compact=True)
            yield Button(self.t("key.finish"), id="btn-finish", variant="warning", compact=True)
        yield Footer()

    async def on_mount(self) -> None:
        for widget in self.query(Button):
            widget.can_focus = False
        self.query_one("#exam-main").can_focus = False
        self.query_one("#exam-nav-scroll").can_focus = False
        await self.show_question(0)
        self.set_interval(1.0, self.tick)

    # -- drawing ----------------------------------------------------------------------------------

    @property
    def question(self):
        return self.session.questions[self.index]

    async def show_question(self, index: int) -> None:
        self.index = max(0, min(index, self.session.total - 1))
        question = self.question
        chosen = self.session.answers.get(question.id, frozenset())
        order = self.session.orders[question.id]  # drawn once per exam: stable while moving ← →
        main = self.query_one("#exam-main", QuestionPane)
        views = self.query(QuestionView)
        if views:
            view = views.first()
            view.load(question, chosen, order)  # in place: a key typed right after moving lands on this question
        else:
            view = QuestionView(
                question,
                self.lang,
                bank=self.session.bank,
                chosen=chosen,
                order=order,
                reserved=RESERVED,
                enter="q.enter_next",
                id="question",
            )
            await main.mount(view, before="#exam-flag")
        view.choices.focus(scroll_visible=False)  # open on the stem, not scrolled down to the options
        main.scroll_home(animate=False)
        self.update_status()

    def update_status(self) -> None:
        s = self.session
        ids = [q.id for q in s.questions]
        self.query_one(ExamNavigator).show([q in s.answers for q in ids], [q in s.flags for q in ids], self.index)
        flagged = self.question.id in s.flags
        flag = self.query_one("#exam-flag", Static)
        flag.update(self.t("exam.flag_mark") if flagged else "")
        flag.display = flagged
        self.update_clock()

    def update_clock(self) -> None:
        s = self.session
        remaining = s.remaining()
        parts = [
            f"⏱ {clock(remaining)}",
            self.t("exam.title"),
            self.t("exam.question", pos=self.index + 1, total=s.total),
            self.t("exam.answered", answered=len(s.answers), total=s.total),
        ]
        if s.flags:
            parts.append(self.t("exam.flagged", flagged=len(s.flags)))
        bar = self.query_one("#exam-bar", Static)
        bar.update("  ·  ".join(parts))
        bar.set_class(remaining <= LOW_TIME, "-low-time")

    # -- time -------------------------------------------------------------------------------------

    def tick(self) -> None:
        if self.finished:
            return
        if self.session.expired():
            self.time_up()
        else:
            self.update_clock()

    def time_up(self) -> None:
        while self.app.screen is not self and isinstance(self.app.screen, ConfirmModal):
            self.app.pop_screen()
        self.finish()

    def finish(self) -> None:
        if self.finished:
            return
        try:
            report = self.session.finish()
        except StoreError as exc:  # the exam stays open: finishing again retries
            self.notify(f"{self.t('store.failed')}\n{exc}", severity="error", timeout=8, markup=False)
            return
        if not report.saved:
            self.post_message(StoreTrouble())
        self.finished = True
        self.post_message(ShowReport(report))

    # -- actions ----------------------------------------------------------------------------------

    async def action_previous(self) -> None:
        await self.action_move(-1)

    async def action_next(self) -> None:
        await self.action_move(1)

    async def action_move(self, step: int) -> None:
        target = self.index + step
        if 0 <= target < self.session.total:
            await self.show_question(target)

    def action_flag(self) -> None:
        self.session.toggle_flag(self.question.id)
        self.update_status()

    def action_finish(self) -> None:
        unanswered = len(self.session.unanswered())
        message = self.t("exam.confirm_finish")
        if unanswered:
            message += "\n" + self.t("exam.confirm_unanswered", count=unanswered)
        flagged = len(self.session.flags)
        if flagged:
            message += "\n" + self.t("exam.confirm_flagged", count=flagged)
        miscounted = len(self.session.miscounted())
        if miscounted:
            message += "\n" + self.t("exam.confirm_miscounted", count=miscounted)

        def done(yes: bool | None) -> None:
            if yes:
                self.finish()

        self.app.push_screen(ConfirmModal(message, lang=self.lang), done)

    def action_leave(self) -> None:
        def done(yes: bool | None) -> None:
            if yes:
                self.finished = True
                self.dismiss()

        self.app.push_screen(ConfirmModal(self.t("exam.confirm_leave"), lang=self.lang), done)

    def on_choices_changed(self, message: Choices.Changed) -> None:
        message.stop()
        # the message names its own question: a key typed just before moving on still lands where it was typed
        self.session.choose(message.question_id, message.chosen)
        self.update_status()

    async def on_exam_navigator_jump(self, message: ExamNavigator.Jump) -> None:
        message.stop()
        await self.show_question(message.index)

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        button = event.button.id
        if button == "btn-prev":
            await self.action_move(-1)
        elif button == "btn-next":
            await self.action_move(1)
        elif button == "btn-flag":
            self.action_flag()
        elif button == "btn-finish":
            self.action_finish()
