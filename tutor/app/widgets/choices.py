"""The options of one question, chosen by key (1-8, or the option's letter), arrows + space, or mouse.

Options appear in the order the session drew (`order`, option keys); letters and digits follow what is
displayed (A, B, C, ... by position, T/F for true/false), whatever the keys in the file, while
`chosen` holds option keys, so the session grades by identity, never by position.
Single-answer and true/false questions behave like radio buttons, multiple-answer ones like check
boxes. The widget only keeps the selection and reports it (`Choices.Changed`); grading is the
session's business.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import HorizontalGroup, VerticalGroup
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static

from tutor.app.strings import shown
from tutor.bank import Question


def file_order(question: Question) -> tuple[str, ...]:
    return tuple(o.key for o in question.options)


def display_letters(question: Question, order: tuple[str, ...]) -> list[str]:
    """The letter shown before each displayed option: A, B, C, ... by position (T/F for true/false)."""
    if question.type == "true_false":
        return ["T" if key == "T" else "F" for key in order]
    return [chr(ord("A") + i) for i in range(len(order))]


def key_letters(question: Question, order: tuple[str, ...] | None = None, reserved: frozenset[str] = frozenset()) -> dict[str, int]:
    """Keyboard letter -> displayed position; letters the screen uses for itself (`reserved`) are left out."""
    letters: dict[str, int] = {}
    for index, letter in enumerate(display_letters(question, order or file_order(question))):
        if letter.lower() not in reserved:
            letters[letter.lower()] = index
    return letters


class ChoiceRow(HorizontalGroup):
    """One option: a mark, its key, and its text (which wraps under itself, not under the mark)."""

    @dataclass
    class Pressed(Message):
        index: int

    def __init__(self, index: int, key: str, letter: str, label: str, multiple: bool) -> None:
        super().__init__(classes="choice-row")
        self.index = index
        self.key = key  # the option's identity
        self.letter = letter  # what the learner sees and types
        self.label = label
        self.multiple = multiple

    def compose(self) -> ComposeResult:
        yield Static(self._mark(False), classes="choice-mark", markup=False)  # "[x]" is not a style tag
        yield Static(self.label, classes="choice-text", markup=False)

    def set_option(self, key: str, letter: str, label: str, multiple: bool) -> None:
        """Show another option in this row (the next question reuses the rows it can)."""
        self.key, self.letter, self.label, self.multiple = key, letter, label, multiple
        self.query_one(".choice-text", Static).update(label)

    def _mark(self, selected: bool) -> str:
        if self.multiple:
            box = "[x]" if selected else "[ ]"
        else:
            box = "(•)" if selected else "( )"
        return f"{box} {self.letter}"

    def show(self, selected: bool, highlighted: bool) -> None:
        self.set_class(selected, "-selected")
        self.set_class(highlighted, "-highlight")
        self.query_one(".choice-mark", Static).update(self._mark(selected))

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(self.Pressed(self.index))


class Choices(VerticalGroup, can_focus=True):
    """The selectable options of `question`; `chosen` holds the selected option keys."""

    # Option keys are bindings, not an on_key handler: bindings are resolved in the order keys arrive,
    # so "1, →, 2" answers two questions even when typed faster than the screen redraws.
    BINDINGS = [
        Binding("up", "move(-1)", show=False),
        Binding("down", "move(1)", show=False),
        Binding("space", "toggle", "key.toggle", key_display="space"),
        *[Binding(str(n), f"choose({n - 1})", show=False) for n in range(1, 10)],
        *[Binding(c, f"letter('{c}')", show=False) for c in string.ascii_lowercase],
    ]

    highlight: reactive[int] = reactive(0)

    @dataclass
    class Changed(Message):
        choices: Choices
        question_id: str  # the question the choice was made on (the widget may show another by now)
        chosen: frozenset[str]

    def __init__(
        self,
        question: Question,
        lang: str = "en",
        *,
        chosen: frozenset[str] = frozenset(),
        order: tuple[str, ...] | None = None,
        reserved: frozenset[str] = frozenset(),
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="choices")
        self.lang = lang
        self.reserved = reserved
        self._set_question(question, chosen, order)

    def _set_question(self, question: Question, chosen: frozenset[str], order: tuple[str, ...] | None) -> None:
        self.question = question
        self.multiple = question.type == "multiple"
        self.keys = list(order or file_order(question))  # option keys, in displayed order
        self.shown_letters = display_letters(question, tuple(self.keys))
        self.letters = key_letters(question, tuple(self.keys), self.reserved)
        self.chosen: frozenset[str] = frozenset(chosen)
        first = min((self.keys.index(k) for k in chosen), default=0)
        self.set_reactive(Choices.highlight, first)

    def _shown(self) -> list[tuple[str, str, str]]:
        """(key, letter, text) of each option, in displayed order."""
        return [(k, self.shown_letters[i], shown(self.question.option(k).text, self.lang)) for i, k in enumerate(self.keys)]

    def compose(self) -> ComposeResult:
        for index, (key, letter, label) in enumerate(self._shown()):
            yield ChoiceRow(index, key, letter, label, self.multiple)

    def load(self, question: Question, chosen: frozenset[str] = frozenset(), order: tuple[str, ...] | None = None) -> None:
        """Show `question` instead, reusing the rows. Synchronous for the state, so a key pressed right
        after moving on applies to the new question even while extra rows are still mounting."""
        self._set_question(question, chosen, order)
        rows = list(self.query(ChoiceRow))
        wanted = self._shown()
        for row, (key, letter, label) in zip(rows, wanted, strict=False):  # fewer or more rows than options
            row.set_option(key, letter, label, self.multiple)
        for row in rows[len(wanted) :]:
            row.remove()
        extra = [ChoiceRow(i, *wanted[i], self.multiple) for i in range(len(rows), len(wanted))]
        if extra:
            self.mount_all(extra)
            self.call_after_refresh(self._paint)
        self._paint()

    def on_mount(self) -> None:
        self._paint()

    def watch_highlight(self) -> None:
        self._paint()

    def _paint(self) -> None:
        for row in self.query(ChoiceRow):
            if row.is_mounted and row.index < len(self.keys):
                row.show(row.key in self.chosen, row.index == self.highlight)

    def _row(self, index: int) -> ChoiceRow | None:
        rows = list(self.query(ChoiceRow))
        return rows[index] if 0 <= index < len(rows) else None

    def choose(self, index: int) -> None:
        """Select option `index` (single answer) or toggle it (multiple answers)."""
        if not 0 <= index < len(self.keys):
            return
        key = self.keys[index]
        if self.multiple:
            self.chosen = self.chosen ^ {key}
        else:
            self.chosen = frozenset({key})
        self.highlight = index
        self._paint()
        if (row := self._row(index)) is not None:
            row.scroll_visible()
        self.post_message(self.Changed(self, self.question.id, self.chosen))

    def action_move(self, step: int) -> None:
        self.highlight = (self.highlight + step) % len(self.keys)
        if (row := self._row(self.highlight)) is not None:
            row.scroll_visible()

    def action_toggle(self) -> None:
        self.choose(self.highlight)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A key that names no option here falls through to the screen (n, q, f, s, ...).
        if action == "choose":
            return isinstance(parameters[0], int) and parameters[0] < len(self.keys)
        if action == "letter":
            return parameters[0] in self.letters
        return True

    def action_choose(self, index: int) -> None:
        self.choose(index)

    def action_letter(self, letter: str) -> None:
        self.choose(self.letters[letter])

    def on_choice_row_pressed(self, message: ChoiceRow.Pressed) -> None:
        message.stop()
        self.focus()
        self.choose(message.index)
