"""Am I ready? A predicted score on a full mock exam, with an interval, per topic, and the chance to pass.

The full mock is what `m` on the home screen draws (`ExamSession` with the "full" preset): 65 questions,
allocated to topics in proportion to their size (`sessions.allocate`), drawn at random within a topic.
The chance of answering question q right at the moment of the exam:

* seen:   p = g + (1 - g) R,  R = FSRS retrievability of q's card at that moment (how hard q has proved
  for this learner is in the card: its difficulty and stability), g = the chance of guessing it
  (1 / number of ways to choose its answer count among its options);
* unseen: p = the learner's first-attempt facility f (Beta(1 + right, 1 + wrong) over their first answers
  to every question), shifted on the logit scale by how hard q is relative to the others: from other
  learners' facility where known (`others`: question id -> share right, e.g. a class report), else by its
  `difficulty:` label (easy +0.5, hard -0.5 logits); never below g.

The score's distribution is simulated (`DRAWS` mock exams, fixed seed): each draw picks the exam's
questions as the app does, draws f from its posterior (uncertainty about the unseen part), and each
answer from its p. `low`..`high` is the central `LEVEL` interval of those scores, `pass_probability` the
share of draws at or above the pass mark. Checked on simulated learners whose true recall is known
(tests/study/test_study_readiness.py, benchmarks/bench_readiness.py, 400 learners a row): the 90 % interval
covered 90.0 % of their real mock scores and the 80 % one 80.0 % when their memory follows FSRS's default
curve (mean error 3.0 points, bias -0.1); 81.5 % / 68.5 % when they forget faster than FSRS assumes
(stabilities x0.6: the prediction is then 1.9 points too high), 89.5 % / 81.5 % when slower (x1.5).
`history` checks it on the learner's own exams: what readiness would have said just before each one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from tutor.study.scheduler import SCHEDULER, utc

if TYPE_CHECKING:  # pragma: no cover
    from fsrs import Card

    from tutor.bank import Bank
    from tutor.study.store import Attempt, Store

FULL_MOCK = 65
LEVEL = 0.9
DRAWS = 4000
DIFFICULTY_SHIFT = {"easy": 0.5, "medium": 0.0, "hard": -0.5}


@dataclass(frozen=True)
class Item:
    """What readiness needs of a question."""

    id: str
    topic: str
    guess: float  # chance of a blind right answer
    difficulty: str = "medium"


@dataclass(frozen=True)
class TopicReadiness:
    topic: str
    questions: int  # in a full mock
    score: float  # expected share right, 0..100
    low: float
    high: float


@dataclass(frozen=True)
class Readiness:
    score: float  # expected percent right on a full mock
    low: float  # central LEVEL interval, percent
    high: float
    level: float
    pass_mark: float  # 0..1
    pass_probability: float
    count: int  # questions in the mock
    topics: tuple[TopicReadiness, ...]
    seen: int  # questions of the bank the learner has answered
    total: int  # questions in the bank
    at: datetime  # the moment predicted (the exam date, or now)

    def to_json(self) -> dict:
        return {
            "score": round(self.score, 1), "low": round(self.low, 1), "high": round(self.high, 1), "level": self.level,
            "pass_mark": self.pass_mark, "pass_probability": round(self.pass_probability, 3), "count": self.count,
            "seen": self.seen, "total": self.total, "at": self.at.isoformat(),
            "topics": [{"topic": t.topic, "questions": t.questions, "score": round(t.score, 1), "low": round(t.low, 1),
                        "high": round(t.high, 1)} for t in self.topics],
        }


def guess_chance(options: int, answers: int) -> float:
    return 1.0 / math.comb(options, answers) if 0 < answers <= options else 0.0


def items(bank: Bank) -> list[Item]:
    return [Item(q.id, q.topic, guess_chance(len(q.options), len(q.answers)), q.difficulty) for q in bank.questions.values()]


def first_answers(attempts: Iterable[Attempt]) -> tuple[int, int]:
    """(right, wrong) over each question's first answer."""
    seen: set[str] = set()
    right = wrong = 0
    for a in sorted(attempts, key=lambda a: (a.answered_at, a.id)):
        if a.question_id in seen:
            continue
        seen.add(a.question_id)
        right += a.correct
        wrong += not a.correct
    return right, wrong


