"""What the learner sees after answering: right or wrong, the why of every option (marking the right
ones and the learner's choice), the explanation, the concepts, and the lab that shows the claim.

Practice, review and the exam report all use `feedback_renderable`; it returns one Rich renderable, so
a report with 65 answers is 65 light widgets rather than hundreds.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from tutor.app.strings import concept, t
from tutor.app.strings import shown as shown_text
from tutor.app.widgets.choices import display_letters, file_order
from tutor.bank import Question
from tutor.safetext import clean

RIGHT = "bold green"
WRONG = "bold red"


def verdict(correct: bool, lang: str, answered: bool = True) -> Text:
    if not answered:
        return Text(f"✗ {t(lang, 'fb.no_answer')}", style=WRONG)
    return Text(t(lang, "fb.correct"), style=RIGHT) if correct else Text(t(lang, "fb.incorrect"), style=WRONG)


def _option_lines(question: Question, chosen: frozenset[str], lang: str, shown: tuple[str, ...]) -> list[RenderableType]:
    """One grid row per option, in the order the learner saw them and with the letters they saw:
    marks and letter on the left, text and its why wrapping under themselves."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, width=6)
    # fold, not the table's default ellipsis: Rich strips the space a line breaks at by counting
    # characters, so a Korean line that fills the width keeps it and was cut to "…" (rich 15).
    grid.add_column(ratio=1, overflow="fold")
    order = shown if sorted(shown) == sorted(file_order(question)) else file_order(question)
    for letter, key in zip(display_letters(question, order), order, strict=True):
        option = question.option(key)
        right = option.key in question.answers
        picked = option.key in chosen
        marks = Text()
        marks.append("✓" if right else " ", style=RIGHT)
        marks.append("▶" if picked else " ", style="bold green" if right else WRONG)
        marks.append(f" {letter}", style="bold")
        body = Text(shown_text(option.text, lang), style="bold" if right else "")
        tags = []
        if right:
            tags.append(Text(t(lang, "fb.right_answer"), style="green"))
        if picked:
            tags.append(Text(t(lang, "fb.your_choice"), style="green" if right else "red"))
        if tags:
            body.append("  (")
            body.append(Text(", ").join(tags))
            body.append(")")
        body.append("\n")
        body.append(shown_text(option.why, lang), style="italic")
        body.append("\n")
        grid.add_row(marks, body)
    return [grid]


def lab_lines(question: Question, lang: str, labs: Mapping[str, object]) -> list[RenderableType]:
    if question.lab is None:
        return []
    lab = labs.get(question.lab.id)
    heading = Text(f"{t(lang, 'fb.lab')}: ", style="bold magenta")
    if lab is None:
        heading.append(question.lab.id)
        return [heading, Padding(Text(t(lang, "fb.lab_missing", id=question.lab.id), style="dim"), (0, 0, 0, 2))]
    heading.append(shown_text(getattr(lab, "title", {}), lang) or question.lab.id, style="bold")
    parts: list[RenderableType] = [heading]
    summary = shown_text(getattr(lab, "summary", {}), lang)
    if summary:
        parts.append(Padding(Text(summary), (0, 0, 0, 2)))
    parts.append(Padding(Text(t(lang, "fb.lab_open"), style="dim"), (0, 0, 0, 2)))
    return parts


def feedback_renderable(
    question: Question,
    chosen: frozenset[str],
    correct: bool,
    lang: str = "en",
    *,
    labs: Mapping[str, object] | None = None,
    heading: Text | None = None,
    show_stem: bool = False,
    leech: bool = False,
    shown: tuple[str, ...] = (),
) -> RenderableType:
    """The whole feedback for one answer, as a single renderable; `shown` is the option order the
    learner saw (file order when empty or no longer matching the question)."""
    top = heading if heading is not None else verdict(correct, lang, answered=bool(chosen))
    parts: list[RenderableType] = [top]
    if leech:
        parts.append(Text(t(lang, "fb.leech"), style="bold yellow"))
    if show_stem:
        parts.append(Padding(Text(shown_text(question.stem, lang)), (1, 0, 0, 0)))
    parts.append(Text(""))
    parts += _option_lines(question, chosen, lang, shown)
    parts.append(Text(t(lang, "fb.explanation"), style="bold underline"))
    parts.append(Padding(Text(shown_text(question.explanation, lang)), (0, 0, 1, 2)))
    if question.concepts:
        line = Text(f"{t(lang, 'fb.concepts')}: ", style="bold")
        line.append(clean(" · ".join(concept(lang, c) for c in question.concepts)), style="cyan")
        parts.append(line)
    parts += lab_lines(question, lang, labs or {})
    return Group(*parts)


class FeedbackView(Static):
    """Shows `feedback_renderable` for the answer just given (empty until `show()`)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes)

    def show(self, renderable: RenderableType) -> None:
        self.update(renderable)
