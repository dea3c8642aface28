"""Sessions that use the misconception profile and the exam plan (issue 26).

* `MisconceptionPractice`: practice on one misconception: the questions with a distractor naming it,
  unseen ones first, each group shuffled; answers are recorded as practice.
* `FocusedReview`: review as the learner's situation asks: the due cards (plain FSRS, or the exam plan's
  reviews for today when an exam date is set), those targeting a held misconception first.
"""

from __future__ import annotations

import random
from datetime import datetime

from tutor.bank import Bank
from tutor.study import plan, profile
from tutor.study.scheduler import utc
from tutor.study.sessions import ReviewSession, _QueueSession
from tutor.study.store import Store


class MisconceptionPractice(_QueueSession):
    mode = "practice"

    def __init__(self, bank: Bank, store: Store, misconception: str, seed: int | None = None,
                 rng: random.Random | None = None) -> None:
        ids = profile.targeting(bank, misconception)
        if not ids:
            raise ValueError(f"no question offers misconception {misconception!r}")
        rng = rng if rng is not None else random.Random(seed)
        seen = store.seen_ids()
        unseen = [bank.questions[q] for q in ids if q not in seen]
        rest = [bank.questions[q] for q in ids if q in seen]
        rng.shuffle(unseen)
        rng.shuffle(rest)
        self.misconception = misconception
        super().__init__(bank, store, unseen + rest, rng)


def review_ids(bank: Bank, store: Store, now: datetime | None = None) -> list[str]:
    """The questions to review now, in order: those targeting a held misconception first (the most likely
    misconception's first), then the rest, most overdue first."""
    now = utc(now)
    due = [q for q in plan.due_ids(store, now) if q in bank.questions]
    return profile.order_by_profile(due, bank, profile.profile(bank, store, now))


class FocusedReview(ReviewSession):
    mode = "review"

    @staticmethod
    def _due(bank: Bank, store: Store, now: datetime | None) -> list:
        return [bank.questions[q] for q in review_ids(bank, store, now)]
