"""Undo of the last answer within a session (issue 26): the attempt deleted, the FSRS card restored exactly."""

from __future__ import annotations

import random

from support.app import days_ago

from tutor.study.sessions import PracticeSession, ReviewSession


def test_undo_restores_the_card_and_takes_the_answer_back(tiny_bank, store):
    store.record_answer("alpha-single", {"B"}, True, mode="practice", now=days_ago(5))
    before = store.card("alpha-single").to_json()
    session = PracticeSession(tiny_bank, store, topic="alpha", rng=random.Random(1))
    while session.current.id != "alpha-single":
        session.submit(sorted(session.current.answers))
        session.advance()
    position, attempts = session.position, len(store.attempts())
    feedback = session.submit({"A"})
    assert not feedback.correct and store.card("alpha-single").to_json() != before
    assert session.can_undo
    assert session.undo().id == "alpha-single"
    assert store.card("alpha-single").to_json() == before
    assert len(store.attempts()) == attempts
    assert session.position == position and session.feedback is None and session.current.id == "alpha-single"
    assert session.missed == [] and not session.can_undo and session.undo() is None


def test_undo_of_a_first_answer_leaves_no_card(tiny_bank, store):
    session = PracticeSession(tiny_bank, store, rng=random.Random(0))
    qid = session.current.id
    session.submit(sorted(session.current.answers))
    session.advance()  # undo also works once the next question is up
    assert session.undo().id == qid
    assert store.card(qid) is None and store.attempts() == []
    assert (session.answered, session.correct_count, session.position) == (0, 0, 0)


def test_review_undo_puts_the_card_back_due(tiny_bank, store):
    store.record_answer("beta-tf", {"F"}, False, mode="practice", now=days_ago(2))
    session = ReviewSession(tiny_bank, store)
    assert session.current.id == "beta-tf"
    session.submit(sorted(session.current.answers))
    assert "beta-tf" not in store.due_ids()
    session.undo()
    assert "beta-tf" in store.due_ids()
