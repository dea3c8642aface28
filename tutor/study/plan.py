"""Scheduling that aims at recall on the exam day (issue 26): `tutor plan --exam-date`, and the review queue.

Without an exam date, review is plain FSRS (a card is due when its predicted recall falls to 90 %). With
one, FSRS's retrievability *at the exam* decides what else to review and when:

* every card FSRS makes due before the exam is reviewed by the day before it (nothing is left due at
  the exam: an overdue backlog is spread over the first days, never pushed past the exam);
* a card's *last* review before the exam (the one after which FSRS would next schedule it past the exam)
  waits while its predicted recall stays at least `POSTPONE_FLOOR`: a review nearer the exam leaves more
  on the day, and a harder (still likely) recall builds a stronger memory, so one late review replaces an
  early one plus a top-up;
* a card whose next FSRS review falls after the exam is left alone when its predicted recall on the exam
  day is at least `EXAM_TARGET`; otherwise it gets one *final review* in the last `FINAL_WINDOW` days,
  the latest day of that window not yet swamped (`SWAMP` times the mean day), so the last days do not
  pile up (postponed last reviews are placed the same way);
* with minutes per day, a day's reviews beyond what fits move to earlier days (reviewing early is safe;
  late is not), and the plan says how many did not fit at all.

The plan is a forecast under FSRS's usual assumption (each review succeeds); it is recomputed from the
cards every time, so a miss simply shows up as an earlier review next time. Exam days are UTC dates; the
exam is taken at the start of its day (nothing is planned on it).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from fsrs import Card, Rating, Scheduler

from tutor.study.scheduler import SCHEDULER, utc

if TYPE_CHECKING:  # pragma: no cover
    from tutor.study.store import Store

EXAM_TARGET = 0.95  # predicted recall on the exam day a card should keep without a final review
POSTPONE_FLOOR = 0.85  # a card's last review before the exam waits while its recall stays at least this
FINAL_WINDOW = 7  # days before the exam in which final reviews are placed
SWAMP = 2.0  # a day with this many times the plan's mean reviews a day takes no more flexible reviews
SECONDS_PER_REVIEW = 60.0  # default, when the learner has no timed answers yet
EXAM_DATE_KEY = "exam_date"
MINUTES_KEY = "minutes_per_day"
PASS_MARK_KEY = "pass_mark"
DEFAULT_PASS_MARK = 0.72
MAX_DAYS = 730  # an exam further away than two years is not planned day by day


class PlanError(ValueError):
    """A date or a number the plan cannot use (one line for the learner)."""


@dataclass(frozen=True)
class ExamSettings:
    exam_date: date | None
    minutes_per_day: int | None
    pass_mark: float = DEFAULT_PASS_MARK


@dataclass(frozen=True)
class PlanDay:
    day: date
    due: int  # reviews planned that day
    minutes: float  # their expected time
    final: int = 0  # of which final reviews before the exam


@dataclass(frozen=True)
class Plan:
    exam_date: date
    days: tuple[PlanDay, ...]  # one entry per day from today to the day before the exam
    reviews: dict[str, tuple[date, ...]]  # question id -> its planned review days (forecast)
    unplanned: int  # reviews that fit no day (minutes per day too few); 0 when everything fits
    left_due: int  # cards that would fall due before the exam and not be reviewed by then, following the plan
    recall_at_exam: float  # mean predicted recall on the exam day over the planned cards, following the plan
    recall_without: float  # ... if the learner stopped reviewing now
    minutes_per_day: int | None
    seconds_per_review: float

    @property
    def total(self) -> int:
        return sum(d.due for d in self.days)

    def today(self) -> set[str]:
        """The questions the plan reviews on its first day (today)."""
        first = self.days[0].day if self.days else None
        return {qid for qid, days in self.reviews.items() if days and days[0] == first}

    def to_json(self) -> list[dict]:
        return [{"date": d.day.isoformat(), "due": d.due, "minutes": round(d.minutes, 1), "final": d.final} for d in self.days]


# -- settings -----------------------------------------------------------------------------------------


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PlanError(f"not a date: {text!r} (use YYYY-MM-DD)") from None


def load_settings(store: Store) -> ExamSettings:
    """The learner's exam date, minutes per day and pass mark (what is unset or unreadable is None/default)."""
    def read(key, convert):
        value = store.setting(key)
        try:
            return None if value is None else convert(value)
        except ValueError:
            return None
    mark = read(PASS_MARK_KEY, float)
    return ExamSettings(read(EXAM_DATE_KEY, date.fromisoformat), read(MINUTES_KEY, int),
                        mark if mark is not None and 0 < mark <= 1 else DEFAULT_PASS_MARK)


