"""Which misconceptions a learner likely holds, from the distractors they chose (issue 26).

Every distractor names the wrong belief it stands for (`misconception:` on the option, catalogued in
questions/misconceptions.yaml). Each stored answer to a question that offers misconception m is one
*chance* to show m: the learner either chose a distractor naming m (evidence for) or did not (evidence
against). The store keeps the chosen option keys, so the profile works from any answer, including those
imported through xAPI.

The model, per misconception m: the learner picks m's distractor, when offered, with an unknown
probability p_m. Its posterior is Beta(A0 + a, B0 + b), where a and b are the chances on which m was and
was not chosen, each counted with a weight

    w = 0.5 ** (age_days / HALF_LIFE_DAYS)  x  CONFIDENCE_WEIGHT[confidence]

so old evidence decays exponentially (a belief not chosen for a while fades back to the prior) and a
confident answer counts more than a guess (certainty-based marking: a sure wrong answer is the strongest
sign of a held misconception, a guessed one the weakest; likewise a sure right answer is the strongest
evidence against). The prior Beta(1, 3) has mean 0.25, about the
chance of picking one given distractor of a four-option question blindly; its weight (4 answers) lets a
single slip look like no more than a slip. `likelihood` is the posterior mean; a misconception is `held`
when the posterior probability that p_m exceeds that blind-choice rate is at least HELD_PROBABILITY, and
it was chosen at least once. Ranking: most likely first (posterior mean, then recency).

Exponentially decayed Beta-Binomial counts are the standard way to track a drifting rate (a "forgetting
factor" on conjugate counts); the half-life is a design choice, documented, not fitted.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from tutor.study.scheduler import utc
from tutor.study.store import CONFIDENCES  # Moodle CBM's C1, C2, C3

if TYPE_CHECKING:  # pragma: no cover
    from tutor.bank import Bank, Question
    from tutor.study.store import Attempt, Store

HALF_LIFE_DAYS = 21.0
PRIOR_A = 1.0
PRIOR_B = 3.0
CHANCE = PRIOR_A / (PRIOR_A + PRIOR_B)  # the blind-choice rate a held misconception must beat
HELD_PROBABILITY = 0.8
CONFIDENCE_WEIGHT: dict[str | None, float] = {None: 1.0, "guessing": 0.5, "fairly_sure": 1.0, "sure": 2.0}


@dataclass(frozen=True)
class Evidence:
    """The raw (undecayed) counts behind one misconception, for the learner to read."""

    chosen: int  # answers in which a distractor naming it was chosen
    offered: int  # answers to questions that offered it
    chosen_questions: int  # distinct questions in which it was chosen
    offered_questions: int  # distinct questions answered that offered it
    last_chosen: datetime | None  # when it was last chosen
    confident_wrong: int = 0  # chosen with "sure" or "fairly sure"

    def text(self, lang: str = "en") -> str:
        """'chose it in 3 of 4 questions that offered it, last on 2 Dec' (in `lang`)."""
        from tutor import i18n

        line = i18n.t(lang, "profile.evidence", chosen=self.chosen_questions, offered=self.offered_questions)
        if self.last_chosen is not None:
            line += i18n.t(lang, "profile.last_on", day=day_label(self.last_chosen.date(), lang))
        return line


@dataclass(frozen=True)
class HeldMisconception:
    """One misconception with the learner's evidence and the way out (its lab and the questions on it)."""

    id: str
    text: dict[str, str]  # the belief in en and ko (catalogue text); empty when the catalogue lacks it
    likelihood: float  # posterior mean of the chance of choosing it when offered (0..1)
    held_probability: float  # posterior P(chance of choosing it > CHANCE)
    held: bool
    evidence: Evidence
    lab: str | None  # the lab whose claim refutes it
    questions: tuple[str, ...]  # ids of the questions with a distractor naming it (bank order)
    alpha: float = field(repr=False, default=PRIOR_A)  # posterior Beta parameters, decayed counts included
    beta: float = field(repr=False, default=PRIOR_B)

    def to_json(self, lang: str = "en") -> dict:
        return {
            "id": self.id,
            "likelihood": round(self.likelihood, 4),
            "held": self.held,
            "evidence": self.evidence.text(lang),
            "chosen": self.evidence.chosen,
            "offered": self.evidence.offered,
            "last_seen": self.evidence.last_chosen.isoformat() if self.evidence.last_chosen else None,
            "lab": self.lab,
            "questions": list(self.questions),
        }


@dataclass(frozen=True)
class Profile:
    """Every misconception the learner has had a chance to show, most likely first."""

    entries: tuple[HeldMisconception, ...]
    now: datetime

    @property
    def held(self) -> list[HeldMisconception]:
        return [m for m in self.entries if m.held]

    def top(self, n: int = 3) -> list[HeldMisconception]:
        """The home screen's few: held ones, most likely first."""
        return self.held[:n]

    def get(self, mid: str) -> HeldMisconception | None:
        return next((m for m in self.entries if m.id == mid), None)


def offered(question: Question) -> dict[str, set[str]]:
    """Misconception id -> the option keys (distractors) of `question` that name it."""
    out: dict[str, set[str]] = {}
    for option in question.options:
        if option.misconception and option.key not in question.answers:
            out.setdefault(option.misconception, set()).add(option.key)
    return out


