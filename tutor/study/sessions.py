"""What happens in the three study modes; the app only displays it.

* `PracticeSession`: questions of one topic (or all) one at a time, feedback after each answer.
* `ExamSession`: N questions in M minutes spread across topics, answers changeable and flaggable, no
  feedback until `finish()`, which scores, records and reports everything.
* `ReviewSession`: FSRS spaced repetition over questions already seen, most overdue first.

Every answer the learner commits goes to the `Store` in its own transaction (an exam's answers and its
report go in one), so quitting or crashing mid-session keeps everything answered so far. When the store
refuses a write (locked, disk full, read-only), `Store.save` keeps it in memory for a retry and the
feedback or report says `saved=False`, so the app can tell the learner. "now"
parameters are timezone-aware UTC datetimes and default to the current time; they exist so tests (and
the app's pilot tests) can drive time.

Options are shown in a fresh random order each time a question is presented (`display_order`), so the
position of the key tells nothing; answers are option keys (identity), never positions. Each session
takes an injectable `rng` (or a `seed`) so tests can reproduce the orders. The order the learner saw
is stored with every answer.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from tutor.bank import Bank
from tutor.study.scheduler import utc
from tutor.study.records import ExamRecord
from tutor.study.store import Store, StoreError, answer_record, iso

if TYPE_CHECKING:  # pragma: no cover - the pydantic schema loads when a session starts, not with the home screen
    from tutor.bank import Question

EXAM_PRESETS: dict[str, tuple[int, float]] = {
    "short": (10, 15),  # a quick check: 10 questions in 15 minutes
    "full": (65, 180),  # a full mock paced like the AWS ML Specialty exam: 65 questions in 180 minutes
}
LEECH_MISSES = 3  # a question missed this many times or more is a leech: "missed again and again"


@dataclass(frozen=True)
class Feedback:
    question: Question
    chosen: frozenset[str]
    correct: bool
    seconds: float | None = None
    saved: bool = True  # False: the store refused it for now; it waits in `store.pending` to be retried
    shown: tuple[str, ...] = ()  # option keys in the order the learner saw them

    @property
    def answers(self) -> frozenset[str]:
        return self.question.answers


class ChoiceCountError(ValueError):
    """A "choose N" question answered with another number of choices: not graded, the learner is told N."""

    def __init__(self, needed: int, got: int) -> None:
        super().__init__(f"choose {needed} (got {got})")
        self.needed = needed
        self.got = got


def display_order(question: Question, rng: random.Random) -> tuple[str, ...]:
    """The option keys in the order to show them: freshly shuffled, except true/false (always True,
    False) and questions whose order carries meaning (`shuffle: false`, file order)."""
    keys = [o.key for o in question.options]
    if question.type == "true_false":
        return tuple(sorted(keys, key=lambda k: k != "T"))
    if not question.shuffle:
        return tuple(keys)
    return tuple(rng.sample(keys, len(keys)))


def check_count(question: Question, keys: frozenset[str]) -> None:
    """Refuse a multiple-answer choice with the wrong number of options (the stem says how many)."""
    if question.type == "multiple" and len(keys) != len(question.answers):
        raise ChoiceCountError(len(question.answers), len(keys))


def chosen_keys(question: Question, chosen: Iterable[str]) -> frozenset[str]:
    """`chosen` as a frozenset of option keys, rejecting keys the question does not have."""
    keys = frozenset(str(k) for k in chosen)
    unknown = keys - {o.key for o in question.options}
    if unknown:
        raise ValueError(f"question {question.id!r} has no option {sorted(unknown)[0]!r}")
    return keys


def _topic_pool(bank: Bank, topic: str | None) -> list[Question]:
    questions = bank.by_topic(topic)
    if topic is not None and not questions and topic not in bank.topics:
        known = ", ".join(bank.topics) or "none"
        raise ValueError(f"unknown topic {topic!r} (known: {known})")
    return questions


def _topic_order(bank: Bank, topics: Iterable[str]) -> list[str]:
    """Topics in the bank's order (topics file), then any others alphabetically."""
    present = set(topics)
    return [t for t in bank.topics if t in present] + sorted(present - set(bank.topics))


