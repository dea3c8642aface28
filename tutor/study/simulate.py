"""Simulated learners with known memory, to check the exam plan and readiness against the truth.

A simulated learner's memory of each question *is* an FSRS card with known parameters (FSRS's own
forgetting curve): a review at time t succeeds with probability R(t), the card's retrievability, and the
card then moves as FSRS says (Good or Again). A question the learner has never seen is answered right
with probability `first` (their ability on that question: what they knew before studying it). Because the
truth is known, a prediction can be compared with what the learner would really score.

Used by benchmarks/bench_exam_plan.py, benchmarks/bench_readiness.py and the tests; nothing in the app
imports it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from fsrs import Card, Rating, Scheduler

from tutor.study.scheduler import LEARNING_STEPS, RELEARNING_STEPS, SCHEDULER


def scheduler(retention: float = 0.9) -> Scheduler:
    """tutor's scheduler (its learning steps, no fuzz) at another desired retention."""
    return Scheduler(desired_retention=retention, learning_steps=LEARNING_STEPS, relearning_steps=RELEARNING_STEPS,
                     enable_fuzzing=False)


def morning(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=UTC)


@dataclass
class Learner:
    """One simulated learner: true memories (cards) per question, and how many reviews they did."""

    rng: random.Random
    first: dict[str, float]  # question id -> chance of a right first answer
    cards: dict[str, Card] = field(default_factory=dict)
    reviews: int = 0
    log: list[tuple[str, bool, datetime]] = field(default_factory=list)  # every answer: (question, right, when)
    guess: dict[str, float] = field(default_factory=dict)  # question id -> chance of a lucky guess (default 0)
    memory: float = 1.0  # true stability / FSRS's: below 1 the learner forgets faster than tutor assumes

    def answer(self, qid: str, when: datetime, sched: Scheduler = SCHEDULER) -> bool:
        """Answer `qid` at `when`: right with the true recall probability; the true card moves."""
        right = self.rng.random() < self.recall(qid, when)
        card = self.cards.get(qid) or Card(card_id=0, due=when)
        self.cards[qid], _ = sched.review_card(card, Rating.Good if right else Rating.Again, when)
        self.reviews += 1
        self.log.append((qid, right, when))
        return right

    def recall(self, qid: str, when: datetime) -> float:
        """The true chance of answering `qid` right at `when` (a guess may help a forgotten answer)."""
        card = self.cards.get(qid)
        if card is None:
            return self.first[qid]
        g = self.guess.get(qid, 0.0)
        if self.memory != 1.0 and card.last_review is not None and when > card.last_review:
            when = card.last_review + (when - card.last_review) / self.memory
        return g + (1 - g) * float(SCHEDULER.get_card_retrievability(card, when))


def study(learner: Learner, start: date, days: int, new_per_day: dict[int, list[str]],
          due_today: Callable[[Learner, datetime], list[str]], sched: Scheduler = SCHEDULER) -> None:
    """Run `days` days from `start`: each morning the learner meets that day's new questions, then answers
    what `due_today` says is due, and again (10 minutes later) what they missed, until nothing is due today."""
    for i in range(days):
        now = morning(start + timedelta(days=i))
        for qid in new_per_day.get(i, []):
            learner.answer(qid, now, sched)
        for _ in range(4):  # relearning rounds within the day
            due = due_today(learner, now)
            if not due:
                break
            for qid in due:
                learner.answer(qid, now, sched)
            now += timedelta(minutes=10)


def backtest(learners: int, seed: int = 0, *, topics: int = 8, per_topic: int = 18, days: int = 28,
             memory_scale: float = 1.0, level: float = 0.9) -> list[tuple[object, float]]:
    """Simulated learners study for `days` days (a few new questions a day, reviews as FSRS says), then the
    readiness prediction for a full mock is made from their answers alone and compared with a mock they
    really take: returns (Readiness, actual percent) per learner. `memory_scale` != 1: their true memory
    stabilities are that multiple of what FSRS's default parameters say (tutor's model is then wrong)."""
    from tutor.study.readiness import Item, first_answers, predict
    from tutor.study.sessions import allocate

    start = date(2026, 1, 5)
    pool = [Item(f"t{t}-q{k}", f"t{t}", 0.25 if k % 6 else 0.5, ("easy", "medium", "hard")[k % 3])
            for t in range(topics) for k in range(per_topic)]
    out = []
    for n in range(learners):
        rng = random.Random(seed * 100003 + n)
        ability = rng.gauss(0.0, 1.0)
        first = {}
        for item in pool:
            shift = {"easy": 0.5, "medium": 0.0, "hard": -0.5}[item.difficulty] + rng.gauss(0.0, 0.3)
            core = 1 / (1 + math.exp(-(ability * 0.8 - 0.3 + shift)))
            first[item.id] = item.guess + (1 - item.guess) * core
        learner = Learner(rng=rng, first=first, guess={i.id: i.guess for i in pool}, memory=memory_scale)
        order = [i.id for i in pool]
        rng.shuffle(order)
        pace = rng.randint(2, 7)  # new questions a day: some learners see most of the bank, some little
        plan = {d: order[d * pace:(d + 1) * pace] for d in range(days)}
        study(learner, start, days, plan, lambda lr, now: sorted(q for q, c in lr.cards.items() if c.due <= now))
        at = morning(start + timedelta(days=days + 2))
        attempts = [_Answer(i, q, right, when) for i, (q, right, when) in enumerate(learner.log)]
        pred = predict(pool, learner.cards, first_answers(attempts), at, level=level, draws=2000, seed=n)
        by_topic: dict[str, list[str]] = {}
        for item in pool:
            by_topic.setdefault(item.topic, []).append(item.id)
        alloc = allocate({t: len(v) for t, v in by_topic.items()}, 65)
        drawn = [q for t, ids in by_topic.items() for q in rng.sample(ids, alloc[t])]
        actual = sum(rng.random() < learner.recall(q, at) for q in drawn) / len(drawn) * 100
        out.append((pred, actual))
    return out


@dataclass(frozen=True)
class _Answer:  # what first_answers reads of an attempt
    id: int
    question_id: str
    correct: bool
    answered_at: datetime