def save_settings(store: Store, exam_date: date | None = None, minutes_per_day: int | None = None,
                  pass_mark: float | None = None, *, today: date | None = None) -> ExamSettings:
    """Store what is given (checked first: a past date, zero minutes or a pass mark outside 1..100 % is refused)."""
    today = today or utc().date()
    if exam_date is not None and exam_date <= today:
        raise PlanError(f"the exam date {exam_date.isoformat()} is not after today ({today.isoformat()})")
    if exam_date is not None and (exam_date - today).days > MAX_DAYS:
        raise PlanError(f"the exam date {exam_date.isoformat()} is more than {MAX_DAYS} days away: plan for a nearer one")
    if minutes_per_day is not None and not 1 <= minutes_per_day <= 24 * 60:
        raise PlanError(f"minutes per day must be between 1 and 1440, not {minutes_per_day}")
    if pass_mark is not None and not 0 < pass_mark <= 1:
        raise PlanError("the pass mark must be above 0 % and at most 100 %")
    with store.batch("saving the exam plan"):
        for key, value in ((EXAM_DATE_KEY, exam_date and exam_date.isoformat()), (MINUTES_KEY, minutes_per_day),
                           (PASS_MARK_KEY, pass_mark)):
            if value is not None:
                store.set_setting(key, str(value))
    return load_settings(store)


