"""Readiness (tutor.study.readiness): a predicted full-mock score with an interval, per topic, and a pass
probability, back-tested on simulated learners whose true recall is known (fixed seeds)."""

from __future__ import annotations

import statistics
from datetime import timedelta

from support.tutoring import T0

from tutor.study.readiness import FULL_MOCK, Item, guess_chance, predict, readiness
from tutor.study.simulate import backtest


def test_intervals_cover_simulated_learners_mock_scores_at_about_their_rate():
    results = backtest(80, seed=11)
    coverage = sum(p.low <= actual <= p.high for p, actual in results) / len(results)
    bias = statistics.fmean(p.score - actual for p, actual in results)
    error = statistics.fmean(abs(p.score - actual) for p, actual in results)
    assert 0.8 <= coverage <= 0.98, coverage  # stated 90 %; 80 learners: +-0.07 is two standard errors
    assert abs(bias) < 2.0 and error < 6.0
    assert all(p.count == FULL_MOCK and len(p.topics) == 8 for p, _ in results)
    # the prediction tracks the truth across learners (it is not one number for everyone)
    assert statistics.correlation([p.score for p, _ in results], [a for _, a in results]) > 0.7


def test_pass_probability_follows_the_pass_mark():
    pool = [Item(f"q{i}", "t", 0.25) for i in range(100)]
    strong = predict(pool, {}, (90, 10), T0, pass_mark=0.72)
    weak = predict(pool, {}, (30, 70), T0, pass_mark=0.72)
    assert strong.pass_probability > 0.9 and weak.pass_probability < 0.1
    assert strong.low <= strong.score <= strong.high and strong.count == 65
    assert predict(pool, {}, (90, 10), T0, pass_mark=0.95).pass_probability < strong.pass_probability


def test_others_facility_shifts_unseen_questions():
    pool = [Item("easy-one", "t", 0.25), Item("hard-one", "t", 0.25)]
    r = predict(pool, {}, (5, 5), T0, count=1, others={"easy-one": 0.9, "hard-one": 0.3}, draws=4000)
    alone = predict(pool, {}, (5, 5), T0, count=1, draws=4000)
    assert abs(r.score - alone.score) < 8  # one of the two is drawn: the shifts roughly cancel on average
    only_hard = predict([pool[1]], {}, (5, 5), T0, count=1, others={"easy-one": 0.9, "hard-one": 0.3})
    only_easy = predict([pool[0]], {}, (5, 5), T0, count=1, others={"easy-one": 0.9, "hard-one": 0.3})
    assert only_easy.score > only_hard.score


def test_guess_chance():
    assert guess_chance(4, 1) == 0.25 and guess_chance(4, 2) == 1 / 6 and guess_chance(2, 1) == 0.5


def test_readiness_from_the_store_and_recall_fading(misconception_bank, store):
    for i, qid in enumerate(misconception_bank.questions):
        store.record_answer(qid, ["B"], True, mode="practice", now=T0 + timedelta(minutes=i))
    soon = readiness(misconception_bank, store, T0 + timedelta(days=1))
    later = readiness(misconception_bank, store, T0 + timedelta(days=60))
    assert soon.seen == soon.total == 6 and soon.count == 6
    assert soon.score > later.score and soon.pass_probability >= later.pass_probability
    assert {t.topic for t in soon.topics} == {"alpha", "beta"}
    assert set(soon.to_json()) >= {"score", "low", "high", "pass_probability"}


def test_history_checks_readiness_against_the_learners_own_exams(misconception_bank, store):
    from tutor.study.readiness import history
    from tutor.study.sessions import ExamSession

    for i, qid in enumerate(misconception_bank.questions):
        store.record_answer(qid, ["B"], i % 3 != 0, mode="practice", now=T0 + timedelta(minutes=i))
    exam = ExamSession(misconception_bank, store, count=6, minutes=10, seed=1, now=T0 + timedelta(days=3))
    for q in exam.questions:
        exam.choose(q.id, ["B"])
    report = exam.finish(now=T0 + timedelta(days=3, minutes=5))
    checks = history(misconception_bank, store)
    assert len(checks) == 1 and checks[0].actual == report.percent == 100.0
    assert checks[0].count == 6 and checks[0].low <= checks[0].predicted <= checks[0].high
