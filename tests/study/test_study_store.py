"""The progress store: schema and migrations, FSRS updates, crash safety, two writers at once."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fsrs import State

from tutor import paths
from tutor.study import scheduler
from tutor.study.store import MIGRATIONS, SCHEMA_VERSION, Store, StoreError, migrate

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
ROOT = Path(__file__).resolve().parents[2]


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


# -- schema -------------------------------------------------------------------------------------------


def test_default_location_follows_tutor_home(tutor_home):
    with Store() as store:
        assert store.path == paths.database_path() == tutor_home / "tutor.sqlite3"
        store.record_answer("q1", ["A"], True, mode="practice", now=T0)
    assert (tutor_home / "tutor.sqlite3").is_file()


def test_create_has_current_schema_in_wal_mode(tmp_path):
    path = tmp_path / "p.sqlite3"
    with Store(path) as store:
        assert store.version == SCHEMA_VERSION == len(MIGRATIONS)
        assert store.found_version == 0
        assert store._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store._conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert user_version(path) == SCHEMA_VERSION
    assert {"attempts", "cards", "exams"} <= tables(path)
    assert "lab_runs" in tables(path)


def test_migrates_a_version_1_store_and_keeps_its_data(tmp_path):
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, MIGRATIONS[:1])  # what the first release would have written
    conn.execute(
        "INSERT INTO attempts (question_id, chosen, correct, mode, seconds, answered_at) VALUES (?, ?, ?, ?, ?, ?)",
        ("old-q", '["A"]', 1, "practice", 3.5, T0.isoformat(timespec="microseconds")),
    )
    conn.close()
    assert user_version(path) == 1 and "exams" not in tables(path)

    with Store(path) as store:
        assert store.found_version == 1
        assert [a.question_id for a in store.attempts()] == ["old-q"]
        assert store.attempts()[0].seconds == 3.5
        assert store.exams() == []  # the table the upgrade added works
    assert user_version(path) == SCHEMA_VERSION
    assert "exams" in tables(path)


def test_migrates_a_version_3_store_to_keep_the_displayed_order(tmp_path):
    path = tmp_path / "v3.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, MIGRATIONS[:3])  # before options were shuffled
    conn.execute(
        "INSERT INTO attempts (question_id, chosen, correct, mode, seconds, answered_at) VALUES (?, ?, ?, ?, ?, ?)",
        ("old-q", '["A"]', 1, "practice", 3.5, T0.isoformat(timespec="microseconds")),
    )
    conn.close()
    with Store(path) as store:
        assert store.found_version == 3
        store.record_answer("new-q", ["B"], False, mode="exam", now=T0, shown=["C", "B", "A"])
        old, new = store.attempts()
        assert old.shown is None  # not known for answers stored before
        assert new.shown == ("C", "B", "A") and new.chosen == {"B"}


def test_refuses_a_store_from_a_newer_tutor(tmp_path):
    path = tmp_path / "new.sqlite3"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match=rf"schema version {SCHEMA_VERSION + 1}.*only knows up to {SCHEMA_VERSION}"):
        Store(path)
    assert user_version(path) == SCHEMA_VERSION + 1  # left untouched


def test_refuses_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not a usable progress database"):
        Store(path)


# -- answers and cards --------------------------------------------------------------------------------


def test_record_answer_stores_attempt_and_card(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        store.record_answer("q1", ["B", "A"], False, mode="practice", seconds=4.25, now=T0)
        store.record_answer("q1", {"A"}, True, mode="review", now=T0 + timedelta(minutes=11))
        store.record_answer("q2", ("C",), True, mode="exam", now=T0)
        first, second = store.attempts("q1")
        assert (first.chosen, first.correct, first.mode, first.seconds, first.answered_at) == (frozenset("AB"), False, "practice", 4.25, T0)
        assert (second.chosen, second.correct, second.mode, second.seconds) == (frozenset("A"), True, "review", None)
        assert len(store.attempts()) == 3
        assert store.seen_ids() == {"q1", "q2"}
        assert store.miss_counts() == {"q1": 1}
        card = store.card("q1")
        assert card.last_review == T0 + timedelta(minutes=11)
        assert store.card("never") is None
        assert set(store.cards()) == {"q1", "q2"}
        with pytest.raises(ValueError, match="mode"):
            store.record_answer("q1", ["A"], True, mode="cram")
        assert len(store.attempts()) == 3


def test_due_ids_most_overdue_first(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        store.record_answer("late", ["A"], False, mode="practice", now=T0)  # due T0+10min
        store.record_answer("later", ["A"], False, mode="practice", now=T0 + timedelta(minutes=5))  # due T0+15min
        store.record_answer("known", ["A"], True, mode="practice", now=T0)  # due in days
        assert store.due_ids(T0) == []
        assert store.due_ids(T0 + timedelta(minutes=12)) == ["late"]
        assert store.due_ids(T0 + timedelta(hours=1)) == ["late", "later"]
        assert store.due_ids(T0 + timedelta(days=30)) == ["late", "later", "known"]
        assert store.due_times()["known"] > T0 + timedelta(days=1)


def test_batch_is_all_or_nothing(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        with pytest.raises(RuntimeError):
            with store.batch():
                store.record_answer("q1", ["A"], True, mode="exam", now=T0)
                raise RuntimeError("crash mid-exam")
        assert store.attempts() == [] and store.card("q1") is None
        with store.batch():
            store.record_answer("q1", ["A"], True, mode="exam", now=T0)
            store.record_answer("q2", ["A"], True, mode="exam", now=T0)
        assert store.seen_ids() == {"q1", "q2"}


# -- scheduler ----------------------------------------------------------------------------------------


def test_right_rates_good_and_comes_back_later_wrong_rates_again_and_comes_back_soon():
    right = scheduler.review(None, True, T0)
    wrong = scheduler.review(None, False, T0)
    assert right.due - T0 >= timedelta(days=1)
    assert right.state == State.Review
    assert wrong.due - T0 == timedelta(minutes=10)
    assert wrong.due < right.due
    # deterministic (no fuzzing): the same history gives the same card
    assert scheduler.review(None, True, T0).due == right.due
    # a known question missed later lapses to a short relearning step
    later = right.due + timedelta(hours=1)
    lapsed = scheduler.review(right, False, later)
    assert lapsed.state == State.Relearning and lapsed.due - later == timedelta(minutes=10)
    again_right = scheduler.review(right, True, later)
    assert again_right.due - later > right.due - T0  # a second success spaces it further
    assert scheduler.retrievability(None, T0) == 0.0
    assert scheduler.retrievability(right, T0) == pytest.approx(1.0)
    assert 0 < scheduler.retrievability(right, T0 + timedelta(days=60)) < 0.9


def test_naive_now_is_taken_as_utc():
    assert scheduler.utc(datetime(2026, 3, 1, 9, 0)) == T0
    assert scheduler.utc(T0.astimezone(timezone(timedelta(hours=9)))).tzinfo == timezone.utc


# -- crash safety and concurrency -----------------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from tutor.study.store import Store
    path, name, n, peers = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4:]
    with Store(path) as store:
        # start line: wait until every peer has opened the store too, so the writes really overlap
        (path.parent / f"ready-{name}").touch()
        deadline = time.time() + 60
        while not all((path.parent / f"ready-{p}").exists() for p in peers) and time.time() < deadline:
            time.sleep(0.001)
        for i in range(n):
            store.record_answer(f"{name}-{i % 7}", ["A"], i % 3 != 0, mode="practice", seconds=0.1)
            print(i, flush=True)
    """
)


