"""Rules that relate a question's fields to each other and to the rest of the bank.

Each rule yields (location inside the question, message) so the loader can print the exact line.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tutor.bank.labrefs import LabRef
from tutor.bank.misconceptions import Catalogue
from tutor.bank.schema import LAB_PARAMS, Question, Topic
from tutor.safetext import quote

Finding = tuple[tuple[Any, ...], str]


def check_question(q: Question, topics: dict[str, Topic], labs: dict[str, LabRef], misconceptions: Catalogue | None = None) -> list[Finding]:
    found = list(_checks(q, topics, labs))
    if misconceptions is not None:
        found += _misconception_checks(q, misconceptions)
    return found


def _misconception_checks(q: Question, catalogue: Catalogue) -> Iterator[Finding]:
    """A distractor's `misconception:` is catalogued; a key names none (a missing one is the lint's to report)."""
    for i, o in enumerate(q.options):
        if o.misconception is None:
            continue
        if o.key in q.answers:
            yield ("options", i, "misconception"), f"option {o.key} is a key: only a distractor names a misconception"
        elif o.misconception not in catalogue:
            yield ("options", i, "misconception"), catalogue.unknown(o.misconception)


def _checks(q: Question, topics: dict[str, Topic], labs: dict[str, LabRef]) -> Iterator[Finding]:
    if topics and q.topic not in topics:
        yield ("topic",), f"unknown topic '{q.topic}' (known: {', '.join(sorted(topics))})"
    keys = [o.key for o in q.options]
    for i, key in enumerate(keys):
        if key in keys[:i]:
            yield ("options", i, "key"), f"option key '{key}' is used twice"
    answers = [q.answer] if isinstance(q.answer, str) else list(q.answer)
    for a in answers:
        if a not in keys:
            yield ("answer",), f"answer {quote(a)} is not among the options ({', '.join(keys)})"
    if len(set(answers)) != len(answers):
        yield ("answer",), "the answer lists the same option twice"
    if q.type == "single" and len(answers) != 1:
        yield ("answer",), "a single-answer question has exactly one answer (use type: multiple)"
    if q.type == "multiple" and len(answers) < 1:
        yield ("answer",), "a multiple-answer question needs at least one answer"
    if q.type == "true_false":
        if sorted(keys) != ["F", "T"]:
            yield ("options",), "a true_false question has exactly two options with keys T and F"
        if len(answers) != 1:
            yield ("answer",), "a true_false question has one answer: true or false"
    langs = set(q.stem)
    for i, o in enumerate(q.options):
        for name, value in (("text", o.text), ("why", o.why)):
            missing = langs - set(value)
            if missing:
                yield ("options", i, name), f"the stem has {'/'.join(sorted(missing))} text but this field does not"
    for name, label, value in (("explanation", "the explanation", q.explanation), ("asserts", "'asserts'", q.asserts)):
        if value is not None and langs - set(value):
            yield (name,), f"the stem has {'/'.join(sorted(langs - set(value)))} text but {label} does not"
    if q.lab is not None:
        if q.lab.id not in labs:
            known = ", ".join(sorted(labs)) or "none yet"
            yield ("lab",), f"lab '{q.lab.id}' is not defined in labs/ (known: {known})"
        for name, value in q.lab.params.items():
            if name not in LAB_PARAMS:
                yield ("lab", "params", name), f"unknown lab parameter {quote(name)} (use: {', '.join(LAB_PARAMS)})"
            elif name == "profile" and value not in ("quick", "full"):
                yield ("lab", "params", name), "profile is quick or full"
            elif name == "arms":
                arms = value if isinstance(value, list) else [value]
                if not all(isinstance(a, str) for a in arms):
                    yield ("lab", "params", name), "arms is an arm name or a list of arm names"
                elif q.lab.id in labs:
                    unknown = [a for a in arms if a not in labs[q.lab.id].arms]
                    if unknown:
                        yield ("lab", "params", name), f"lab '{q.lab.id}' has no arm {quote(unknown[0])}"
            elif name == "seeds" and not (isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 10):
                yield ("lab", "params", name), "seeds is a whole number from 1 to 10"