def seconds_per_review(store: Store) -> float:
    """The learner's median answer time (capped to 1..600 s), or SECONDS_PER_REVIEW before any timed answer."""
    times = sorted(a.seconds for a in store.attempts() if a.seconds is not None and a.seconds > 0)
    if not times:
        return SECONDS_PER_REVIEW
    return min(600.0, max(1.0, times[len(times) // 2]))


# -- the forecast -------------------------------------------------------------------------------------


def exam_moment(exam_date: date) -> datetime:
    return datetime.combine(exam_date, time(0, 0), tzinfo=UTC)


def _at(day: date) -> datetime:
    """A review on `day`, at noon UTC (a day's reviews are one step of the forecast)."""
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


def recall_at(card: Card, when: datetime, scheduler: Scheduler = SCHEDULER) -> float:
    return float(scheduler.get_card_retrievability(card, when)) if card.last_review is not None else 0.0


def _good(card: Card, when: datetime, scheduler: Scheduler) -> Card:
    updated, _ = scheduler.review_card(card, Rating.Good, when)
    while updated.due.date() <= when.date() and updated.due < when + timedelta(days=1):  # learning steps: same day
        updated, _ = scheduler.review_card(updated, Rating.Good, max(updated.due, when))
    return updated


def _postponed(card: Card, day: date, last: date, scheduler: Scheduler) -> date:
    """The latest day in `day`..`last` on which the card's recall is still at least POSTPONE_FLOOR: a last
    review nearer the exam leaves more on the day, and a harder recall makes a stronger memory."""
    best = day
    probe = day + timedelta(days=1)
    while probe <= last and recall_at(card, _at(probe), scheduler) >= POSTPONE_FLOOR:
        best, probe = probe, probe + timedelta(days=1)
    return best


def card_days(card: Card, today: date, exam_date: date, scheduler: Scheduler = SCHEDULER) -> tuple[list[date], list[date], bool]:
    """A card's review days from `today` to the day before the exam (each assumed successful); the days its
    last review may take (the plan picks the latest that is not swamped); and whether that last one is a final review
    added for the exam (one plain FSRS would not make)."""
    days: list[date] = []
    options: list[date] = []
    last = exam_date - timedelta(days=1)
    exam = exam_moment(exam_date)
    when = max(card.due, _at(today))
    while when.date() <= last:
        day = when.date()
        after = _good(card, _at(day), scheduler)
        if after.due.date() > last:  # its last review before the exam: as late as recall allows
            latest = _postponed(card, day, last, scheduler)
            options = [day + timedelta(days=k) for k in range((latest - day).days + 1)]
            day, after = latest, _good(card, _at(latest), scheduler)
        days.append(day)
        card, when = after, after.due
    if recall_at(card, exam, scheduler) < EXAM_TARGET and last >= today:
        start = days[-1] + timedelta(days=1) if days else max(today, card.last_review.date() + timedelta(days=1) if card.last_review else today)
        window = [last - timedelta(days=k) for k in range(FINAL_WINDOW) if last - timedelta(days=k) >= start]
        # never so early that the card falls due again before the exam
        options = [d for d in window if d == last or _good(card, _at(d), scheduler).due >= exam] or [last]
        days.append(last)
        return days, options, True
    return days, options, False


def follow(card: Card, days: tuple[date, ...] | list[date], scheduler: Scheduler = SCHEDULER) -> Card:
    """The card after successful reviews on `days`."""
    for day in days:
        card = _good(card, _at(day), scheduler)
    return card


def make_plan(cards: Mapping[str, Card], exam_date: date, now: datetime | None = None, *,
              minutes_per_day: int | None = None, seconds: float = SECONDS_PER_REVIEW,
              scheduler: Scheduler = SCHEDULER) -> Plan:
    """The plan until `exam_date` for these cards (question id -> FSRS card)."""
    now = utc(now)
    today = now.date()
    if exam_date <= today:
        raise PlanError(f"the exam date {exam_date.isoformat()} is not after today ({today.isoformat()})")
    exam_date = min(exam_date, today + timedelta(days=MAX_DAYS))
    span = [today + timedelta(days=i) for i in range((exam_date - today).days)]
    exam = exam_moment(exam_date)
    reviews: dict[str, list[date]] = {}
    flexible: dict[str, list[date]] = {}  # question id -> the days its last review may take
    finals: set[str] = set()
    for qid, card in sorted(cards.items()):
        days, options, final = card_days(card, today, exam_date, scheduler)
        if days:
            reviews[qid] = days
        if len(options) > 1:
            flexible[qid] = options
        if final:
            finals.add(qid)
    _spread(reviews, flexible, span)
    capacity = None if minutes_per_day is None else max(1, int(minutes_per_day * 60 // seconds))
    unplanned = _fit(reviews, span, capacity) if capacity is not None else 0
    after = {qid: follow(card, reviews.get(qid, ()), scheduler) for qid, card in cards.items()}
    recall_after = [recall_at(c, exam, scheduler) for c in after.values()]
    recall_now = [recall_at(c, exam, scheduler) for c in cards.values()]
    load = {d: 0 for d in span}
    final_load = {d: 0 for d in span}
    for qid, days in reviews.items():
        for i, d in enumerate(days):
            if d in load:
                load[d] += 1
                final_load[d] += int(qid in finals and i == len(days) - 1)
    left_due = sum(1 for c in after.values() if c.due < exam)  # due before the exam, yet not reviewed by then
    return Plan(
        exam_date=exam_date,
        days=tuple(PlanDay(d, load[d], load[d] * seconds / 60.0, final_load[d]) for d in span),
        reviews={qid: tuple(days) for qid, days in reviews.items()},
        unplanned=unplanned, left_due=left_due,
        recall_at_exam=_mean(recall_after), recall_without=_mean(recall_now),
        minutes_per_day=minutes_per_day, seconds_per_review=seconds,
    )


def _spread(reviews: dict[str, list[date]], flexible: dict[str, list[date]], span: list[date]) -> None:
    """Put each flexible last review on the latest of its days that is not swamped (holds fewer than
    SWAMP times the plan's mean reviews a day), else on the least loaded: late reviews leave the most on
    the exam day, and the last days still do not pile up."""
    load = {d: 0 for d in span}
    for qid, days in reviews.items():
        for d in (days[:-1] if qid in flexible else days):
            load[d] += 1
    total = sum(len(days) for days in reviews.values())
    cap = max(1, math.ceil(SWAMP * total / max(1, len(span))))
    for qid in sorted(flexible, key=lambda q: (len(flexible[q]), q)):
        options = sorted(flexible[qid], reverse=True)
        best = next((d for d in options if load[d] < cap), None) or min(options, key=lambda d: (load[d], -d.toordinal()))
        reviews[qid][-1] = best
        load[best] += 1


def _fit(reviews: dict[str, list[date]], span: list[date], capacity: int) -> int:
    """Keep each day within `capacity` reviews: the excess moves to earlier days first (reviewing early is
    safe), then, for a backlog on the first days, to later ones (before the card's next review); returns
    how many fit nowhere (they stay put, and the plan says so)."""
    index = {d: i for i, d in enumerate(span)}
    slots: dict[date, list[tuple[str, int]]] = {d: [] for d in span}
    for qid, days in reviews.items():
        for k, d in enumerate(days):
            if d in slots:
                slots[d].append((qid, k))

    def earlier(d: date, qid: str, k: int) -> list[date]:
        floor = reviews[qid][k - 1] + timedelta(days=1) if k > 0 else span[0]
        return [e for e in reversed(span[: index[d]]) if e >= floor]

    def later(d: date, qid: str, k: int) -> list[date]:
        ceiling = reviews[qid][k + 1] - timedelta(days=1) if k + 1 < len(reviews[qid]) else span[-1]
        return [e for e in span[index[d] + 1:] if e <= ceiling]

    for days, options in ((list(reversed(span)), earlier), (span, later)):
        for d in days:
            for qid, k in list(reversed(slots[d])):
                if len(slots[d]) <= capacity:
                    break
                target = next((e for e in options(d, qid, k) if len(slots[e]) < capacity), None)
                if target is not None:
                    slots[d].remove((qid, k))
                    slots[target].append((qid, k))
                    reviews[qid][k] = target
    return sum(max(0, len(s) - capacity) for s in slots.values())


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


# -- what to review now -------------------------------------------------------------------------------


def plan_for(store: Store, now: datetime | None = None) -> Plan | None:
    """The stored exam date's plan (None without a date, or once the exam day has come)."""
    settings = load_settings(store)
    now = utc(now)
    if settings.exam_date is None or settings.exam_date <= now.date():
        return None
    return make_plan(store.cards(), settings.exam_date, now, minutes_per_day=settings.minutes_per_day,
                     seconds=seconds_per_review(store))


def due_ids(store: Store, now: datetime | None = None) -> list[str]:
    """The questions to review now: plain FSRS's due cards (most overdue first) without an exam date; with
    one, the plan's reviews for today (FSRS's due cards, overdue ones spread, and final reviews)."""
    now = utc(now)
    plan = plan_for(store, now)
    plain = store.due_ids(now)
    if plan is None:
        return plain
    today = plan.today()
    due = store.due_times()
    return [q for q in plain if q in today] + sorted((q for q in today if q not in set(plain)), key=lambda q: (due.get(q, now), q))