class _QueueSession:
    """One question at a time from a fixed queue: show, submit, see feedback, advance."""

    mode = "practice"

    def __init__(self, bank: Bank, store: Store, order: list[Question], rng: random.Random | None = None) -> None:
        self.bank = bank
        self.store = store
        self.rng = rng if rng is not None else random.Random()
        self.order = order
        self.position = 0  # index into `order` of the current question (0-based)
        self.feedback: Feedback | None = None  # feedback on the current question once submitted
        self.answered = 0
        self.correct_count = 0
        self.missed: list[Question] = []  # answered wrong in this round, in the order answered
        self._last: tuple[int, int, Any, Feedback] | None = None  # for undo: row id, position, card before, feedback
        self._present()

    def _present(self) -> None:
        """A new question is up: draw its option order and restart the answer timer."""
        question = self.current
        self.shown: tuple[str, ...] = display_order(question, self.rng) if question is not None else ()
        self.mark_shown()

    @property
    def total(self) -> int:
        return len(self.order)

    @property
    def current(self) -> Question | None:
        return self.order[self.position] if self.position < len(self.order) else None

    @property
    def done(self) -> bool:
        return self.position >= len(self.order)

    def mark_shown(self) -> None:
        """Restart the answer timer (the session calls it on every new question; the app may call it
        again when it actually draws the question)."""
        self._shown_at = time.monotonic()

    def submit(self, chosen: Iterable[str], *, now: datetime | None = None, confidence: str | None = None) -> Feedback:
        """Grade and record the answer to the current question (once: a second submit before `advance()`
        returns the first feedback and records nothing). `confidence`: how sure the learner said they were
        (store.CONFIDENCES: guessing, fairly_sure, sure), when the app asked."""
        question = self.current
        if question is None:
            raise RuntimeError("the session is over: there is no current question")
        if self.feedback is not None:
            return self.feedback
        keys = chosen_keys(question, chosen)
        check_count(question, keys)
        correct = question.is_correct(keys)
        seconds = round(time.monotonic() - self._shown_at, 3)
        now = utc(now)  # fixed now: a retried write keeps the moment of answering
        shown = self.shown
        try:
            before, undoable = self.store.card(question.id), True  # what undo() puts back
        except StoreError:  # the store cannot be read now: the answer is still kept (save), only not undoable
            before, undoable = None, False
        row_id = self.store.save(answer_record(question.id, keys, correct, mode=self.mode, seconds=seconds, now=now,
                                              shown=shown, confidence=confidence))
        saved = row_id is not None
        self.answered += 1
        self.correct_count += int(correct)
        if not correct:
            self.missed.append(question)
        self.feedback = Feedback(question, keys, correct, seconds, saved=saved, shown=shown)
        self._last = (row_id, self.position, before, self.feedback) if saved and undoable else None
        return self.feedback

    @property
    def can_undo(self) -> bool:
        return self._last is not None and self._last[1] < len(self.order) and self.order[self._last[1]] is self._last[3].question

    def undo(self) -> Question | None:
        """Take back this session's last answer: its stored attempt deleted and the question's FSRS card restored
        as it was before; that question is current again, unanswered. None when there is nothing to undo (no
        answer yet, already undone, a new round begun, or the answer still waiting for the store)."""
        if not self.can_undo:
            return None
        row_id, position, before, feedback = self._last  # type: ignore[misc]
        self._last = None
        if not self.store.undo_answer(row_id, before):
            return None
        self.answered -= 1
        self.correct_count -= int(feedback.correct)
        if not feedback.correct and feedback.question in self.missed:
            self.missed.reverse()
            self.missed.remove(feedback.question)  # its last occurrence
            self.missed.reverse()
        self.position = position
        self.feedback = None
        self._present()
        return feedback.question

    def advance(self) -> Question | None:
        """Move to the next question (answered or skipped); returns it, or None at the end."""
        if self.position < len(self.order):
            self.position += 1
        self.feedback = None
        self._present()
        return self.current


class PracticeSession(_QueueSession):
    """All questions of `topic` (None: the whole bank): the unseen ones first, then the rest, each
    group shuffled (`seed` makes the order reproducible). Answers are recorded as mode 'practice'."""

    mode = "practice"

    def __init__(
        self,
        bank: Bank,
        store: Store,
        topic: str | None = None,
        seed: int | None = None,
        rng: random.Random | None = None,
    ) -> None:
        rng = rng if rng is not None else random.Random(seed)
        pool = _topic_pool(bank, topic)
        seen = store.seen_ids()
        unseen = [q for q in pool if q.id not in seen]
        rest = [q for q in pool if q.id in seen]
        rng.shuffle(unseen)
        rng.shuffle(rest)
        self.topic = topic
        self.round = 1  # 2, 3, ... after "retry the missed ones"
        super().__init__(bank, store, unseen + rest, rng)

    def retry_missed(self) -> int:
        """Start a new round with the questions missed in this one (shuffled, options reshuffled);
        returns how many. Does nothing (0) when none was missed."""
        missed = list({q.id: q for q in self.missed}.values())
        if not missed:
            return 0
        self.rng.shuffle(missed)
        self.order = missed
        self.position = 0
        self.feedback = None
        self.answered = self.correct_count = 0
        self.missed = []
        self.round += 1
        self._present()
        return len(missed)


