"""A thin wrapper over FSRS 6 (`fsrs>=6.3,<7`): one fixed scheduler, two ratings.

A right answer rates Good, a wrong one Again. The scheduler has one short learning step (10 minutes)
instead of FSRS's default two: a question answered right the first time graduates straight to a
days-long interval (a quiz question the learner already knows should not come back within the hour),
while a wrong answer brings it back in 10 minutes, and again after every later miss. Fuzzing is off
so that the same answers at the same times always give the same schedule (and tests are exact).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from fsrs import Card, Rating, Scheduler

LEARNING_STEPS = (timedelta(minutes=10),)
RELEARNING_STEPS = (timedelta(minutes=10),)

SCHEDULER = Scheduler(
    learning_steps=LEARNING_STEPS,
    relearning_steps=RELEARNING_STEPS,
    enable_fuzzing=False,
)


def utc(now: datetime | None = None) -> datetime:
    """`now` as a UTC datetime (default: the current time). A naive datetime is taken to be UTC."""
    if now is None:
        return datetime.now(timezone.utc)
    if now.tzinfo is None:
        return now.replace(tzinfo=timezone.utc)
    return now.astimezone(timezone.utc)


def new_card(now: datetime | None = None) -> Card:
    """A fresh card, due at `now`. Its id is fixed (0): the store keys cards by question id instead,
    and a fixed id spares fsrs's 1 ms sleep for a unique millisecond id."""
    return Card(card_id=0, due=utc(now))


def review(card: Card | None, correct: bool, now: datetime | None = None) -> Card:
    """The card after one answer at `now`: Good when right, Again when wrong. `None` means never seen."""
    now = utc(now)
    card = new_card(now) if card is None else card
    updated, _log = SCHEDULER.review_card(card, Rating.Good if correct else Rating.Again, now)
    return updated


def retrievability(card: Card | None, now: datetime | None = None) -> float:
    """FSRS's predicted probability (0..1) that the learner recalls the card at `now`; 0 if never seen."""
    if card is None:
        return 0.0
    return float(SCHEDULER.get_card_retrievability(card, utc(now)))


__all__ = ["Card", "Rating", "SCHEDULER", "new_card", "retrievability", "review", "utc"]
