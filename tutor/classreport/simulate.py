"""A simulated class with known truth, to check the report against (tests, README figures, benchmark).

Learners answer every item of a bank written for the purpose under a two-parameter logistic IRT model:
P(right) = 1 / (1 + exp(-a_j (theta_i - b_j))), theta ~ N(0, 1), with known discrimination a_j and
difficulty b_j. A wrong answer picks a distractor; some items have a dead distractor nobody picks, and a
learner who holds a misconception (each with a known prevalence) leans to the distractors that stand for it.
The truth the report should track: each item's population facility and its item-rest correlation in a very
large class (20,000 learners) under the same model.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from tutor.classreport import stats
from tutor.xapi.statements import to_statement

KEYS = ("A", "B", "C", "D")
MISCONCEPTIONS = 12
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Truth:
    questions: list[str]
    a: np.ndarray
    b: np.ndarray
    answer: dict[str, str]
    dead: dict[str, str]  # question -> the distractor nobody chooses
    prevalence: dict[str, float]  # misconception -> share of learners holding it
    facility: np.ndarray  # population facility
    item_rest: np.ndarray  # item-rest correlation in a class of 20,000


def qid(j: int) -> str:
    return f"sim-item-{j + 1:02d}"


def misconception(j: int, key: str) -> str:
    return f"sim-belief-{(3 * j + KEYS.index(key)) % MISCONCEPTIONS + 1:02d}"


def parameters(items: int, seed: int) -> Truth:
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.2, 2.5, items)
    b = rng.normal(0.0, 1.0, items)
    keys = [KEYS[int(k)] for k in rng.integers(0, 4, items)]
    answer = {qid(j): keys[j] for j in range(items)}
    dead = {}
    for j in range(0, items, 5):  # every fifth item has a dead distractor
        dead[qid(j)] = next(k for k in KEYS if k != keys[j])
    prevalence = {f"sim-belief-{m + 1:02d}": float(p) for m, p in enumerate(np.linspace(0.05, 0.6, MISCONCEPTIONS))}
    big = _scores(rng, a, b, 20_000)
    r, _ = stats.item_rest(big)
    facility = _population_facility(a, b)
    return Truth([qid(j) for j in range(items)], a, b, answer, dead, prevalence, facility, r)


def _population_facility(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    nodes, weights = np.polynomial.hermite_e.hermegauss(80)  # E over theta ~ N(0, 1)
    p = 1 / (1 + np.exp(-a[:, None] * (nodes[None, :] - b[:, None])))
    return (p * weights).sum(axis=1) / weights.sum()


def _scores(rng, a, b, learners: int) -> np.ndarray:
    theta = rng.normal(0.0, 1.0, (learners, 1))
    p = 1 / (1 + np.exp(-a[None, :] * (theta - b[None, :])))
    return (rng.random(p.shape) < p).astype(float)


def write_bank(folder: Path, truth: Truth) -> Path:
    """The simulated items as a bank folder (topics, misconceptions, questions) the loader validates."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "topics.yaml").write_text(
        'topics:\n  - id: simulated\n    title: {en: "Simulated items", ko: "모의 문항"}\n', encoding="utf-8")
    beliefs = ["misconceptions:"]
    for m in truth.prevalence:
        beliefs.append(f'  - id: {m}\n    text: {{en: "Simulated belief {m[-2:]} holds.", ko: "모의 믿음 {m[-2:]}."}}')
    (folder / "misconceptions.yaml").write_text("\n".join(beliefs) + "\n", encoding="utf-8")
    lines = ["questions:"]
    for j, q in enumerate(truth.questions):
        lines += [f"  - id: {q}", "    topic: simulated", f'    stem: "Simulated item {j + 1}: which option is right?"',
                  "    options:"]
        for k in KEYS:
            belief = "" if k == truth.answer[q] else f", misconception: {misconception(j, k)}"
            lines.append(f'      - {{key: {k}, text: "Option {k} of item {j + 1}", why: "Why {k}."{belief}}}')
        lines += [f"    answer: {truth.answer[q]}", '    explanation: "Simulated."']
    (folder / "questions.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def simulate(learners: int = 300, items: int = 65, seed: int = 0) -> tuple[list[dict], Truth]:
    """The class's statements (every learner answers every item once, a full mock) and the truth."""
    truth = parameters(items, seed)
    rng = np.random.default_rng(seed + 1)
    ids = random.Random(seed)
    scores = _scores(rng, truth.a, truth.b, learners)
    holds = rng.random((learners, MISCONCEPTIONS)) < np.array(list(truth.prevalence.values()))
    out = []
    for i in range(learners):
        name = f"sim-learner-{i + 1:03d}"
        for j, q in enumerate(truth.questions):
            key = truth.answer[q]
            if scores[i, j]:
                chosen = key
            else:
                live = [k for k in KEYS if k != key and truth.dead.get(q) != k]
                weight = np.array([3.0 if holds[i, int(misconception(j, k)[-2:]) - 1] else 1.0 for k in live])
                chosen = live[int(rng.choice(len(live), p=weight / weight.sum()))]
            shown = list(KEYS)
            ids.shuffle(shown)
            out.append(to_statement(
                statement_id=str(uuid.UUID(int=ids.getrandbits(128), version=4)), learner=name, question_id=q,
                chosen={chosen}, correct=bool(scores[i, j]), mode="exam",
                answered_at=T0 + timedelta(days=i % 7, seconds=40 * j), seconds=float(rng.uniform(20, 120)),
                shown=shown, first=True, misconceptions=[] if chosen == key else [misconception(j, chosen)],
            ))
    return out, truth