class ReviewSession(_QueueSession):
    """Spaced repetition over questions the learner has seen: the ones whose FSRS card is due at `now`,
    most overdue first. When nothing is due, `current` is None and `next_due` says when something will
    be. Answers are recorded as mode 'review' and reschedule the card (right: Good, wrong: Again)."""

    mode = "review"

    def __init__(self, bank: Bank, store: Store, now: datetime | None = None, rng: random.Random | None = None) -> None:
        super().__init__(bank, store, self._due(bank, store, now), rng)

    @staticmethod
    def _due(bank: Bank, store: Store, now: datetime | None) -> list[Question]:
        return [bank.questions[qid] for qid in store.due_ids(utc(now)) if qid in bank.questions]

    def refresh(self, now: datetime | None = None) -> int:
        """Start over with whatever is due now (e.g. the questions missed 10 minutes ago); returns how many."""
        self.order = self._due(self.bank, self.store, now)
        self.position = 0
        self.feedback = None
        self._present()
        return len(self.order)

    @property
    def next_due(self) -> datetime | None:
        """When the earliest card of a seen question in this bank falls due (may be in the past while
        questions are queued); None if the learner has seen nothing yet."""
        times = [due for qid, due in self.store.due_times().items() if qid in self.bank.questions]
        return min(times) if times else None

    def misses(self, qid: str) -> int:
        return self.store.miss_counts().get(qid, 0)

    def is_leech(self, qid: str) -> bool:
        """Missed LEECH_MISSES (3) times or more, in any mode."""
        return self.misses(qid) >= LEECH_MISSES


class ExamItem(NamedTuple):
    question: Question
    chosen: frozenset[str]  # empty: not answered
    correct: bool
    flagged: bool
    shown: tuple[str, ...] = ()  # option keys in the order the learner saw them


@dataclass
class ExamReport:
    score: int  # questions answered right
    total: int  # questions in the exam (unanswered ones count as wrong)
    percent: float  # 0..100
    per_topic: dict[str, tuple[int, int]]  # topic -> (right, questions)
    items: list[ExamItem]  # every question in exam order
    started_at: datetime
    finished_at: datetime
    timed_out: bool
    minutes: float = 0.0
    exam_id: int | None = None  # the store's id once recorded
    topic: str | None = None
    saved: bool = True  # False: the store refused it for now; it waits in `store.pending` to be retried

    @property
    def answered(self) -> int:
        return sum(1 for item in self.items if item.chosen)

    @property
    def flagged(self) -> list[ExamItem]:
        return [item for item in self.items if item.flagged]

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "total": self.total,
            "percent": self.percent,
            "per_topic": {t: [c, n] for t, (c, n) in self.per_topic.items()},
            "items": [
                {
                    "question_id": item.question.id,
                    "topic": item.question.topic,
                    "chosen": sorted(item.chosen),
                    "answer": sorted(item.question.answers),
                    "correct": item.correct,
                    "flagged": item.flagged,
                    "shown": list(item.shown),
                }
                for item in self.items
            ],
            "started_at": iso(self.started_at),
            "finished_at": iso(self.finished_at),
            "timed_out": self.timed_out,
            "minutes": self.minutes,
            "topic": self.topic,
        }


def allocate(sizes: dict[str, int], count: int) -> dict[str, int]:
    """How many questions to draw from each topic: proportional to its size, at least one per topic
    when `count` allows, never more than it has. Topics beyond `count` are left out (caller picks)."""
    total = sum(sizes.values())
    if count >= total:
        return dict(sizes)
    ideal = {t: count * n / total for t, n in sizes.items()}
    alloc = {t: min(n, max(1, int(ideal[t]))) for t, n in sizes.items()}
    while sum(alloc.values()) > count:  # the floor of one per topic overshot: trim the most over-served
        t = max((t for t in alloc if alloc[t] > 1), key=lambda t: (alloc[t] - ideal[t], alloc[t]))
        alloc[t] -= 1
    while sum(alloc.values()) < count:  # hand out the rest to the most under-served with room left
        t = max((t for t in alloc if alloc[t] < sizes[t]), key=lambda t: (ideal[t] - alloc[t], sizes[t]))
        alloc[t] += 1
    return alloc