def targeting(bank: Bank, mid: str) -> list[str]:
    """Ids of the questions with a distractor naming misconception `mid`, in bank order."""
    return [q.id for q in bank.questions.values() if mid in offered(q)]


def weight(answered_at: datetime, now: datetime, confidence: str | None = None) -> float:
    """How much one answer counts now: exponential decay by age, times its confidence weight."""
    age_days = max(0.0, (now - answered_at).total_seconds() / 86400.0)
    return 0.5 ** (age_days / HALF_LIFE_DAYS) * CONFIDENCE_WEIGHT.get(confidence, 1.0)


def build(bank: Bank, attempts: Iterable[Attempt], now: datetime | None = None) -> Profile:
    """The profile from `attempts` (any order; questions not in the bank are skipped)."""
    now = utc(now)
    counts: dict[str, _Counts] = {}
    for a in attempts:
        question = bank.questions.get(a.question_id)
        if question is None or a.answered_at > now:
            continue
        w = weight(a.answered_at, now, getattr(a, "confidence", None))
        for mid, keys in offered(question).items():
            counts.setdefault(mid, _Counts()).add(a, bool(keys & a.chosen), w)
    # Only a learner with answers to profile needs the catalogue: a cached bank loads it whole (pydantic, YAML),
    # which a first home screen must not wait for.
    catalogue = bank.misconceptions.entries if counts else {}
    entries = []
    for mid, c in counts.items():
        alpha, beta = PRIOR_A + c.a, PRIOR_B + c.b
        held_p = beta_sf(CHANCE, alpha, beta)
        entry = catalogue.get(mid)
        entries.append(HeldMisconception(
            id=mid, text=dict(entry.text) if entry else {}, likelihood=alpha / (alpha + beta), held_probability=held_p,
            held=held_p >= HELD_PROBABILITY and c.chosen > 0, evidence=c.evidence(), lab=entry.lab if entry else None,
            questions=tuple(targeting(bank, mid)), alpha=alpha, beta=beta,
        ))
    entries.sort(key=lambda m: (-m.likelihood, -(m.evidence.last_chosen.timestamp() if m.evidence.last_chosen else 0.0), m.id))
    return Profile(tuple(entries), now)


def profile(bank: Bank, store: Store, now: datetime | None = None) -> Profile:
    """The learner's profile from every stored answer (typed, imported ones included)."""
    return build(bank, store.attempts(), now)


def beta_sf(x: float, a: float, b: float, steps: int = 400) -> float:
    """P(X > x) for X ~ Beta(a, b), a, b >= 1, by Simpson's rule on the density: the home screen draws the
    profile, and scipy.stats alone would add over a second to its start."""
    if x <= 0:
        return 1.0
    if x >= 1:
        return 0.0
    log_norm = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)

    def pdf(t: float) -> float:
        if t <= 0 or t >= 1:  # the density's limit at an end: finite (not 0) only where that exponent is 0
            return math.exp(log_norm) if (a if t <= 0 else b) == 1 else 0.0
        return math.exp(log_norm + (a - 1) * math.log(t) + (b - 1) * math.log1p(-t))

    h = (1 - x) / steps
    total = pdf(x) + pdf(1.0) + sum((4 if i % 2 else 2) * pdf(x + i * h) for i in range(1, steps))
    return min(1.0, max(0.0, total * h / 3))


class _Counts:
    def __init__(self) -> None:
        self.a = self.b = 0.0
        self.chosen = self.offered = self.confident = 0
        self.qs_chosen: set[str] = set()
        self.qs_offered: set[str] = set()
        self.last: datetime | None = None

    def add(self, attempt: Attempt, chose: bool, w: float) -> None:
        self.offered += 1
        self.qs_offered.add(attempt.question_id)
        if chose:
            self.a += w
            self.chosen += 1
            self.qs_chosen.add(attempt.question_id)
            self.confident += getattr(attempt, "confidence", None) in ("sure", "fairly_sure")
            self.last = attempt.answered_at if self.last is None else max(self.last, attempt.answered_at)
        else:
            self.b += w

    def evidence(self) -> Evidence:
        return Evidence(self.chosen, self.offered, len(self.qs_chosen), len(self.qs_offered), self.last, self.confident)


def order_by_profile(question_ids: Iterable[str], bank: Bank, prof: Profile) -> list[str]:
    """`question_ids` (e.g. the due cards, most overdue first) with those targeting a held misconception
    first, the most likely misconception's questions before the others; the order is otherwise kept."""
    rank = {m.id: i for i, m in enumerate(prof.held)}
    ids = list(question_ids)

    def ranked(item: tuple[int, str]) -> tuple[int, int]:
        question = bank.questions.get(item[1])
        hits = [rank[m] for m in offered(question) if m in rank] if question is not None else []
        return (min(hits) if hits else len(rank), item[0])

    return [qid for _, qid in sorted(enumerate(ids), key=ranked)]


def day_label(day: date, lang: str = "en") -> str:
    """'2 Dec' in English, '12월 2일' in Korean."""
    if lang == "ko":
        return f"{day.month}월 {day.day}일"
    return f"{day.day} {('Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec')[day.month - 1]}"


def misconception_text(entry: HeldMisconception, lang: str) -> str:
    return entry.text.get(lang) or entry.text.get("en") or entry.id


__all__ = ["CONFIDENCES", "Evidence", "HeldMisconception", "Profile", "build", "offered", "order_by_profile", "profile",
           "targeting", "weight"]
