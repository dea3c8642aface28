"""What the learning records need from the progress store (schema v5): a statement id fixed when an answer is
stored, settings (the pseudonym), answers merged from elsewhere with their FSRS cards replayed, and which
statements a learning record store has acknowledged."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime, timedelta, timezone

from tutor.study.records import AnswerRecord
from tutor.study.store import MIGRATIONS, Store, answer_record, migrate

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


def test_a_version_4_store_upgrades_and_its_answers_get_distinct_fixed_uuids(tmp_path):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, MIGRATIONS[:4])
    for i in range(50):
        conn.execute("INSERT INTO attempts (question_id, chosen, correct, mode, answered_at) VALUES (?, '[\"A\"]', 1, 'practice', ?)",
                     (f"q{i}", (T0 + timedelta(minutes=i)).isoformat()))
    conn.close()
    with Store(path) as store:
        assert store.found_version == 4
        ids = [a.statement_id for a in store.attempts()]
    assert len(set(ids)) == 50 and all(uuid.UUID(i).version == 4 for i in ids)
    with Store(path) as store:  # fixed: reopening gives the same ids
        assert [a.statement_id for a in store.attempts()] == ids


def test_the_statement_id_is_fixed_when_the_record_is_made_and_kept_by_a_retry(store):
    record = answer_record("q", ["A"], True, mode="practice", now=T0)
    store.pending.append(record)  # as if the database had refused it once
    assert store.retry_pending() == 0
    assert store.attempts()[0].statement_id == record.statement_id


def test_merge_skips_known_statements_and_replays_cards_in_time_order(tmp_path):
    answers = [answer_record("q", ["A"], ok, mode="review", now=T0 + timedelta(days=d)) for d, ok in ((0, True), (3, False), (4, True), (9, True))]
    with Store(tmp_path / "a.sqlite3") as live:
        for a in answers:
            live.add(a)
        expected = live.cards()["q"].to_json()
    with Store(tmp_path / "b.sqlite3") as other:
        other.add(answers[2])  # this machine already has one of them
        assert other.merge_answers(reversed(answers)) == 3  # out of order in the file: replayed by time
        assert other.cards()["q"].to_json() == expected
        assert other.merge_answers(answers) == 0
        assert len(other.attempts()) == 4 and other.cards()["q"].to_json() == expected


def test_settings_keep_the_first_value_when_asked(store):
    assert store.setting("pseudonym") is None
    assert store.set_setting("pseudonym", "otter-1", keep=True) == "otter-1"
    assert store.set_setting("pseudonym", "otter-2", keep=True) == "otter-1"
    assert store.set_setting("pseudonym", "heron") == "heron" == store.setting("pseudonym")


def test_acknowledged_statements_are_per_endpoint(store):
    recs = [store.add(answer_record(f"q{i}", ["A"], True, mode="practice", now=T0)) for i in range(5)]
    assert len(recs) == 5
    sids = [a.statement_id for a in store.attempts()]
    store.acknowledge("http://a/xAPI/statements", sids[:3])
    store.acknowledge("http://a/xAPI/statements", sids[:1])  # again: harmless
    assert [a.statement_id for a in store.unacknowledged("http://a/xAPI/statements")] == sids[3:]
    assert [a.statement_id for a in store.unacknowledged("http://b/xAPI/statements", limit=2)] == sids[:2]


def test_a_record_built_by_hand_carries_a_uuid():
    rec = AnswerRecord(question_id="q", chosen=frozenset("A"), correct=True, mode="exam", answered_at=T0)
    assert uuid.UUID(rec.statement_id)
