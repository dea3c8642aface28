"""The misconception profile (tutor.study.profile): who keeps choosing one misconception's distractors sees
it first, also when the answers come in through an import; it fades once its questions are answered right;
confident wrong answers weigh more; review and practice use it; leeches offer their lab and misconception."""

from __future__ import annotations

from datetime import timedelta

import pytest
from support.tutoring import T0, key_of

from tutor.study.focus import FocusedReview, MisconceptionPractice, review_ids
from tutor.study.leeches import leech_action, leech_actions
from tutor.study.profile import HALF_LIFE_DAYS, build, profile
from tutor.study.store import answer_record

HELD = "bigger-is-better"


def choose_held(bank, store, days: int = 8):
    """Each day, one question offering HELD answered with HELD's distractor."""
    ids = [q for q in bank.questions if any(o.misconception == HELD for o in bank.questions[q].options)]
    for day in range(days):
        qid = ids[day % len(ids)]
        store.record_answer(qid, [key_of(bank, qid, HELD)], False, mode="practice", now=T0 + timedelta(days=day))
    return ids


def test_a_learner_who_keeps_choosing_one_misconception_sees_it_first(misconception_bank, store):
    ids = choose_held(misconception_bank, store)
    store.record_answer("a1", ["B"], True, mode="practice", now=T0 + timedelta(days=8))
    store.record_answer("b2", ["A"], False, mode="practice", now=T0 + timedelta(days=8))  # another one, once
    prof = profile(misconception_bank, store, T0 + timedelta(days=9))
    top = prof.held[0]
    assert top.id == HELD and top.held and top.lab == "demo-lab"
    assert [m.id for m in prof.held] == [HELD]  # one slip is not a held misconception
    assert top.evidence.chosen == 8 and top.evidence.offered == 9
    assert top.evidence.chosen_questions == 4 and top.evidence.offered_questions == 4
    assert top.evidence.text("en") == "chose it in 4 of 4 questions that offered it, last on 8 Dec"
    assert top.evidence.text("ko") == "이 오개념이 담긴 문항 4개 중 4개에서 골랐음, 마지막으로 12월 8일"
    assert top.questions == tuple(ids) == ("a1", "a2", "a3", "b1")
    assert top.to_json()["last_seen"].startswith("2026-12-08")


def test_answers_imported_as_records_give_the_same_profile(misconception_bank, store, tmp_path):
    """xAPI import lands answers through Store.merge_answers: the profile reads them like typed ones."""
    from tutor.study.store import Store

    ids = choose_held(misconception_bank, store)
    records = [answer_record(a.question_id, a.chosen, a.correct, mode=a.mode, now=a.answered_at) for a in store.attempts()]
    with Store(tmp_path / "other.sqlite3") as other:
        assert other.merge_answers(records) == len(records)
        theirs = profile(misconception_bank, other, T0 + timedelta(days=9))
    ours = profile(misconception_bank, store, T0 + timedelta(days=9))
    assert [(m.id, round(m.likelihood, 9)) for m in theirs.entries] == [(m.id, round(m.likelihood, 9)) for m in ours.entries]
    assert theirs.held[0].id == HELD and len(ids) == 4


def test_it_fades_after_its_questions_are_answered_right_for_a_while(misconception_bank, store):
    ids = choose_held(misconception_bank, store)
    start = T0 + timedelta(days=8)
    assert profile(misconception_bank, store, start).held[0].id == HELD
    for week in range(6):  # six weeks of right answers to its questions, one a day
        for day in range(7):
            qid = ids[(week * 7 + day) % len(ids)]
            store.record_answer(qid, ["B"], True, mode="review", now=start + timedelta(days=week * 7 + day))
    later = profile(misconception_bank, store, start + timedelta(days=42))
    entry = later.get(HELD)
    assert not entry.held and HELD not in [m.id for m in later.held]
    assert entry.likelihood < 0.15  # below the blind-choice rate (0.25): faded
    assert entry.evidence.chosen == 8  # the evidence line still tells the history


def test_old_choices_decay_by_the_half_life(misconception_bank, store):
    choose_held(misconception_bank, store, days=4)
    fresh = profile(misconception_bank, store, T0 + timedelta(days=4)).get(HELD)
    old = profile(misconception_bank, store, T0 + timedelta(days=4 + 3 * HALF_LIFE_DAYS)).get(HELD)
    assert old.likelihood < fresh.likelihood and old.alpha - 1 == pytest.approx((fresh.alpha - 1) / 8, rel=1e-6)


def test_a_confident_wrong_answer_counts_more_than_a_guess(misconception_bank):
    from tutor.study.store import Attempt

    def attempts(confidence):
        return [Attempt(i, qid, frozenset({"A"}), False, "practice", None, T0, confidence=confidence)
                for i, qid in enumerate(["a1", "a2"])]

    sure = build(misconception_bank, attempts("sure"), T0).get(HELD)
    guessed = build(misconception_bank, attempts("guessing"), T0).get(HELD)
    plain = build(misconception_bank, attempts(None), T0).get(HELD)
    assert sure.likelihood > plain.likelihood > guessed.likelihood
    assert sure.evidence.confident_wrong == 2 and guessed.evidence.confident_wrong == 0