def predict(pool: list[Item], cards: Mapping[str, Card], first: tuple[int, int], at: datetime, *,
            others: Mapping[str, float] | None = None, pass_mark: float = 0.72, count: int = FULL_MOCK,
            level: float = LEVEL, draws: int = DRAWS, seed: int = 0) -> Readiness:
    """The readiness of a learner with these `cards` (question id -> FSRS card) and first answers
    (right, wrong), for a mock drawn from `pool`, at the moment `at`."""
    import numpy as np

    from tutor.study.sessions import allocate

    rng = np.random.default_rng(seed)
    at = utc(at)
    by_topic: dict[str, list[Item]] = {}
    for item in pool:
        by_topic.setdefault(item.topic, []).append(item)
    alloc = allocate({t: len(v) for t, v in by_topic.items()}, min(count, len(pool)))
    topics = [t for t in by_topic if alloc.get(t)]
    n = sum(alloc[t] for t in topics)
    others = others or {}
    mean_other = _logit(sum(others.values()) / len(others)) if others else 0.0
    facility = rng.beta(1 + first[0], 1 + first[1], size=draws)  # the learner's level on unseen questions
    base = _logit_np(np, facility)
    totals = np.zeros(draws)
    per_topic = {}
    for t in topics:
        group = by_topic[t]
        guess = np.array([i.guess for i in group])
        seen_p = np.array([_seen_p(cards.get(i.id), i.guess, at) for i in group])  # nan when unseen
        shift = np.array([_logit(others[i.id]) - mean_other if i.id in others else DIFFICULTY_SHIFT.get(i.difficulty, 0.0)
                          for i in group])
        unseen_p = np.maximum(guess[None, :], _sigmoid_np(np, base[:, None] + shift[None, :]))
        p = np.where(np.isnan(seen_p)[None, :], unseen_p, np.nan_to_num(seen_p)[None, :])  # draws x topic questions
        keys = rng.random((draws, len(group)))
        chosen = np.argsort(keys, axis=1)[:, : alloc[t]]  # a random subset per draw, as the exam draws
        p_chosen = np.take_along_axis(p, chosen, axis=1)
        right = (rng.random(p_chosen.shape) < p_chosen).sum(axis=1)
        totals += right
        per_topic[t] = right / alloc[t] * 100
    scores = totals / n * 100
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    need = math.ceil(pass_mark * n - 1e-9)
    return Readiness(
        score=float(scores.mean()), low=(bounds := _interval(np, totals, level))[0] / n * 100, high=bounds[1] / n * 100,
        level=level, pass_mark=pass_mark, pass_probability=float((totals >= need).mean()), count=n,
        topics=tuple(TopicReadiness(t, alloc[t], float(v.mean()), float(np.quantile(v, lo_q)), float(np.quantile(v, hi_q)))
                     for t, v in per_topic.items()),
        seen=sum(1 for i in pool if i.id in cards), total=len(pool), at=at,
    )


def readiness(bank: Bank, store: Store, at: datetime | None = None, *, pass_mark: float = 0.72,
              others: Mapping[str, float] | None = None, seed: int = 0) -> Readiness:
    """The learner's readiness from the store, at `at` (default: now)."""
    cards = {q: c for q, c in store.cards().items() if q in bank.questions}
    attempts = [a for a in store.attempts() if a.question_id in bank.questions]
    return predict(items(bank), cards, first_answers(attempts), utc(at), others=others, pass_mark=pass_mark, seed=seed)


def _interval(np, totals, level: float) -> tuple[float, float]:
    """The central interval of the simulated right-answer counts whose predictive mass is nearest `level`.

    Counts are whole numbers: plain quantiles with both ends included hold more than `level` (about 94 %
    for 90 % on a 65-question mock), so an end is pulled in by one answer when that brings the mass nearer."""
    lo, hi = np.quantile(totals, (1 - level) / 2), np.quantile(totals, 1 - (1 - level) / 2)
    lo, hi = math.floor(lo), math.ceil(hi)
    candidates = [(lo, hi), (lo + 1, hi), (lo, hi - 1), (lo + 1, hi - 1)]

    def mass(c: tuple[int, int]) -> float:
        return float(((totals >= c[0]) & (totals <= c[1])).mean())

    return min((c for c in candidates if c[0] <= c[1]), key=lambda c: (abs(mass(c) - level), c[0] - c[1]))


def _seen_p(card: Card | None, guess: float, at: datetime) -> float:
    if card is None or card.last_review is None:
        return math.nan
    r = float(SCHEDULER.get_card_retrievability(card, at))
    return guess + (1 - guess) * r


def _logit(p: float) -> float:
    p = min(1 - 1e-6, max(1e-6, p))
    return math.log(p / (1 - p))


def _logit_np(np, p):
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def _sigmoid_np(np, x):
    return 1.0 / (1.0 + np.exp(-x))


@dataclass(frozen=True)
class ExamCheck:
    """A stored exam against the readiness predicted from the answers given before it started."""

    exam_id: int
    started_at: datetime
    count: int
    predicted: float  # percent
    low: float
    high: float
    actual: float  # percent

    @property
    def covered(self) -> bool:
        return self.low <= self.actual <= self.high


def history(bank: Bank, store: Store, seed: int = 0) -> list[ExamCheck]:
    """Every finished exam of this bank's questions, with what readiness said just before it (same size of
    exam, the learner's answers and FSRS cards as they stood then): the learner's own back-test."""
    from tutor.study.scheduler import review

    attempts = sorted((a for a in store.attempts() if a.question_id in bank.questions), key=lambda a: (a.answered_at, a.id))
    pool = items(bank)
    out = []
    for exam in store.exams():
        before = [a for a in attempts if a.answered_at < exam.started_at]
        if not before or exam.count < 1:
            continue
        cards: dict = {}
        for a in before:
            cards[a.question_id] = review(cards.get(a.question_id), a.correct, a.answered_at)
        r = predict(pool, cards, first_answers(before), exam.started_at, count=exam.count, seed=seed, draws=2000)
        out.append(ExamCheck(exam.id, exam.started_at, exam.count, r.score, r.low, r.high, exam.percent))
    return out