def _writer(path: Path, name: str, n: int, peers: tuple[str, ...] = ()) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), name, str(n), *peers],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_killing_the_process_loses_at_most_the_answer_in_flight(tmp_path):
    path = tmp_path / "crash.sqlite3"
    proc = _writer(path, "q", 100_000)
    committed = -1
    for line in proc.stdout:
        committed = int(line)
        if committed >= 150:
            break
    os.kill(proc.pid, signal.SIGKILL)
    rest = proc.stdout.read().split()  # what it printed between our reading and the kill
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    committed = int(rest[-1]) if rest else committed

    with Store(path) as store:  # opens cleanly (WAL recovery) ...
        assert store._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        attempts = store.attempts()
        # ... with every answer the writer saw committed (0..committed), plus at most the one whose
        # commit finished but whose print did not
        assert committed + 1 <= len(attempts) <= committed + 2
        assert [a.id for a in attempts] == sorted({a.id for a in attempts})
        # each attempt and its card update went in together: every card was last reviewed at its
        # question's latest answer
        latest = {a.question_id: a.answered_at for a in attempts}
        assert {qid: store.card(qid).last_review for qid in latest} == latest
        store.record_answer("after", ["A"], True, mode="practice")  # and it takes new answers
    assert len(Store(path).attempts()) == len(attempts) + 1


def test_two_writers_at_once_lose_nothing(tmp_path):
    path = tmp_path / "shared.sqlite3"
    names = ("one", "two")
    procs = [_writer(path, name, 200, names) for name in names]
    results = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, results):
        assert proc.returncode == 0, err
        assert out.split()[-1] == "199"
    with Store(path) as store:
        attempts = store.attempts()
        assert len(attempts) == 400
        assert sum(a.question_id.startswith("one-") for a in attempts) == 200
        assert len(store.cards()) == 14
        # the two writers really interleaved (their rows are mixed, not one block after the other)
        owners = [a.question_id.split("-")[0] for a in attempts]
        switches = sum(1 for x, y in zip(owners, owners[1:]) if x != y)
        assert switches >= 1