def test_confidence_is_stored_with_the_answer_and_checked(store):
    store.record_answer("a1", ["A"], False, mode="practice", now=T0, confidence="sure")
    store.record_answer("a1", ["B"], True, mode="practice", now=T0 + timedelta(minutes=20))
    assert [a.confidence for a in store.attempts()] == ["sure", None]
    with pytest.raises(ValueError, match="confidence"):
        answer_record("a1", ["A"], False, mode="practice", confidence="certain")


def test_review_puts_questions_on_held_misconceptions_first(misconception_bank, store):
    bank = misconception_bank
    for day, qid in enumerate(["b2", "b3", "a1"]):  # b2, b3 right; a1 with another misconception's distractor
        store.record_answer(qid, ["B"], True, mode="practice", now=T0 + timedelta(days=day))
    for day in range(3):  # the held one: chosen in b1 three days running
        store.record_answer("b1", [key_of(bank, "b1", HELD)], False, mode="practice", now=T0 + timedelta(days=3 + day))
    store.record_answer("a2", [key_of(bank, "a2", HELD)], False, mode="practice", now=T0 + timedelta(days=6))
    now = T0 + timedelta(days=12)
    plain = store.due_ids(now)
    ordered = review_ids(bank, store, now)
    targets = {"a1", "a2", "a3", "b1"}
    assert set(plain) == {"a1", "a2", "b1", "b2", "b3"}
    assert ordered == [q for q in plain if q in targets] + [q for q in plain if q not in targets]
    session = FocusedReview(bank, store, now)
    assert [q.id for q in session.order] == ordered


def test_practice_on_one_misconception(misconception_bank, store):
    store.record_answer("b2", ["B"], True, mode="practice", now=T0)
    session = MisconceptionPractice(misconception_bank, store, "frozen-means-useless", seed=1)
    assert [q.id for q in session.order] == ["b3", "b2"]  # the questions offering it, unseen first
    feedback = session.submit(["D"], now=T0, confidence="guessing")
    assert store.attempts()[-1].confidence == "guessing" and feedback.question.id == "b3" and not feedback.correct
    with pytest.raises(ValueError, match="no question offers"):
        MisconceptionPractice(misconception_bank, store, "not-a-misconception")


def test_a_leech_offers_its_lab_and_its_misconception(misconception_bank, store):
    bank = misconception_bank
    for i in range(3):
        store.record_answer("a3", [key_of(bank, "a3", HELD)], False, mode="review", now=T0 + timedelta(hours=i))
    store.record_answer("a3", [key_of(bank, "a3", "dropout-everywhere")], False, mode="review", now=T0 + timedelta(hours=4))
    store.record_answer("a1", ["A"], False, mode="review", now=T0)
    actions = leech_actions(bank, store)
    assert [a.question_id for a in actions] == ["a3"]
    action = leech_action(bank, store, "a3")
    assert action.misses == 4 and action.misconception == HELD and action.lab == "demo-lab"
    assert action.misconceptions == (HELD, "dropout-everywhere") and action.chosen == (3, 1)
    assert leech_action(bank, store, "a1") is None


def test_answers_through_the_xapi_export_and_import_give_the_same_profile(misconception_bank, store, tmp_path):
    """The class issue's real path: statements written by `tutor progress export --xapi`, read back by
    `tutor progress import --xapi` into another learner's store."""
    pytest.importorskip("ralph", reason="xAPI statements are validated with Ralph's models")
    from tutor.study.store import Store
    from tutor.xapi.export import export
    from tutor.xapi.importer import collect, import_answers

    choose_held(misconception_bank, store)
    store.record_answer("b2", ["B"], True, mode="review", now=T0 + timedelta(days=8))
    path = tmp_path / "statements.jsonl"
    assert export(store, misconception_bank, path) == 9
    with Store(tmp_path / "elsewhere.sqlite3") as other:
        outcome = collect([path], misconception_bank)
        added, _, _ = import_answers(other, outcome)
        assert added == 9 and not outcome.problems
        theirs = profile(misconception_bank, other, T0 + timedelta(days=9))
    ours = profile(misconception_bank, store, T0 + timedelta(days=9))
    assert theirs.held[0].id == HELD
    assert [(m.id, m.evidence) for m in theirs.entries] == [(m.id, m.evidence) for m in ours.entries]


def test_the_beta_tail_matches_scipy():
    from scipy.stats import beta

    from tutor.study.profile import beta_sf

    for a, b, x in ((1, 3, 0.25), (2.5, 3.5, 0.25), (9.7, 1, 0.9), (30, 60, 0.3), (1.3, 20, 0.05)):
        assert beta_sf(x, a, b) == pytest.approx(beta.sf(x, a, b), abs=1e-5)
    assert beta_sf(0, 2, 2) == 1.0 and beta_sf(1, 2, 2) == 0.0
