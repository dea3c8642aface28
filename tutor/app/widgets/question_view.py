"""A question as the learner answers it: topic and difficulty, the stem, what to choose, the options."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalGroup
from textual.widgets import Static

from tutor.app.strings import shown, t
from tutor.app.widgets.choices import Choices, key_letters
from tutor.bank import Bank, Question


def question_meta(bank: Bank | None, question: Question, lang: str) -> str:
    """'Topic title · medium'."""
    topic = bank.topics.get(question.topic) if bank is not None else None
    title = shown(topic.title, lang) if topic is not None else question.topic
    return f"{title} · {t(lang, f'q.difficulty.{question.difficulty}')}"


def instruction(
    question: Question,
    lang: str,
    reserved: frozenset[str] = frozenset(),
    enter: str = "q.enter_submits",
    order: tuple[str, ...] | None = None,
) -> str:
    """'Choose one answer · keys 1-4 / A-D, ↑↓ and space, or click · Enter submits'."""
    if question.type == "multiple":
        what = t(lang, "q.choose_many", count=len(question.answers))
    elif question.type == "true_false":
        what = t(lang, "q.true_false")
    else:
        what = t(lang, "q.choose_one")
    letters = letter_range(list(key_letters(question, order, reserved)))
    return f"{what} · {t(lang, 'q.keys_hint', n=len(question.options), letters=letters)} · {t(lang, enter)}"


def letter_range(letters: list[str]) -> str:
    """'A-D' for a run of consecutive letters from A, else 'T/F'."""
    run = [chr(ord("a") + i) for i in range(len(letters))]
    if len(letters) > 2 and letters == run:
        return f"A-{letters[-1].upper()}"
    return "/".join(letter.upper() for letter in letters)


class QuestionView(VerticalGroup):
    """Meta line, stem, instruction and the `Choices` of one question."""

    def __init__(
        self,
        question: Question,
        lang: str = "en",
        *,
        bank: Bank | None = None,
        chosen: frozenset[str] = frozenset(),
        order: tuple[str, ...] | None = None,
        reserved: frozenset[str] = frozenset(),
        enter: str = "q.enter_submits",
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="question-view")
        self.enter = enter
        self.order = order
        self.question = question
        self.lang = lang
        self.bank = bank
        self.chosen = chosen
        self.reserved = reserved

    def compose(self) -> ComposeResult:
        yield Static(question_meta(self.bank, self.question, self.lang), classes="question-meta", markup=False)
        yield Static(shown(self.question.stem, self.lang), classes="question-stem", markup=False)
        yield Static(self.hint(), classes="question-hint", markup=False)
        yield Choices(self.question, self.lang, chosen=self.chosen, order=self.order, reserved=self.reserved)

    def hint(self) -> str:
        return instruction(self.question, self.lang, self.reserved, self.enter, self.order)

    @property
    def choices(self) -> Choices:
        return self.query_one(Choices)

    def load(self, question: Question, chosen: frozenset[str] = frozenset(), order: tuple[str, ...] | None = None) -> None:
        """Show another question in place (no remount: keys keep working while it redraws)."""
        self.question, self.chosen, self.order = question, chosen, order
        self.query_one(".question-meta", Static).update(question_meta(self.bank, question, self.lang))
        self.query_one(".question-stem", Static).update(shown(question.stem, self.lang))
        self.query_one(".question-hint", Static).update(self.hint())
        self.choices.load(question, chosen, order)
