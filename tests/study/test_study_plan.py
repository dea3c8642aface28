"""The exam-date plan (tutor.study.plan): 30 daily entries for an exam 30 days out, nothing left due at the
exam, the last days not swamped, minutes per day respected, review unchanged without a date, and the
simulated learner of the benchmark ahead of plain FSRS at equal reviews (small, fixed seeds)."""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, timedelta

import pytest

from tutor.study import plan, scheduler
from tutor.study.plan import (
    FINAL_WINDOW,
    PlanError,
    follow,
    load_settings,
    make_plan,
    save_settings,
)

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
EXAM = date(2027, 1, 6)  # 30 days after NOW's date


def cards(n: int = 80, seed: int = 1) -> dict:
    """Cards with varied histories over the last three weeks, some overdue."""
    rng = random.Random(seed)
    out = {}
    for i in range(n):
        card, when = None, NOW - timedelta(days=rng.randrange(1, 22))
        for _ in range(rng.randrange(1, 4)):
            card = scheduler.review(card, rng.random() < 0.8, when)
            when = max(card.due, when + timedelta(minutes=10))
            if when > NOW:
                break
        out[f"q{i:02d}"] = card
    return out


def test_thirty_days_out_gives_thirty_daily_entries_and_nothing_left_due():
    deck = cards()
    p = make_plan(deck, EXAM, NOW)
    assert len(p.days) == 30 and len(p.to_json()) == 30
    assert [d.day for d in p.days] == [NOW.date() + timedelta(days=i) for i in range(30)]
    assert p.left_due == 0 and p.unplanned == 0
    exam = plan.exam_moment(EXAM)
    for qid, card in deck.items():  # following the plan, no card falls due before the exam unreviewed
        days = p.reviews.get(qid, ())
        assert all(NOW.date() <= d < EXAM for d in days)
        assert follow(card, days).due >= exam
    # overdue cards are reviewed today, unless their recall still allows waiting for a review nearer the exam
    overdue = [q for q, c in deck.items() if c.due <= NOW]
    assert overdue and all(p.reviews[q][0] == NOW.date() or plan.recall_at(deck[q], NOW) >= plan.POSTPONE_FLOOR
                           for q in overdue)
    assert p.total == sum(len(v) for v in p.reviews.values())
    assert p.recall_at_exam > p.recall_without and p.recall_at_exam >= 0.9


def test_the_last_days_are_not_swamped():
    for seed, n in ((1, 80), (2, 200), (3, 120)):
        p = make_plan(cards(n, seed=seed), EXAM, NOW)
        cap = math.ceil(plan.SWAMP * p.total / len(p.days))
        assert max(d.due for d in p.days[-FINAL_WINDOW:]) <= cap
        assert sum(d.final for d in p.days) > 0 and all(d.final == 0 for d in p.days[:-FINAL_WINDOW])


def test_minutes_per_day_cap_each_day_and_what_does_not_fit_is_said():
    deck = cards(120, seed=3)
    roomy = make_plan(deck, EXAM, NOW, minutes_per_day=30, seconds=60)
    assert max(d.due for d in roomy.days) <= 30 and roomy.unplanned == 0
    assert roomy.total == make_plan(deck, EXAM, NOW).total
    tight = make_plan(deck, EXAM, NOW, minutes_per_day=2, seconds=60)
    assert tight.unplanned > 0


def test_without_an_exam_date_review_is_plain_fsrs(store):
    t0 = NOW - timedelta(days=10)
    for i in range(5):
        store.record_answer(f"q{i}", ["A"], i % 2 == 0, mode="practice", now=t0 + timedelta(days=i))
    assert plan.plan_for(store, NOW) is None
    assert plan.due_ids(store, NOW) == store.due_ids(NOW)


def test_with_an_exam_date_review_follows_the_plan(store):
    t0 = NOW - timedelta(days=3)
    for i in range(6):
        store.record_answer(f"q{i}", ["A"], True, mode="practice", now=t0)
    save_settings(store, NOW.date() + timedelta(days=2), today=NOW.date())
    p = plan.plan_for(store, NOW)
    assert len(p.days) == 2 and p.left_due == 0
    due = plan.due_ids(store, NOW)
    assert set(store.due_ids(NOW)) == {f"q{i}" for i in range(6)}
    # due now, but recall is still above the floor: the last review before the exam waits for tomorrow
    assert due == sorted(p.today()) == [] and p.days[1].due == 6


def test_settings_are_stored_and_checked(store):
    assert load_settings(store).exam_date is None and load_settings(store).pass_mark == 0.72
    saved = save_settings(store, EXAM, 25, 0.8, today=NOW.date())
    assert (saved.exam_date, saved.minutes_per_day, saved.pass_mark) == (EXAM, 25, 0.8)
    assert save_settings(store, minutes_per_day=40, today=NOW.date()).exam_date == EXAM  # the rest is kept
    for bad in ({"exam_date": NOW.date()}, {"exam_date": date(2100, 1, 1)}, {"minutes_per_day": 0}, {"pass_mark": 1.5}):
        with pytest.raises(PlanError):
            save_settings(store, **bad, today=NOW.date())
    with pytest.raises(PlanError, match="YYYY-MM-DD"):
        plan.parse_date("6 Jan")
    store.set_setting("exam_date", "not a date")
    assert load_settings(store).exam_date is None  # an unreadable value is no date, not a crash


def test_a_simulated_learner_following_the_plan_beats_plain_fsrs_at_equal_reviews():
    """The benchmark's comparison on 2 learners (fixed seeds): the plan's recall on the exam day is higher
    than plain FSRS's at the desired retention that spends as many reviews."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_exam_plan.py"
    spec = importlib.util.spec_from_file_location("bench_exam_plan", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    plan_recall, plan_reviews = bench.run("plan", 2, seed=7)
    _, eq_recall, eq_reviews = bench.matched(plan_reviews, 2, seed=7)
    assert abs(eq_reviews - plan_reviews) / plan_reviews < 0.02
    assert plan_recall > eq_recall
