"""The progress store under faults: a full disk, a read-only file or file system, damaged pages, another
process holding the write lock. Never a traceback, never a frozen app, at most the answer in flight
waiting in memory, and the database intact (`PRAGMA integrity_check`) afterwards.

Real faults where this machine allows (a tiny tmpfs needs root), else sqlite's own errors injected at
the connection layer."""

from __future__ import annotations

import subprocess
import uuid

import pytest
from support.store import Faulty, intact

from tutor.cli import _unsaved, main
from tutor.study.store import INTERACTIVE_BUSY_TIMEOUT_MS, Store, StoreError, answer_record


def answer(store: Store, qid: str) -> bool:
    return store.save(answer_record(qid, ["A"], True, mode="practice")) is not None


@pytest.fixture
def tmpfs(tmp_path):
    """A 256 KiB file system of its own (root only), unmounted afterwards: room for the schema (v5) and its log."""
    where = tmp_path / "small"
    where.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(where)], capture_output=True).returncode:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def _fill(folder) -> None:
    with open(folder / "filler", "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"x" * 4096)
        except OSError:
            pass


# -- a full disk ----------------------------------------------------------------------------------


def test_full_disk_for_real_keeps_the_answer_in_memory_and_the_file_intact(tmpfs):
    path = tmpfs / "tutor.sqlite3"
    store = Store(path, interactive=True)
    assert answer(store, "before")
    _fill(tmpfs)
    saved = 0
    for i in range(2000):  # the WAL has some room left; write until the disk refuses
        if not answer(store, f"q{i}-" + uuid.uuid4().hex * 4):
            break
        saved += 1
    else:
        pytest.fail("the disk never filled up")
    assert len(store.pending) == 1 and "disk is full" in store.last_error
    assert len(store.attempts()) == 1 + saved  # everything before the answer in flight is there
    (tmpfs / "filler").unlink()
    assert store.retry_pending() == 0 and len(store.attempts()) == 2 + saved
    store.close()
    assert intact(path)


@pytest.mark.parametrize("when", ["INSERT", "COMMIT"])
def test_full_disk_injected_rolls_back_and_retries(tmp_path, when):
    path = tmp_path / "tutor.sqlite3"
    store = Store(path, interactive=True)
    assert answer(store, "first")
    store._conn = faulty = Faulty(store._conn, when, "database or disk is full")
    assert not answer(store, "second")
    assert not answer(store, "third")  # queued behind the second: order is kept
    assert [p.what for p in store.pending] == ["answer", "answer"] and "the disk is full" in store.last_error
    assert [a.question_id for a in store.attempts()] == ["first"]  # nothing half-written
    assert store.card("second") is None
    faulty.armed = False
    assert store.retry_pending() == 0
    assert [a.question_id for a in store.attempts()] == ["first", "second", "third"]
    assert store.card("second") is not None
    store.close()
    assert intact(path)


# -- read-only ------------------------------------------------------------------------------------


def test_read_only_database_injected_tells_why(tmp_path):
    store = Store(tmp_path / "tutor.sqlite3", interactive=True)
    store._conn = Faulty(store._conn, "BEGIN", "attempt to write a readonly database")
    assert not answer(store, "q")
    assert "read-only" in store.last_error
    assert _unsaved(store) == 1  # `tutor quiz` then exits 1 with one line
    store.close()


def test_read_only_file_system_stops_quiz_and_stats_with_one_line(tmpfs, monkeypatch, capsys):
    home = tmpfs / "home"
    home.mkdir()
    with Store(home / "tutor.sqlite3") as store:
        store.record_answer("q", ["A"], True, mode="practice")
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    monkeypatch.setenv("TUTOR_HOME", str(home))
    for command in (["quiz"], ["stats"]):
        assert main(command) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("tutor: ") and "read-only" in err[0], err


def test_unsaved_answers_at_exit_are_said_and_exit_nonzero(tmp_path, capsys):
    store = Store(tmp_path / "tutor.sqlite3", interactive=True)
    store._conn = faulty = Faulty(store._conn, "BEGIN", "database or disk is full")
    answer(store, "q")
    assert _unsaved(store) == 1
    assert capsys.readouterr().err.strip() == f"tutor: 1 answer(s) could not be saved: {store.last_error}"
    faulty.armed = False
    assert _unsaved(store) == 0 and len(store.attempts()) == 1  # the last try at exit saves it
    store.close()


# -- damaged pages --------------------------------------------------------------------------------


def _damage(path) -> None:
    with Store(path) as store:
        for i in range(300):
            store.record_answer(f"question-{i}-" + "x" * 40, ["A"], i % 2 == 0, mode="practice")
        store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 6 * page
    data[3 * page : 5 * page] = bytes(range(256)) * (2 * page // 256)
    path.write_bytes(bytes(data))


def test_damaged_database_is_refused_at_open(tmp_path):
    path = tmp_path / "tutor.sqlite3"
    _damage(path)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="damaged") as info:
        Store(path)
    assert "move the file aside" in str(info.value)
    assert path.read_bytes() == before  # we did not write into it


def test_damaged_database_stops_quiz_and_stats_with_one_line(tutor_home, capsys):
    tutor_home.mkdir(parents=True, exist_ok=True)
    _damage(tutor_home / "tutor.sqlite3")
    for command in (["quiz"], ["stats"]):
        assert main(command) == 1
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "damaged" in err[0] and "Traceback" not in err[0]


def test_a_failing_read_is_a_store_error(tmp_path):
    store = Store(tmp_path / "tutor.sqlite3")
    store._conn = Faulty(store._conn, "SELECT", "database disk image is malformed")
    with pytest.raises(StoreError, match="damaged"):
        store.seen_ids()
    store.close()


# -- another process holds the write lock ---------------------------------------------------------

def test_interactive_store_does_not_wait_for_another_writer(locked_by_another_process):
    path, release = locked_by_another_process
    store = Store(path, interactive=True)
    assert store._conn.execute("PRAGMA busy_timeout").fetchone()[0] == INTERACTIVE_BUSY_TIMEOUT_MS
    assert store.retries == 0  # one short try, no 30 s of retries on the UI thread
    assert not answer(store, "q")
    assert "another tutor process" in store.last_error
    assert store.seen_ids() == set()  # reading still works while the other process writes
    release()
    assert store.retry_pending() == 0 and store.seen_ids() == {"q"}
    store.close()
    assert intact(path)


def test_sessions_keep_refused_answers_and_exams_for_a_retry(tiny_bank, tmp_path):
    from tutor.study.sessions import ExamSession, PracticeSession

    path = tmp_path / "tutor.sqlite3"
    store = Store(path, interactive=True)
    store._conn = faulty = Faulty(store._conn, "BEGIN", "database or disk is full")
    practice = PracticeSession(tiny_bank, store, topic="beta", seed=1)
    question = practice.current
    feedback = practice.submit([question.options[0].key])
    assert not feedback.saved and practice.answered == 1  # the learner still gets the feedback
    exam = ExamSession(tiny_bank, store, count=2, minutes=5, seed=1)
    for q in exam.questions:
        exam.choose(q.id, [q.options[0].key])
    report = exam.finish()
    assert not report.saved and report.exam_id is None and len(store.pending) == 2
    faulty.armed = False
    assert store.retry_pending() == 0
    [stored] = store.exams()  # the queued record itself was written: the same report, the same moment
    assert stored.report == report.to_dict() and stored.finished_at == report.finished_at
    assert [a.mode for a in store.attempts()] == ["practice", "exam", "exam"]
    store.close()
    assert intact(path)
