"""One question at a time with feedback after each: the screen behind practice and review.

The session (`PracticeSession` / `ReviewSession`) decides the order, grades and records; this screen
shows the current question, forwards the learner's choice to `session.submit()`, shows the feedback,
and calls `session.advance()`. Two states: answering (choices visible, Enter submits) and feedback
(the why of every option, n / Enter for the next question).
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalGroup, VerticalScroll
from textual.widgets import Button, Footer, Static

from tutor.app.messages import OpenLab, StartMisconception, StoreTrouble
from tutor.app.screens.base import TutorScreen
from tutor.app.widgets.choices import Choices
from tutor.app.widgets.feedback_view import FeedbackView, feedback_renderable
from tutor.app.widgets.confidence_bar import ConfidenceBar
from tutor.app.widgets.leech_line import LeechLine
from tutor.app.widgets.question_view import QuestionView
from tutor.study.sessions import ChoiceCountError, check_count, chosen_keys
from tutor.study.store import StoreError

ANSWERING, FEEDBACK, DONE = "answering", "feedback", "done"


class StudyScreen(TutorScreen):
    """Base for practice and review; subclasses name the bar and the end-of-session message."""

    BINDINGS = [
        Binding("escape", "back", "key.back"),
        Binding("enter", "submit", "key.submit"),
        Binding("n,enter", "next", "key.next", key_display="n/⏎"),
        Binding("l", "open_lab", "key.lab"),
        Binding("x", "leech_misconception", "mis.key_practice"),
    ]

    def __init__(self, session: Any, *, labs: dict[str, Any] | None = None, lang: str = "en") -> None:
        super().__init__(lang=lang)
        self.session = session
        self.labs = labs or {}  # the labs questions may open (id -> LabRef)
        self.state = ANSWERING

    # -- layout -----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static("", id="study-bar", classes="bar", markup=False)
        with VerticalScroll(id="study-body"):
            yield Static("", id="study-message", markup=False)
            yield FeedbackView(id="feedback")
            yield LeechLine(self.lang, id="leech")
            yield ConfidenceBar(self.lang, store=self.session.store, id="confidence")
        with HorizontalGroup(id="study-actions", classes="actions"):
            yield Button(self.t("key.submit"), id="btn-submit", variant="primary", compact=True)
            yield Button(self.t("key.next"), id="btn-next", variant="primary", compact=True)
            yield Button(self.t("key.back"), id="btn-back", compact=True)
        yield Footer()

    async def on_mount(self) -> None:
        for button in self.query(Button):
            button.can_focus = False
        await self.show_current()

    # -- what subclasses say ----------------------------------------------------------------------

    def bar_text(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def done_text(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def is_leech(self, question_id: str) -> bool:
        return False

    # -- flow -------------------------------------------------------------------------------------

    async def show_current(self) -> None:
        """Draw the session's current question, or the end of the session."""
        feedback = self.query_one(FeedbackView)
        feedback.show("")
        self.query_one(LeechLine).clear()
        self.query_one(ConfidenceBar).hide()
        feedback.display = False
        message = self.query_one("#study-message", Static)
        body = self.query_one("#study-body", VerticalScroll)
        views = self.query(QuestionView)
        question = self.session.current
        if question is None:
            self.show_done()
        else:
            self.state = ANSWERING
            message.display = False
            order = self.session.shown
            if views:
                view = views.first()
                view.load(question, order=order)
                view.display = True
                view.choices.display = True
                view.query_one(".question-hint").display = True
                view.query_one(".question-hint").remove_class("-warning")
            else:
                view = QuestionView(question, self.lang, bank=self.session.bank, order=order, id="question")
                await body.mount(view, before=feedback)
            view.choices.focus(scroll_visible=False)  # open on the stem, not scrolled down to the options
            body.scroll_home(animate=False)
            self.session.mark_shown()
        self._update_chrome()

    def show_done(self) -> None:
        """The end of the session (`done_text`): at the end of the set, or when the learner leaves early."""
        self.state = DONE
        self.query_one(FeedbackView).display = False
        for view in self.query(QuestionView):
            view.display = False
        message = self.query_one("#study-message", Static)
        message.update(self.done_text())
        message.display = True
        body = self.query_one("#study-body", VerticalScroll)
        body.focus()
        body.scroll_home(animate=False)
        self._update_chrome()

    def _update_chrome(self) -> None:
        self.query_one("#study-bar", Static).update(self.bar_text())
        self.query_one("#btn-submit").display = self.state == ANSWERING
        self.query_one("#btn-next").display = self.state == FEEDBACK
        self.refresh_bindings()

    def submit(self, confidence: str | None = None) -> None:
        if self.state != ANSWERING:
            return
        choices = self.query_one(Choices)
        if not choices.chosen:
            # Enter with nothing chosen picks the highlighted option, so Enter, Enter answers.
            choices.action_toggle()
            return
        try:
            bar = self.query_one(ConfidenceBar)
            if bar.enabled and confidence is None:  # how sure, first (issue 26): the bar posts Chosen
                question = self.session.current
                check_count(question, chosen_keys(question, choices.chosen))
                bar.ask()
                return
            bar.hide()
            feedback = self.session.submit(choices.chosen, confidence=confidence)
        except ChoiceCountError as exc:  # "choose 2" with one chosen: say so, grade nothing
            hint = self.query_one("#question", QuestionView).query_one(".question-hint", Static)
            hint.update(self.t("q.choose_count", needed=exc.needed, got=exc.got))
            hint.add_class("-warning")
            hint.scroll_visible(animate=False)
            return
        except StoreError as exc:  # e.g. another tutor held the database for too long: keep the answer on screen
            self.notify(f"{self.t('store.failed')}\n{exc}", severity="error", timeout=8, markup=False)
            return
        if not feedback.saved:
            self.post_message(StoreTrouble())
        question = feedback.question
        self.query_one("#question", QuestionView).choices.display = False
        self.query_one(".question-hint").display = False
        view = self.query_one(FeedbackView)
        view.show(
            feedback_renderable(
                question,
                feedback.chosen,
                feedback.correct,
                self.lang,
                labs=self.labs,
                leech=self.is_leech(question.id),
                shown=feedback.shown,
            )
        )
        view.display = True
        if not feedback.correct:  # a leech's way out: its lab and the belief behind it (issue 26)
            self.query_one(LeechLine).show_for(self.session.bank, self.session.store, question.id, self.labs)
        view.set_class(feedback.correct, "-correct")
        view.set_class(not feedback.correct, "-incorrect")
        self.state = FEEDBACK
        body = self.query_one("#study-body", VerticalScroll)
        body.focus()
        body.scroll_home(animate=False)
        self._update_chrome()

    async def next_question(self) -> None:
        if self.state != FEEDBACK:
            return
        self.session.advance()
        await self.show_current()

    # -- keys and buttons -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "submit":
            return self.state == ANSWERING
        if action == "next":
            return self.state == FEEDBACK
        if action == "leech_misconception":
            return self.state == FEEDBACK and self.query_one(LeechLine).misconception is not None
        if action == "open_lab":
            return self.state == FEEDBACK and self._lab_id() is not None
        return True

    def _lab_id(self) -> str | None:
        question = self.session.current
        lab = getattr(question, "lab", None)
        return lab.id if lab is not None and lab.id in self.labs else self.query_one(LeechLine).lab_id

    def action_open_lab(self) -> None:
        lab_id = self._lab_id()
        if self.state == FEEDBACK and lab_id is not None:
            self.post_message(OpenLab(lab_id, question_id=self.session.current.id))

    def action_leech_misconception(self) -> None:
        misconception = self.query_one(LeechLine).misconception
        if self.state == FEEDBACK and misconception is not None:
            self.post_message(StartMisconception(misconception))

    def action_submit(self) -> None:
        self.submit()

    async def action_next(self) -> None:
        await self.next_question()

    def action_back(self) -> None:
        self.dismiss()

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "btn-submit":
            self.submit()
        elif event.button.id == "btn-next":
            await self.next_question()
        elif event.button.id == "btn-back":
            self.action_back()

    def on_confidence_bar_chosen(self, message: ConfidenceBar.Chosen) -> None:
        message.stop()
        if message.level is None:
            self.query_one(Choices).focus()
        else:
            self.submit(message.level)

    def on_choices_changed(self, message: Choices.Changed) -> None:
        message.stop()