class ExamSession:
    """`count` questions (all, if the bank or topic has fewer) in `minutes`, drawn across topics in
    proportion to their size with at least one per topic when `count` allows, in shuffled order.
    Each question's option order (`orders`) is drawn once, so it stays put while the learner moves
    between questions.

    The session keeps time but does not enforce it: the app watches `expired()` and calls `finish()`.
    Answers can be changed and cleared (`choose(qid, [])`) until `finish()`."""

    def __init__(
        self,
        bank: Bank,
        store: Store,
        count: int,
        minutes: float,
        topic: str | None = None,
        seed: int | None = None,
        now: datetime | None = None,
        rng: random.Random | None = None,
    ) -> None:
        if count < 1:
            raise ValueError("an exam needs at least one question")
        if minutes <= 0:
            raise ValueError("an exam needs a positive number of minutes")
        self.bank = bank
        self.store = store
        self.topic = topic
        self.count = count
        self.minutes = float(minutes)
        self.started_at = utc(now)
        self.deadline = self.started_at + timedelta(minutes=self.minutes)
        rng = rng if rng is not None else random.Random(seed)
        pool = _topic_pool(bank, topic)
        by_topic: dict[str, list[Question]] = {}
        for q in pool:
            by_topic.setdefault(q.topic, []).append(q)
        topics = _topic_order(bank, by_topic)
        if count < len(topics):  # fewer questions than topics: one each from a random subset
            topics = sorted(rng.sample(topics, count), key=topics.index)
        alloc = allocate({t: len(by_topic[t]) for t in topics}, count)
        picked = [q for t in topics for q in rng.sample(by_topic[t], alloc[t])]
        rng.shuffle(picked)
        self.questions: list[Question] = picked
        self.orders: dict[str, tuple[str, ...]] = {q.id: display_order(q, rng) for q in picked}
        self._ids = {q.id: q for q in picked}
        self.answers: dict[str, frozenset[str]] = {}
        self.flags: set[str] = set()
        self.report: ExamReport | None = None

    @property
    def total(self) -> int:
        return len(self.questions)

    @property
    def finished(self) -> bool:
        return self.report is not None

    def _question(self, qid: str) -> Question:
        try:
            return self._ids[qid]
        except KeyError:
            raise KeyError(f"question {qid!r} is not in this exam") from None

    def choose(self, qid: str, keys: Iterable[str]) -> None:
        """Set (or, with no keys, clear) the answer to one question."""
        if self.report is not None:
            raise RuntimeError("the exam is finished")
        keys = chosen_keys(self._question(qid), keys)
        if keys:
            self.answers[qid] = keys
        else:
            self.answers.pop(qid, None)

    def toggle_flag(self, qid: str) -> bool:
        """Flag or unflag a question for review before finishing; returns whether it is now flagged."""
        self._question(qid)
        if qid in self.flags:
            self.flags.discard(qid)
            return False
        self.flags.add(qid)
        return True

    def unanswered(self) -> list[str]:
        return [q.id for q in self.questions if q.id not in self.answers]

    def miscounted(self) -> list[str]:
        """Multiple-answer questions answered with another number of choices than they ask for."""
        return [q.id for q in self.questions if q.id in self.answers and q.type == "multiple" and len(self.answers[q.id]) != len(q.answers)]

    def remaining(self, now: datetime | None = None) -> timedelta:
        return max(timedelta(0), self.deadline - utc(now))

    def expired(self, now: datetime | None = None) -> bool:
        return utc(now) >= self.deadline

    def finish(self, now: datetime | None = None) -> ExamReport:
        """Score the exam, record every answered question (mode 'exam') and the report, in one
        transaction; unanswered questions count as wrong but are not recorded as attempts. Calling it
        again returns the same report."""
        if self.report is not None:
            return self.report
        finished_at = utc(now)
        items: list[ExamItem] = []
        per_topic: dict[str, list[int]] = {t: [0, 0] for t in _topic_order(self.bank, {q.topic for q in self.questions})}
        for q in self.questions:
            chosen = self.answers.get(q.id, frozenset())
            correct = bool(chosen) and q.is_correct(chosen)
            items.append(ExamItem(q, chosen, correct, q.id in self.flags, self.orders[q.id]))
            per_topic[q.topic][0] += int(correct)
            per_topic[q.topic][1] += 1
        score = sum(item.correct for item in items)
        report = ExamReport(
            score=score,
            total=len(items),
            percent=round(100.0 * score / len(items), 1) if items else 0.0,
            per_topic={t: (c, n) for t, (c, n) in per_topic.items()},
            items=items,
            started_at=self.started_at,
            finished_at=finished_at,
            timed_out=finished_at >= self.deadline,
            minutes=self.minutes,
            topic=self.topic,
        )

        answers = tuple(answer_record(item.question.id, item.chosen, item.correct, mode="exam", now=finished_at, shown=item.shown)
                        for item in items if item.chosen)
        record = ExamRecord(answers=answers, started_at=report.started_at, finished_at=finished_at, count=report.total,
                            minutes=report.minutes, score=report.score, report=report.to_dict())
        report.exam_id = self.store.save(record)
        report.saved = report.exam_id is not None
        self.report = report
        return report
