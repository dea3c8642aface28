"""The class report as typed records, computed from a class's answers and the bank (`build`), and as the
JSON object `--json` prints (`to_json`).

Thresholds (Moodle's quiz statistics and the item-analysis literature): a distractor chosen by under 5 %
of the answers is non-functioning; an item is dubious when very easy (facility over 90 %), very hard
(under 20 %, below chance for four options: check the key), discriminating under 0.2 (item-rest), or
when a distractor draws more of the strongest 27 % of learners (by rest score) than the key does. A learner
holds a misconception when they chose its distractors in at least a third of the questions that offered
them, and at least twice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field

import numpy as np

from tutor.classreport import stats
from tutor.classreport.responses import first_attempts

NON_FUNCTIONING = 0.05
VERY_EASY = 0.90
VERY_HARD = 0.20
LOW_DISCRIMINATION = 0.20
STRONG = 0.27
FEW = 20  # fewer answers than this: the figures are shown but flagged as rough
INFORMATIONAL = ("few answers", "discrimination unknown")
HOLD_SHARE, HOLD_MIN = 1 / 3, 2  # holds a misconception: chose its distractors in a third of its chances, twice or more


@dataclass(frozen=True)
class OptionStats:
    key: str
    share: float
    count: int
    correct: bool
    misconception: str | None = None
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ItemStats:
    question: str
    topic: str
    origin: str  # FILE:LINE of the question in its bank
    n: int  # answers counted
    learners: int
    facility: float
    facility_ci: tuple[float, float]
    discrimination: float | None
    discrimination_ci: tuple[float, float] | None
    discrimination_n: int
    options: tuple[OptionStats, ...]
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class MisconceptionStats:
    id: str
    offered: int  # learners who answered a question offering one of its distractors
    holders: int  # ... and chose its distractors in at least a third of those questions, twice or more
    share: float
    share_ci: tuple[float, float]
    chosen: int  # answers that chose one of its distractors
    chances: int  # answers to questions offering it


@dataclass(frozen=True)
class ClassReport:
    learners: int
    answers: int
    first_attempts_only: bool
    items: tuple[ItemStats, ...]
    misconceptions: tuple[MisconceptionStats, ...]
    alpha: dict = field(default_factory=dict)

    @property
    def flagged(self) -> list[ItemStats]:
        """The dubious items ("few answers" and "discrimination unknown" only say the class is small)."""
        return [i for i in self.items if any(f not in INFORMATIONAL for f in i.flags)]


def build(answers: list, bank, *, all_attempts: bool = False) -> ClassReport:
    used = answers if all_attempts else first_attempts(answers)
    learners = sorted({a.learner for a in used})
    order = {qid: n for n, qid in enumerate(bank.questions)}
    questions = sorted({a.question_id for a in used}, key=lambda q: order.get(q, len(order)))
    li = {name: i for i, name in enumerate(learners)}
    qi = {q: j for j, q in enumerate(questions)}
    sums = np.zeros((len(learners), len(questions)))
    counts = np.zeros_like(sums)
    by_item: dict[str, list] = defaultdict(list)
    for a in used:
        i, j = li[a.learner], qi[a.question_id]
        sums[i, j] += a.correct
        counts[i, j] += 1
        by_item[a.question_id].append(a)
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = np.where(counts > 0, sums / counts, np.nan)  # all attempts: a learner's share right on the item
    r, rn = stats.item_rest(scores)
    rest = stats.rest_scores(scores)
    items = tuple(
        _item(bank, q, by_item[q], float(r[j]), int(rn[j]), _strong(learners, li, rest[:, j], by_item[q]))
        for j, q in enumerate(questions)
    )
    return ClassReport(
        learners=len(learners), answers=len(used), first_attempts_only=not all_attempts, items=items,
        misconceptions=_misconceptions(bank, used), alpha=stats.cronbach_alpha(scores) if questions else {},
    )


def _strong(learners, li, rest_j: np.ndarray, answers: list) -> list:
    """The answers of the top 27 % of the learners who answered the item, by rest score."""
    ranked = sorted({a.learner for a in answers if not np.isnan(rest_j[li[a.learner]])},
                    key=lambda name: rest_j[li[name]], reverse=True)
    top = set(ranked[:max(1, round(STRONG * len(ranked)))]) if len(ranked) >= 10 else set()
    return [a for a in answers if a.learner in top]


def _item(bank, qid: str, answers: list, r: float, rn: int, strong: list) -> ItemStats:
    question = bank.questions[qid]
    n = len(answers)
    right = sum(a.correct for a in answers)
    facility = right / n
    options = []
    for opt in question.options:
        count = sum(opt.key in a.chosen for a in answers)
        is_key = opt.key in question.answers
        share = count / n
        flags = ("non-functioning",) if not is_key and share < NON_FUNCTIONING else ()
        options.append(OptionStats(opt.key, share, count, is_key, opt.misconception, flags))
    disc = r if np.isfinite(r) else None
    flags = _flags(facility, disc, n, question, strong)
    return ItemStats(
        question=qid, topic=question.topic, origin=bank.origin.get(qid, "?"), n=n, learners=len({a.learner for a in answers}),
        facility=facility, facility_ci=stats.wilson(right, n), discrimination=disc,
        discrimination_ci=stats.fisher(r, rn) if disc is not None else None, discrimination_n=rn,
        options=tuple(options), flags=flags,
    )


def _flags(facility: float, disc: float | None, n: int, question, strong: list) -> tuple[str, ...]:
    flags = []
    if facility > VERY_EASY:
        flags.append("very easy")
    if facility < VERY_HARD:
        flags.append("very hard")
    if disc is None:
        flags.append("discrimination unknown")
    elif disc < 0:
        flags.append("negative discrimination: check the key")
    elif disc < LOW_DISCRIMINATION:
        flags.append("low discrimination")
    if strong:
        key_share = sum(bool(a.chosen & question.answers) for a in strong) / len(strong)
        over = [o.key for o in question.options
                if o.key not in question.answers and sum(o.key in a.chosen for a in strong) / len(strong) > key_share]
        if over:
            flags.append(f"distractor {', '.join(over)} outdraws the key among strong learners" if len(over) == 1 else
                         f"distractors {', '.join(over)} each outdraw the key among strong learners")
    if n < FEW:
        flags.append("few answers")
    return tuple(flags)


def _misconceptions(bank, answers: list) -> tuple[MisconceptionStats, ...]:
    chances: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))  # m -> learner -> [chose, offered]
    for a in answers:
        question = bank.questions[a.question_id]
        offered = {o.misconception for o in question.options if o.misconception and o.key not in question.answers}
        chosen = {o.misconception for o in question.options if o.misconception and o.key in a.chosen and o.key not in question.answers}
        for m in offered:
            tally = chances[m][a.learner]
            tally[1] += 1
            tally[0] += m in chosen
    out = []
    for m, per in chances.items():
        holders = sum(1 for chose, offered in per.values() if chose >= HOLD_MIN and chose >= HOLD_SHARE * offered)
        out.append(MisconceptionStats(
            id=m, offered=len(per), holders=holders, share=holders / len(per), share_ci=stats.wilson(holders, len(per)),
            chosen=sum(c for c, _ in per.values()), chances=sum(o for _, o in per.values()),
        ))
    return tuple(sorted(out, key=lambda s: (-s.share, s.id)))


def _round(value):
    if isinstance(value, float):
        return round(value, 4) if np.isfinite(value) else None
    if isinstance(value, (list, tuple)):
        return [_round(v) for v in value]
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    return value


def to_json(report: ClassReport) -> dict:
    """The report as one JSON-ready object: `items`, `misconceptions`, `alpha` (a number or null) and the
    rest (`alpha_detail`, `learners`, `answers`, `first_attempts_only`)."""
    data = _round(asdict(report))
    detail = data.pop("alpha")
    return {"learners": data["learners"], "answers": data["answers"], "first_attempts_only": data["first_attempts_only"],
            "items": data["items"], "misconceptions": data["misconceptions"],
            "alpha": detail.get("value") if detail else None, "alpha_detail": detail}
