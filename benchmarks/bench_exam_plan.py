"""Does the exam-date plan end with higher recall on the exam day than plain FSRS at the same number of reviews?

Simulated learners (tutor.study.simulate: memory is an FSRS card with known parameters, a review succeeds
with its true retrievability) meet NEW_PER_DAY new questions a day for LEARN_DAYS days and take the exam
EXAM_DAY days after they start. Three policies, the same learners (same seeds):

* plain FSRS at 90 % desired retention (tutor's scheduler, what review does without an exam date);
* the exam plan (tutor.study.plan: the day's reviews of `make_plan`, recomputed every morning);
* plain FSRS at the desired retention that gives the *same number of reviews* as the exam plan (found by
  bisection): the fair comparison, since more reviews alone raise recall.

Printed: mean true recall on the exam morning over all questions and learners, reviews per learner, and
the ratio plan / plain-at-equal-reviews. Usage: python benchmarks/bench_exam_plan.py [--learners N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tutor.study.plan import make_plan
from tutor.study.simulate import Learner, morning, scheduler, study

START = date(2026, 1, 5)
EXAM_DAY = 30
LEARN_DAYS = 15
NEW_PER_DAY = 8


def learners(n: int, seed: int) -> list[Learner]:
    out = []
    for i in range(n):
        rng = random.Random(seed * 1000 + i)
        ability = rng.gauss(0.0, 1.0)
        first = {f"q{k:03d}": min(0.95, max(0.05, 0.5 + 0.15 * ability + rng.gauss(0, 0.15))) for k in range(LEARN_DAYS * NEW_PER_DAY)}
        out.append(Learner(rng=rng, first=first))
    return out


def schedule() -> dict[int, list[str]]:
    ids = [f"q{k:03d}" for k in range(LEARN_DAYS * NEW_PER_DAY)]
    return {d: ids[d * NEW_PER_DAY:(d + 1) * NEW_PER_DAY] for d in range(LEARN_DAYS)}


def run(policy: str, n: int, seed: int, retention: float = 0.9) -> tuple[float, float]:
    """(mean recall on the exam morning, mean reviews per learner) over `n` learners."""
    exam = START + timedelta(days=EXAM_DAY)
    sched = scheduler(retention) if policy == "plain" else scheduler(0.9)
    recalls, reviews = [], []
    for learner in learners(n, seed):
        if policy == "plain":
            def due(lr, now):
                return sorted(q for q, c in lr.cards.items() if c.due <= now)
        else:
            def due(lr, now):
                if now.date() >= exam:
                    return []
                plan = make_plan(lr.cards, exam, now, scheduler=sched)
                today = plan.today()
                return sorted(q for q in today if lr.cards[q].due <= now or lr.cards[q].last_review.date() < now.date())
        study(learner, START, EXAM_DAY, schedule(), due, sched)
        at = morning(exam)
        recalls.append(statistics.fmean(learner.recall(q, at) for q in learner.first))
        reviews.append(learner.reviews)
    return statistics.fmean(recalls), statistics.fmean(reviews)


def matched(target_reviews: float, n: int, seed: int) -> tuple[float, float, float]:
    """Plain FSRS at the desired retention whose review count matches `target_reviews` (bisection)."""
    lo, hi = 0.80, 0.99
    best = None
    for _ in range(12):
        mid = (lo + hi) / 2
        recall, reviews = run("plain", n, seed, mid)
        if best is None or abs(reviews - target_reviews) < abs(best[2] - target_reviews):
            best = (mid, recall, reviews)
        if reviews < target_reviews:
            lo = mid
        else:
            hi = mid
    return best


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    plain_recall, plain_reviews = run("plain", args.learners, args.seed)
    plan_recall, plan_reviews = run("plan", args.learners, args.seed)
    retention, eq_recall, eq_reviews = matched(plan_reviews, args.learners, args.seed)
    print(f"{args.learners} simulated learners, {LEARN_DAYS * NEW_PER_DAY} questions, exam on day {EXAM_DAY}")
    print(f"plain FSRS (90 %):             recall on exam day {plain_recall:.3f}  reviews {plain_reviews:.1f}")
    print(f"exam plan:                     recall on exam day {plan_recall:.3f}  reviews {plan_reviews:.1f}")
    print(f"plain FSRS ({retention * 100:.1f} %, equal reviews): recall on exam day {eq_recall:.3f}  reviews {eq_reviews:.1f}")
    print(f"ratio plan / plain at equal reviews: {plan_recall / eq_recall:.3f}  (forgetting: {(1 - plan_recall) / (1 - eq_recall):.2f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
