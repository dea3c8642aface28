"""What screens ask of the app: messages up, attributes down.

A screen never calls into the app or imports it: it posts one of these, which bubbles from the screen to
the app (`TutorApp.on_open_lab` ...), and the app, which holds the bank, the store and the lab catalogue,
starts the mode or pushes the screen. What a screen needs to draw (the bank, the store, the labs) it gets
at construction. So screens can be built and tested alone, and no import runs from a screen to the app.
"""

from __future__ import annotations

from typing import Any

from textual.message import Message


class StartPractice(Message):
    """Practise one topic (None: every topic)."""

    def __init__(self, topic: str | None = None) -> None:
        super().__init__()
        self.topic = topic


class StartReview(Message):
    """Review what is due."""


class StartExam(Message):
    """A timed exam: `preset` is short or full (tutor.study.sessions.EXAM_PRESETS)."""

    def __init__(self, preset: str = "short") -> None:
        super().__init__()
        self.preset = preset


class OpenLabs(Message):
    """The list of labs."""


class OpenLab(Message):
    """One lab's page, from a question (`question_id`) or from the list."""

    def __init__(self, lab_id: str, question_id: str | None = None) -> None:
        super().__init__()
        self.lab_id = lab_id
        self.question_id = question_id


class ShowReport(Message):
    """A finished exam's report, in place of the exam."""

    def __init__(self, report: Any) -> None:
        super().__init__()
        self.report = report


class StoreTrouble(Message):
    """The store refused something: `error` for a failed read, None for writes waiting in memory."""

    def __init__(self, error: BaseException | None = None) -> None:
        super().__init__()
        self.error = error


class StartMisconception(Message):
    """Practise the questions that target one misconception (issue 26)."""

    def __init__(self, misconception: str) -> None:
        super().__init__()
        self.misconception = misconception


class StartQuestion(Message):
    """Practise a question's topic, starting with that question (from the command palette)."""

    def __init__(self, question_id: str) -> None:
        super().__init__()
        self.question_id = question_id
