"""A class's answers, gathered from statement files or an LRS and checked, then kept as the report needs
them: each learner's first answer to each question (Moodle's default), or every answer."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tutor.safetext import quote
from tutor.xapi.model import Refused, check
from tutor.xapi.reader import Item, Problem, read
from tutor.xapi.statements import Answer

MAX_FILE = 1 << 30  # a class's statements as JSON lines are streamed: 1 GiB is about a million answers


@dataclass
class Gathered:
    answers: list[Answer] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    statements: int = 0
    other_verbs: int = 0  # from an LRS: statements of other platforms, counted rather than listed


def from_files(paths: Iterable[Path], bank) -> Gathered:
    items = (item for path in paths for item in read(Path(path), MAX_FILE))
    return gather(items, bank)


def from_lrs(client, bank) -> Gathered:
    # Every statement, filtered here (Ralph 5.1.0's file backend answers a `verb` query with nothing): an LRS
    # shared with other platforms holds their statements too, and those are counted, not listed.
    return gather((Item(client.endpoint, n, data) for n, data in enumerate(client.statements(), 1)), bank, others=True)


def gather(items: Iterable[Item | Problem], bank, others: bool = False) -> Gathered:
    """Every answer tutor can read whose question is in the bank; one problem per bad statement, and one
    per question id the bank does not know (with how many statements name it)."""
    out = Gathered()
    seen: set[str] = set()
    unknown: Counter = Counter()
    where: dict[str, Item] = {}
    for item in items:
        if isinstance(item, Problem):
            out.problems.append(item)
            continue
        out.statements += 1
        if others and not _answered(item.data):
            out.other_verbs += 1
            continue
        try:
            answer = check(item.data)
        except Refused as exc:
            out.problems.append(Problem(item.file, item.line, str(exc)))
            continue
        if answer.statement_id in seen:
            continue
        seen.add(answer.statement_id)
        if answer.question_id not in bank.questions:
            unknown[answer.question_id] += 1
            where.setdefault(answer.question_id, item)
            continue
        out.answers.append(answer)
    for qid, count in unknown.most_common():
        first = where[qid]
        out.problems.append(Problem(first.file, first.line, f"question {quote(qid)} is not in the bank: "
                                    f"{count} statement(s) left out (load its bank with --bank DIR)"))
    return out


def _answered(data) -> bool:
    from tutor.xapi import vocab

    verb = data.get("verb") if isinstance(data, dict) else None
    return isinstance(verb, dict) and verb.get("id") == vocab.ANSWERED


def first_attempts(answers: list[Answer]) -> list[Answer]:
    """Each learner's first answer to each question (earliest timestamp; the statement id breaks a tie)."""
    first: dict[tuple[str, str], Answer] = {}
    for a in answers:
        key = (a.learner, a.question_id)
        if key not in first or (a.answered_at, a.statement_id) < (first[key].answered_at, first[key].statement_id):
            first[key] = a
    return list(first.values())
