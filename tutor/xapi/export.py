"""A learner's stored answers as statements (`tutor progress export --xapi FILE`, and what `tutor sync` sends)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from tutor.xapi.learner import pseudonym
from tutor.xapi.model import check
from tutor.xapi.statements import to_statement


def first_ids(attempts: Iterable) -> set[str]:
    """The statement ids of each question's first answer (earliest time, then storage order)."""
    first: dict[str, tuple] = {}
    for a in attempts:
        key = (a.answered_at, a.id)
        if a.question_id not in first or key < first[a.question_id][0]:
            first[a.question_id] = (key, a.statement_id)
    return {sid for _, sid in first.values()}


def misconceptions_of(bank, question_id: str, chosen) -> list[str]:
    """The misconceptions of the distractors among `chosen` (none when the bank no longer has the question)."""
    question = bank.questions.get(question_id) if bank is not None else None
    if question is None:
        return []
    by_key = {o.key: o.misconception for o in question.options}
    return [m for k in chosen if k not in question.answers and (m := by_key.get(k))]


def statement(attempt, learner: str, first: bool, bank) -> dict:
    return to_statement(
        statement_id=attempt.statement_id, learner=learner, question_id=attempt.question_id, chosen=attempt.chosen,
        correct=attempt.correct, mode=attempt.mode, answered_at=attempt.answered_at, seconds=attempt.seconds,
        shown=attempt.shown, first=first, misconceptions=misconceptions_of(bank, attempt.question_id, attempt.chosen),
    )


def statements(store, bank, attempts: Iterable | None = None, firsts: set[str] | None = None) -> Iterator[dict]:
    """The statements of `attempts` (default: every stored answer, oldest first), each checked against Ralph's
    models before it leaves; `firsts` (from `first_ids`) spares reading every answer again."""
    everything = store.attempts() if attempts is None or firsts is None else []
    firsts = first_ids(everything) if firsts is None else firsts
    learner = pseudonym(store)
    for attempt in everything if attempts is None else attempts:
        data = statement(attempt, learner, attempt.statement_id in firsts, bank)
        check(data)
        yield data


def export(store, bank, path: Path) -> int:
    """Write every statement to `path` as JSON lines (atomically: a crash leaves the old file or none); returns
    how many."""
    from tutor.atomic import atomic_open

    count = 0
    with atomic_open(path, "w") as f:
        for data in statements(store, bank):
            f.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
    return count
