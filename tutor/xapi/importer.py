"""Statements back into the progress store (`tutor progress import --xapi FILE ...`): a learner moving
machines, or restoring from the class's learning record store.

Every statement is checked (Ralph's models, tutor's verb and activity, a question and options the bank
knows); one that fails is one line and changes nothing. The good ones of the chosen learner are merged in
one transaction by `Store.merge_answers`, which skips statement ids already stored (a second import adds
nothing) and replays each touched question's FSRS card in time order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tutor.safetext import quote
from tutor.study.records import AnswerRecord
from tutor.xapi import learner as pseudonyms
from tutor.xapi.model import Refused, check
from tutor.xapi.reader import Item, Problem, read
from tutor.xapi.statements import Answer

MAX_IMPORT = 64 << 20  # one learner's history: tens of thousands of answers fit in a few MB


@dataclass
class Outcome:
    answers: list[tuple[Item, Answer]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def collect(paths: Iterable[Path], bank, limit: int = MAX_IMPORT) -> Outcome:
    """The answers in `paths` that tutor can take, and a problem line for everything else."""
    out = Outcome()
    seen: set[str] = set()
    for path in paths:
        for item in read(Path(path), limit):
            if isinstance(item, Problem):
                out.problems.append(item)
                continue
            try:
                answer = _valid(check(item.data), bank)
            except Refused as exc:
                out.problems.append(Problem(item.file, item.line, str(exc)))
                continue
            if answer.statement_id not in seen:  # the same statement twice in the input counts once
                seen.add(answer.statement_id)
                out.answers.append((item, answer))
    return out


def _valid(answer: Answer, bank) -> Answer:
    question = bank.questions.get(answer.question_id)
    if question is None:
        raise Refused(f"question {quote(answer.question_id)} is not in the bank (load its bank with --bank DIR)")
    keys = {o.key for o in question.options}
    for k in sorted(answer.chosen | set(answer.shown or ())):
        if k not in keys:
            raise Refused(f"question {quote(answer.question_id)} has no option {quote(k)}")
    return answer


def record(answer: Answer) -> AnswerRecord:
    return AnswerRecord(question_id=answer.question_id, chosen=answer.chosen, correct=answer.correct, mode=answer.mode,
                        answered_at=answer.answered_at, seconds=answer.seconds, shown=answer.shown,
                        statement_id=answer.statement_id)


class WhichLearner(ValueError):
    pass


def choose_learner(store, learners: Counter, wanted: str | None) -> str:
    """Whose answers to import: `wanted`, else the files' one learner, else this progress's pseudonym. A store
    with answers of its own takes another learner's only when asked by name."""
    mine = store.setting(pseudonyms.KEY)
    if wanted is not None:
        return wanted
    if len(learners) == 1:
        (only,) = learners
        if mine is not None and only != mine and store.attempts():
            raise WhichLearner(f"these are the answers of {quote(only)}, and this progress is {quote(mine)}'s: "
                               f"add --learner {quote(only)} to merge them")
        return only
    if mine in learners:
        return mine
    names = ", ".join(quote(n) for n, _ in learners.most_common(5))
    raise WhichLearner(f"the files hold {len(learners)} learners ({names}{', ...' if len(learners) > 5 else ''}): "
                       "choose one with --learner NAME")


def import_answers(store, outcome: Outcome, wanted: str | None = None) -> tuple[int, int, str | None]:
    """Merge the chosen learner's answers; returns (added, already stored, learner). A store without a
    pseudonym takes the imported learner's, so its next export or sync speaks as the same learner."""
    learners = Counter(a.learner for _, a in outcome.answers)
    if not learners:
        return 0, 0, None
    who = choose_learner(store, learners, wanted)
    if who not in learners:
        raise WhichLearner(f"no answers of {quote(who)} in the files")
    records = sorted((record(a) for _, a in outcome.answers if a.learner == who), key=lambda r: r.answered_at)
    added = store.merge_answers(records)
    if store.setting(pseudonyms.KEY) is None:
        store.set_setting(pseudonyms.KEY, pseudonyms.check(who), keep=True)
    return added, len(records) - added, who
