"""Aiken: the minimal multiple-choice format (question lines, `A. option` or `A) option` lines, `ANSWER: B`).

Aiken has no feedback, no names and one right answer per question: imported options get the placeholder
why, and only single-answer and true/false questions can be exported (the rest are listed).
"""

from __future__ import annotations

import re

from tutor.bank.interchange.model import Choice, Imported, Parsed
from tutor.bank.schema import Question, text
from tutor.yamlsrc import Problem

_OPTION = re.compile(r"^([A-Z])[.)]\s*(.*)$")
_ANSWER = re.compile(r"^ANSWER\s*:\s*(.*)$", re.I)


def parse(source: str, file: str) -> Parsed:
    out = Parsed()
    stem: list[str] = []
    letters: list[str] = []
    choices: list[Choice] = []
    start = 0

    def reset() -> None:
        nonlocal start
        stem.clear(), letters.clear(), choices.clear()
        start = 0

    for number, raw in enumerate(source.splitlines(), 1):
        line = raw.strip()
        if not line:
            if stem or choices:  # a blank line ends a question that never gave its ANSWER
                message = "no 'ANSWER:' line after the options" if choices else "question text without options"
                out.problems.append(Problem(file, start, message))
                reset()
            continue
        if not stem and not choices:
            start = number
        answer, option = _ANSWER.match(line), _OPTION.match(line)
        if answer:
            _finish(out, file, start or number, stem, letters, choices, answer.group(1).strip(), number)
            reset()
        elif option and stem:
            letters.append(option.group(1))
            choices.append(Choice(option.group(2).strip(), "", False))
        elif choices:
            out.problems.append(Problem(file, number, f"expected an option line ('{chr(ord(letters[-1]) + 1)}. ...') or 'ANSWER: X'"))
        else:
            stem.append(line)
    if stem or choices:
        out.problems.append(Problem(file, start, "the file ends before this question's 'ANSWER:' line"))
    return out


def _finish(out: Parsed, file: str, start: int, stem: list[str], letters: list[str], choices: list[Choice], answer: str, line: int) -> None:
    if not stem:
        out.problems.append(Problem(file, line, "'ANSWER:' without a question above it"))
        return
    if len(choices) < 2:
        out.problems.append(Problem(file, start, f"{len(choices)} option(s): an Aiken question needs at least 2"))
        return
    if answer not in letters:
        out.problems.append(Problem(file, line, f"ANSWER '{answer}' is not one of the options ({', '.join(letters)})"))
        return
    for letter, choice in zip(letters, choices):
        choice.correct = letter == answer
    out.questions.append(Imported(file, start, "single", "\n".join(stem), list(choices)))


def dump(questions: list[Question], lang: str = "en") -> tuple[str, list[Question]]:
    """Aiken text for the questions it can hold, and those it cannot (multiple-answer ones)."""
    out, left = [], []
    for q in questions:
        if q.type == "multiple":
            left.append(q)
            continue
        out.append(" ".join(text(q.stem, lang).split()))
        keys = [o.key for o in q.options]
        for letter, o in zip("ABCDEFGH", q.options):
            out.append(f"{letter}. {' '.join(text(o.text, lang).split())}")
        out.append(f"ANSWER: {'ABCDEFGH'[keys.index(q.answer)]}")
        out.append("")
    return "\n".join(out), left
