"""The learner's progress in SQLite: every answer, one FSRS card per question, and finished exams.

Where: `paths.database_path()` (the platform's user data directory, or `$TUTOR_HOME`).

Schema: `MIGRATIONS` is an ordered list of steps; step N (1-based) brings a database from
`PRAGMA user_version` N-1 to N. Opening a store applies the missing steps in one transaction, so a
store written by an older tutor is upgraded in place, and one written by a newer tutor (a version this
code does not know) is refused with a `StoreError` rather than misread. To change the schema, append
a step; never edit a released one.

Crash safety: the database runs in WAL mode and every answer is one `BEGIN IMMEDIATE ... COMMIT`
transaction holding both the attempt row and the question's card, so killing the process at any
moment loses at most the answer in flight and never leaves an attempt without its card update.
`synchronous=NORMAL` is durable against a killed process (only an OS crash or power loss can drop
the last commits, and even then the file stays consistent).

Two processes (two app windows, or the app and `tutor stats`) may use one store at once: readers never
block in WAL mode, writers wait for each other through `busy_timeout`, and a write that still finds the
database locked after that is retried a few times before it gives up with a `StoreError`.

Faults (a full disk, a read-only file, damaged pages, another process holding the write lock): every
sqlite error becomes a `StoreError` with a sentence a learner can act on, and a failed transaction is
rolled back, so the file is never left half-written by us. Opening checks the file (`PRAGMA
quick_check`) and refuses a damaged one. The app opens the store with `interactive=True`: a short
busy timeout and no waiting retries, so a locked database never freezes the screen; its writes go
through `save()`, which keeps a write that fails in memory (`pending`) and `retry_pending()` saves it
later, in order (the app retries off the UI thread and says so when an answer is not saved yet).

Writes are records (`tutor.study.records`): `save(record)` or `add(record)`; the retry queue holds the
records themselves. Reads are public methods returning records, so no other module touches the SQL.
"""

from __future__ import annotations

import json
import math
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from fsrs import Card

from tutor.study import scheduler
from tutor.study.records import AnswerRecord, ExamRecord, LabRun, LabRunRecord, Record
from tutor.study.scheduler import utc

MODES = ("practice", "exam", "review")
CONFIDENCES = ("guessing", "fairly_sure", "sure")  # Moodle's certainty-based marking: C1, C2, C3
BUSY_TIMEOUT_MS = 5000
LOCK_RETRIES = 6  # on top of busy_timeout: up to ~30 s of waiting for another writer in all
INTERACTIVE_BUSY_TIMEOUT_MS = 150  # the app: at most this long on the UI thread, then the write waits in memory

# Each step is a list of SQL statements. Append new steps; never edit released ones.
MIGRATIONS: list[list[str]] = [
    # 1: answers and their spaced-repetition cards.
    [
        """CREATE TABLE attempts (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            question_id TEXT    NOT NULL,
            chosen      TEXT    NOT NULL,              -- JSON list of option keys, sorted
            correct     INTEGER NOT NULL CHECK (correct IN (0, 1)),
            mode        TEXT    NOT NULL CHECK (mode IN ('practice', 'exam', 'review')),
            seconds     REAL,                          -- time from showing the question to the answer
            answered_at TEXT    NOT NULL               -- UTC ISO 8601
        )""",
        "CREATE INDEX attempts_question ON attempts (question_id)",
        """CREATE TABLE cards (
            question_id TEXT PRIMARY KEY,
            card        TEXT NOT NULL,                 -- fsrs.Card.to_json()
            due         TEXT NOT NULL,                 -- UTC ISO 8601, copied from the card for queries
            updated_at  TEXT NOT NULL
        )""",
        "CREATE INDEX cards_due ON cards (due)",
    ],
    # 2: finished exams (mock tests) with their full report.
    [
        """CREATE TABLE exams (
            id          INTEGER PRIMARY KEY AUTOINCREMENT,
            started_at  TEXT    NOT NULL,
            finished_at TEXT    NOT NULL,
            count       INTEGER NOT NULL,
            minutes     REAL    NOT NULL,
            score       INTEGER NOT NULL,
            report      TEXT    NOT NULL               -- ExamReport.to_dict() as JSON
        )""",
        "CREATE INDEX attempts_answered_at ON attempts (answered_at)",
    ],
    # 3: lab runs (from `tutor lab` or the app), with the learner's prediction when one was made.
    [
        """CREATE TABLE lab_runs (
            id                INTEGER PRIMARY KEY AUTOINCREMENT,
            lab_id            TEXT    NOT NULL,
            spec_hash         TEXT    NOT NULL,        -- sha256 of the lab file's bytes
            profile           TEXT    NOT NULL,
            status            TEXT    NOT NULL CHECK (status IN ('finished', 'cancelled')),
            seeds             TEXT    NOT NULL,        -- JSON list
            device            TEXT    NOT NULL,
            host              TEXT    NOT NULL,        -- platform.node(): "this device" for time estimates
            versions          TEXT    NOT NULL,        -- JSON {torch, torchvision, tutor, python}
            metrics           TEXT    NOT NULL,        -- JSON arm -> metric -> {mean, sd, per_seed}
            claims            TEXT    NOT NULL,        -- JSON list of {text, says, holds, opposite_holds, numbers}
            verdict           TEXT    NOT NULL,        -- reproduced | inconclusive | contradicted | cancelled
            duration_s        REAL    NOT NULL,        -- wall-clock seconds of the whole run
            out_dir           TEXT,
            started_at        TEXT    NOT NULL,        -- UTC ISO 8601
            finished_at       TEXT    NOT NULL,
            question_id       TEXT,                    -- the question the lab was opened from, if any
            predicted_arm     TEXT,                    -- the learner's guess of the best arm (val_acc), if any
            predicted_verdict TEXT,                    -- ... and of the verdict, if any
            arm_matched       INTEGER CHECK (arm_matched IN (0, 1)),
            verdict_matched   INTEGER CHECK (verdict_matched IN (0, 1))
        )""",
        "CREATE INDEX lab_runs_lab ON lab_runs (lab_id, status, finished_at)",
    ],
    # 4: the order the options were shown in (options are shuffled at each presentation).
    [
        # JSON list of option keys in the order the learner saw them; NULL for answers stored before v4.
        "ALTER TABLE attempts ADD COLUMN shown TEXT",
    ],
    # 5: learning records (xAPI, tutor.xapi): each answer's statement id, fixed when it is stored (answers
    # stored before v5 get a random UUID4 here, once); the learner's settings (the pseudonym statements
    # carry); which statements a learning record store has acknowledged, per endpoint.
    [
        "ALTER TABLE attempts ADD COLUMN statement_id TEXT",
        "UPDATE attempts SET statement_id = lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || "
        "substr(lower(hex(randomblob(2))), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || "
        "substr(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6))) WHERE statement_id IS NULL",
        "CREATE UNIQUE INDEX attempts_statement ON attempts (statement_id)",
        """CREATE TABLE settings (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID""",
        """CREATE TABLE lrs_acks (
            endpoint     TEXT NOT NULL,                -- the LRS's statements URL
            statement_id TEXT NOT NULL,
            acked_at     TEXT NOT NULL,                -- UTC ISO 8601
            PRIMARY KEY (endpoint, statement_id)
        ) WITHOUT ROWID""",
    ],
    # 6: how sure the learner said they were of an answer (certainty-based marking, tutor.study.profile):
    # guessing | fairly_sure | sure, NULL when not asked.
    [
        "ALTER TABLE attempts ADD COLUMN confidence TEXT CHECK (confidence IN ('guessing', 'fairly_sure', 'sure'))",
    ],
]
SCHEMA_VERSION = len(MIGRATIONS)
UNTOLD: list[str] = []
"""Notes of damaged rows (`Store.damage_note`) that closed stores found and nobody showed: `tutor.cli.main` prints
them as a command ends, so every command that reads the store (an export, a plan, a sync) says so once."""


class StoreError(Exception):
    """The store cannot be used: written by a newer tutor, not a database, damaged, full, read-only, or
    locked for too long."""

    def __rich__(self):
        # Textual shows an unhandled exception's __rich__ instead of a traceback: if one ever escapes a
        # screen, the app ends with this line (exit status 1) rather than a wall of frames.
        from rich.text import Text

        from tutor.safetext import one_line

        return Text(f"tutor: {one_line(self)}")


_PLAIN = (
    ("locked", "another tutor process is writing to the progress database"),
    ("busy", "another tutor process is writing to the progress database"),
    ("full", "the disk is full"),
    ("readonly", "the progress database is read-only"),
    ("read-only", "the progress database is read-only"),
    ("malformed", "the progress database is damaged"),
    ("disk i/o", "the disk reported an I/O error"),
)


def plain(exc: BaseException) -> str:
    """What a sqlite error means for the learner, in one short phrase."""
    msg = str(exc)
    for needle, meaning in _PLAIN:
        if needle in msg.lower():
            return f"{meaning} ({msg})"
    return msg or exc.__class__.__name__


def _fault(exc: BaseException) -> bool:
    """A failure of the database or the disk (worth keeping the write and retrying), not a bug of ours."""
    if isinstance(exc, StoreError):
        return True
    return isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError))


@dataclass(frozen=True)
class Attempt:
    id: int
    question_id: str
    chosen: frozenset[str]
    correct: bool
    mode: str
    seconds: float | None
    answered_at: datetime
    shown: tuple[str, ...] | None = None  # option keys in displayed order (None: stored before it was kept)
    statement_id: str | None = None  # the answer's xAPI statement id (UUID), fixed when it was stored
    confidence: str | None = None  # guessing | fairly_sure | sure, when the learner said (None: not asked)


@dataclass(frozen=True)
class ExamSummary:
    id: int
    started_at: datetime
    finished_at: datetime
    count: int
    minutes: float
    score: int
    report: dict[str, Any] = field(repr=False)

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.count if self.count else 0.0

    @property
    def timed_out(self) -> bool:
        return bool(self.report.get("timed_out", False))


_MOVE_ASIDE = "; move the file aside (e.g. add .damaged to its name) and tutor starts a fresh one"


def _writable_hint(path: Path) -> str:
    import os

    for where in (path, path.parent):
        if where.exists() and not os.access(where, os.W_OK):
            return f" ({where} is read-only)"
    try:
        if os.statvfs(path.parent).f_flag & os.ST_RDONLY:
            return f" ({path.parent} is on a read-only file system)"
    except (OSError, AttributeError):
        pass
    return ""


def iso(dt: datetime) -> str:
    """One fixed UTC format, so that text order is time order in SQL."""
    return utc(dt).isoformat(timespec="microseconds")


def _parse(text: str) -> datetime:
    return utc(datetime.fromisoformat(text))


# What reading one damaged row raises (text where a date or JSON should be, JSON of the wrong shape): the
# row is skipped and counted (`Store.damaged`), never the command or the app.
_DAMAGE = (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError)


def _card(text: Any) -> Card:
    """A stored FSRS card, checked: a card the scheduler could not use is a damaged row (ValueError)."""
    card = Card.from_json(text)
    for value in (card.stability, card.difficulty):
        if value is not None and not (isinstance(value, (int, float)) and math.isfinite(value)):
            raise ValueError("a card with a non-numeric stability or difficulty")
    for value in (card.due, card.last_review):
        if value is not None and not (isinstance(value, datetime) and value.tzinfo is not None):
            raise ValueError("a card with a date that is not a UTC time")
    return card


def _locked(exc: sqlite3.OperationalError) -> bool:
    msg = str(exc).lower()
    return "locked" in msg or "busy" in msg


def _retrying(action, what: str, retries: int = LOCK_RETRIES):
    delay = 0.05
    for attempt in range(retries + 1):
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if not _locked(exc) or attempt == retries:
                if _locked(exc):
                    raise StoreError(f"{what}: the progress database stayed locked by another tutor process") from exc
                raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def migrate(conn: sqlite3.Connection, migrations: list[list[str]] = MIGRATIONS, path: Path | str = "") -> int:
    """Bring `conn` (autocommit mode) up to `len(migrations)`; return the version found before."""
    known = len(migrations)
    found = conn.execute("PRAGMA user_version").fetchone()[0]
    if found > known:
        raise StoreError(
            f"{path}: progress database has schema version {found}, but this tutor only knows up to "
            f"{known}; upgrade tutor (or point TUTOR_HOME elsewhere)"
        )
    if found == known:
        return found
    _retrying(lambda: conn.execute("BEGIN IMMEDIATE"), "upgrading the progress database")
    try:
        found = conn.execute("PRAGMA user_version").fetchone()[0]  # another process may have migrated meanwhile
        if found > known:
            raise StoreError(f"{path}: progress database has schema version {found}; this tutor knows up to {known}")
        for version in range(found + 1, known + 1):
            for statement in migrations[version - 1]:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {int(known)}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return found


class Store:
    """The progress database. Use as a context manager, or call `close()`.

    `interactive=True` (the app): after opening, a write waits at most `INTERACTIVE_BUSY_TIMEOUT_MS` for
    another process's lock and is not retried on the spot; use `save()` to keep such a write for later."""

    def __init__(self, path: Path | str | None = None, *, migrations: list[list[str]] = MIGRATIONS, interactive: bool = False) -> None:
        if path is None:
            from tutor import paths

            path = paths.database_path()
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._depth = 0
        self.pending: list[Record] = []
        """Records whose write failed (locked, full, read-only, damaged) and wait for `retry_pending()`, oldest first."""
        self.last_error: str | None = None
        """Why the oldest pending write failed, for the learner."""
        self.damaged: dict[str, set[Any]] = {}
        """Rows skipped because they cannot be read (what -> row keys): a damaged row costs that row only."""
        self._damage_told = 0
        try:
            self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: cannot open the progress database ({plain(exc)})") from exc
        try:
            self._open(migrations)
        except sqlite3.OperationalError as exc:  # the file is fine but cannot be used now: read-only, full, locked
            self._conn.close()
            raise StoreError(f"{self.path}: cannot open the progress database: {plain(exc)}{_writable_hint(self.path)}") from exc
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise StoreError(f"{self.path}: not a usable progress database: {plain(exc)}{_MOVE_ASIDE}") from exc
        except BaseException:
            self._conn.close()
            raise
        self.version = len(migrations)
        self.retries = 0 if interactive else LOCK_RETRIES
        if interactive:
            self._conn.execute(f"PRAGMA busy_timeout = {INTERACTIVE_BUSY_TIMEOUT_MS}")

    def _open(self, migrations: list[list[str]]) -> None:
        self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        problems = [r[0] for r in self._conn.execute("PRAGMA quick_check").fetchall()]
        if problems != ["ok"]:  # damaged pages: refuse rather than write more into a broken file
            raise StoreError(f"{self.path}: the progress database is damaged ({problems[0]}){_MOVE_ASIDE}")
        _retrying(lambda: self._conn.execute("PRAGMA journal_mode = WAL").fetchone(), "opening the progress database")
        self._conn.execute("PRAGMA synchronous = NORMAL")
        self.found_version = migrate(self._conn, migrations, self.path)

    # -- lifecycle --------------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            note = self.damage_note()
            if note:  # damaged rows nobody has told the learner about yet: the command says so as it ends
                UNTOLD.append(note)
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def batch(self, what: str = "saving progress") -> Iterator[None]:
        """One write transaction for everything inside (nested writes join it): all or nothing. A
        database or disk failure rolls it back and raises `StoreError`."""
        with self._lock:
            if self._depth == 0:
                try:
                    _retrying(lambda: self._conn.execute("BEGIN IMMEDIATE"), what, self.retries)
                except sqlite3.DatabaseError as exc:
                    raise StoreError(f"{what}: {plain(exc)}") from exc
            self._depth += 1
            try:
                yield
            except BaseException as exc:
                self._depth -= 1
                if self._depth == 0:
                    self._rollback()
                    if isinstance(exc, sqlite3.DatabaseError) and _fault(exc):
                        raise StoreError(f"{what}: {plain(exc)}") from exc
                raise
            self._depth -= 1
            if self._depth == 0:
                try:
                    self._conn.execute("COMMIT")
                except sqlite3.DatabaseError as exc:  # e.g. the disk filled up while writing the log
                    self._rollback()
                    raise StoreError(f"{what}: {plain(exc)}") from exc

    def _rollback(self) -> None:
        # SQLite may already have rolled back on its own (a full disk, an I/O error): never mask the cause.
        if self._conn.in_transaction:
            try:
                self._conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    def _query(self, sql: str, params: tuple = ()) -> list[tuple]:  # the one way this module reads
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as exc:
                if not _fault(exc):
                    raise
                raise StoreError(f"reading progress: {plain(exc)}") from exc

    def _rows(self, what: str, rows: Iterable[tuple], convert, key=lambda r: r[0]) -> list:
        """`convert` applied to every row; a row it cannot read is skipped and counted in `damaged`."""
        out = []
        for r in rows:
            try:
                out.append(convert(r))
            except _DAMAGE:
                self.damaged.setdefault(what, set()).add(key(r))
        return out

    def damage_note(self) -> str | None:
        """One line for the learner when rows were skipped as damaged since the last note (None: nothing new),
        so a command or the app says it once."""
        total = sum(len(keys) for keys in self.damaged.values())
        if total <= self._damage_told:
            return None
        self._damage_told = total
        parts = ", ".join(f"{len(keys)} {what}{'' if len(keys) == 1 else 's'}" for what, keys in sorted(self.damaged.items()))
        return (f"{self.path}: skipped {total} damaged row{'' if total == 1 else 's'} of the progress database ({parts}); "
                "the rest of your progress is intact")

    # -- writes ----------------------------------------------------------------------------------

    def add(self, record: Record) -> int:
        """Write `record` now, as one transaction; returns its row id (the attempt's, exam's or run's).
        Raises `StoreError` when the database refuses it."""
        with self.batch(f"saving the {record.what}"):
            return self._write(record)

    def save(self, record: Record) -> int | None:
        """Write `record` now, after any records still waiting; returns its row id. When the database
        refuses it (locked, disk full, read-only, damaged), keep it in `pending` for `retry_pending()`
        and return None; nothing is lost while the process lives."""
        with self._lock:
            if self.pending and self.retry_pending():
                self.pending.append(record)
                return None
            try:
                return self.add(record)
            except StoreError as exc:
                self.pending.append(record)
                self.last_error = str(exc)
                return None

    def retry_pending(self) -> int:
        """Try the waiting records again, oldest first, stopping at the first that still fails; returns
        how many are still waiting. Safe to call from a worker thread (the store serialises access)."""
        with self._lock:
            while self.pending:
                try:
                    self.add(self.pending[0])
                except StoreError as exc:
                    self.last_error = str(exc)
                    break
                self.pending.pop(0)
            if not self.pending:
                self.last_error = None
            return len(self.pending)

    def _write(self, record: Record) -> int:
        if isinstance(record, AnswerRecord):
            return self._write_answer(record)
        if isinstance(record, ExamRecord):
            return self._write_exam(record)
        if isinstance(record, LabRunRecord):
            return self._write_lab_run(record)
        raise TypeError(f"the store keeps no {type(record).__name__}")

    # -- answers and cards ------------------------------------------------------------------------

    def record_answer(
        self,
        question_id: str,
        chosen: Iterable[str],
        correct: bool,
        *,
        mode: str,
        seconds: float | None = None,
        now: datetime | None = None,
        shown: Iterable[str] | None = None,
        confidence: str | None = None,
    ) -> int:
        """Store one answer now (see `AnswerRecord`); `shown` is the option keys in the order the learner saw them,
        `confidence` how sure they said they were (CONFIDENCES), if asked."""
        return self.add(answer_record(question_id, chosen, correct, mode=mode, seconds=seconds, now=now, shown=shown,
                                      confidence=confidence))

    def _write_answer(self, rec: AnswerRecord) -> int:
        """The attempt row and the question's FSRS card (Good if right, Again if wrong), in one transaction."""
        with self.batch():
            row = self._conn.execute("SELECT card FROM cards WHERE question_id = ?", (rec.question_id,)).fetchone()
            old = self._rows("card", [(rec.question_id, row[0])], lambda r: _card(r[1])) if row else []
            if row and not old:  # a damaged card is rebuilt from the question's earlier answers, not started afresh
                self._replay_card(rec.question_id)
                again = self._conn.execute("SELECT card FROM cards WHERE question_id = ?", (rec.question_id,)).fetchone()
                old = self._rows("card", [(rec.question_id, again[0])], lambda r: _card(r[1]))
            card = scheduler.review(old[0] if old else None, bool(rec.correct), rec.answered_at)
            cur = self._insert_attempt(rec)
            self._conn.execute(
                "INSERT INTO cards (question_id, card, due, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (question_id) DO UPDATE SET card = excluded.card, due = excluded.due, updated_at = excluded.updated_at",
                (rec.question_id, card.to_json(), iso(card.due), iso(rec.answered_at)),
            )
            return int(cur.lastrowid)

    def _insert_attempt(self, rec: AnswerRecord) -> sqlite3.Cursor:
        return self._conn.execute(
            "INSERT INTO attempts (question_id, chosen, correct, mode, seconds, answered_at, shown, statement_id, confidence) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (rec.question_id, json.dumps(sorted(rec.chosen)), int(bool(rec.correct)), rec.mode, rec.seconds,
             iso(rec.answered_at), None if rec.shown is None else json.dumps(list(rec.shown)), rec.statement_id, rec.confidence),
        )

    def attempts(self, question_id: str | None = None) -> list[Attempt]:
        """Every answer (of one question, or all), oldest first."""
        sql = f"SELECT {_ATTEMPT_COLUMNS} FROM attempts"
        rows = self._query(sql + " WHERE question_id = ? ORDER BY id", (question_id,)) if question_id is not None else self._query(sql + " ORDER BY id")
        return self._rows("answer", rows, _attempt)

    def merge_answers(self, records: Iterable[AnswerRecord]) -> int:
        """Add answers made elsewhere (an xAPI import), skipping those whose statement id is already stored,
        and replay the FSRS card of every question that gained one from all its answers in time order; one
        transaction. Returns how many were added (0 on a repeated import: nothing changes)."""
        with self.batch("importing answers"):
            added: set[str] = set()
            count = 0
            for rec in records:
                if self._conn.execute("SELECT 1 FROM attempts WHERE statement_id = ?", (rec.statement_id,)).fetchone():
                    continue
                self._insert_attempt(rec)
                added.add(rec.question_id)
                count += 1
            for question_id in sorted(added):
                self._replay_card(question_id)
            return count

    def undo_answer(self, attempt_id: int, card: Card | None) -> bool:
        """Take back one answer (the app's undo): delete its attempt row and put its question's FSRS card back
        as it was before that answer (`card`; None: the question had no card, so it has none again). One
        transaction; False when no such answer is stored (already undone)."""
        with self.batch("undoing the last answer"):
            row = self._conn.execute("SELECT question_id FROM attempts WHERE id = ?", (attempt_id,)).fetchone()
            if row is None:
                return False
            self._conn.execute("DELETE FROM attempts WHERE id = ?", (attempt_id,))
            if card is None:
                self._conn.execute("DELETE FROM cards WHERE question_id = ?", (row[0],))
            else:
                self._conn.execute(
                    "INSERT INTO cards (question_id, card, due, updated_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (question_id) DO UPDATE SET card = excluded.card, due = excluded.due, updated_at = excluded.updated_at",
                    (row[0], card.to_json(), iso(card.due), iso(card.last_review or card.due)),
                )
            return True

    def _replay_card(self, question_id: str) -> None:
        rows = self._conn.execute(
            "SELECT correct, answered_at FROM attempts WHERE question_id = ? ORDER BY answered_at, id", (question_id,)
        ).fetchall()
        card = None
        for correct, when in self._rows("answer", rows, lambda r: (r[0], _parse(r[1])), key=lambda r: (question_id, r[1])):
            card = scheduler.review(card, bool(correct), when)
        if card is not None:
            self._conn.execute(
                "INSERT INTO cards (question_id, card, due, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (question_id) DO UPDATE SET card = excluded.card, due = excluded.due, updated_at = excluded.updated_at",
                (question_id, card.to_json(), iso(card.due), rows[-1][1]),
            )

    # -- learning record store: settings and acknowledged statements ---------------------------------

    def setting(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM settings WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def set_setting(self, key: str, value: str, *, keep: bool = False) -> str:
        """Store `value` under `key` (`keep`: only if none is stored yet, so two processes agree); returns
        the value now stored."""
        verb = "INSERT OR IGNORE" if keep else "INSERT OR REPLACE"
        with self.batch("saving a setting"):
            self._conn.execute(f"{verb} INTO settings (key, value) VALUES (?, ?)", (key, value))
            return self._conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()[0]

    def unacknowledged(self, endpoint: str, limit: int | None = None) -> list[Attempt]:
        """Answers the LRS at `endpoint` has not acknowledged yet, oldest first (at most `limit`)."""
        sql = (f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE NOT EXISTS (SELECT 1 FROM lrs_acks "
               "WHERE lrs_acks.endpoint = ? AND lrs_acks.statement_id = attempts.statement_id) ORDER BY id")
        rows = self._query(sql + (" LIMIT ?" if limit is not None else ""), (endpoint, limit) if limit is not None else (endpoint,))
        return self._rows("answer", rows, _attempt)

    def acknowledge(self, endpoint: str, statement_ids: Iterable[str], now: datetime | None = None) -> None:
        """Record that the LRS at `endpoint` holds these statements (one transaction)."""
        with self.batch("recording what the learning record store holds"):
            self._conn.executemany(
                "INSERT OR IGNORE INTO lrs_acks (endpoint, statement_id, acked_at) VALUES (?, ?, ?)",
                [(endpoint, sid, iso(utc(now))) for sid in statement_ids],
            )

    def seen_ids(self) -> set[str]:
        return {r[0] for r in self._query("SELECT DISTINCT question_id FROM attempts")}

    def miss_counts(self) -> dict[str, int]:
        """Question id -> how many times it was answered wrong (only questions missed at least once)."""
        return {r[0]: r[1] for r in self._query("SELECT question_id, COUNT(*) FROM attempts WHERE correct = 0 GROUP BY question_id")}

    def card(self, question_id: str) -> Card | None:
        rows = self._query("SELECT question_id, card FROM cards WHERE question_id = ?", (question_id,))
        found = self._rows("card", rows, lambda r: _card(r[1]))
        return found[0] if found else None

    def cards(self) -> dict[str, Card]:
        return dict(self._rows("card", self._query("SELECT question_id, card FROM cards"), lambda r: (r[0], _card(r[1]))))

    def due_times(self) -> dict[str, datetime]:
        """Question id -> when its card is next due, for every seen question."""
        return dict(self._rows("card", self._query("SELECT question_id, due FROM cards"), lambda r: (r[0], _parse(r[1]))))

    def due_ids(self, now: datetime | None = None) -> list[str]:
        """Seen questions whose card is due at `now`, most overdue first."""
        return [r[0] for r in self._query("SELECT question_id FROM cards WHERE due <= ? ORDER BY due, question_id", (iso(utc(now)),))]

    # -- exams ------------------------------------------------------------------------------------

    def _write_exam(self, rec: ExamRecord) -> int:
        """Every answered question and the report, in one transaction; returns the exam's id."""
        with self.batch():
            for answer in rec.answers:
                self._write_answer(answer)
            cur = self._conn.execute(
                "INSERT INTO exams (started_at, finished_at, count, minutes, score, report) VALUES (?, ?, ?, ?, ?, ?)",
                (iso(rec.started_at), iso(rec.finished_at), int(rec.count), float(rec.minutes), int(rec.score),
                 json.dumps(rec.report, ensure_ascii=False)),
            )
            return int(cur.lastrowid)

    def exams(self) -> list[ExamSummary]:
        """Finished exams, oldest first."""
        rows = self._query("SELECT id, started_at, finished_at, count, minutes, score, report FROM exams ORDER BY id")
        return self._rows("exam", rows, _exam)

    # -- lab runs ---------------------------------------------------------------------------------

    def _write_lab_run(self, rec: LabRunRecord) -> int:
        status = rec.status if rec.status in ("finished", "cancelled") else "cancelled"
        row = (
            rec.lab_id, rec.spec_hash, rec.profile, status, json.dumps(list(rec.seeds)), rec.device, rec.host,
            json.dumps(rec.versions, sort_keys=True), json.dumps(rec.metrics), json.dumps(rec.claims, ensure_ascii=False),
            rec.verdict if status == "finished" else "cancelled", float(rec.duration_s), rec.out_dir,
            iso(rec.started_at), iso(rec.finished_at), rec.question_id, rec.predicted_arm, rec.predicted_verdict,
            _flag(rec.arm_matched), _flag(rec.verdict_matched),
        )
        with self.batch():
            cur = self._conn.execute(f"INSERT INTO lab_runs ({_LAB_COLUMNS}) VALUES ({', '.join('?' * len(row))})", row)
            return int(cur.lastrowid)

    def lab_runs(self, lab_id: str | None = None, *, finished: bool = False, profile: str | None = None,
                 host: str | None = None, latest: bool = False) -> list[LabRun]:
        """Stored lab runs, oldest first: of one lab or all; only finished ones, of one profile, from one
        host when asked. `latest`: at most one, the most recently finished."""
        where, params = [], []
        for column, value in (("lab_id", lab_id), ("profile", profile), ("host", host)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if finished:
            where.append("status = 'finished'")
        sql = f"SELECT id, {_LAB_COLUMNS} FROM lab_runs" + (" WHERE " + " AND ".join(where) if where else "")
        sql += " ORDER BY finished_at DESC, id DESC LIMIT 1" if latest else " ORDER BY id"
        return self._rows("lab run", self._query(sql, tuple(params)), _lab_run)


_ATTEMPT_COLUMNS = "id, question_id, chosen, correct, mode, seconds, answered_at, shown, statement_id, confidence"


def _attempt(r: tuple) -> Attempt:
    return Attempt(
        id=r[0], question_id=_text(r[1]), chosen=frozenset(_keys(json.loads(r[2]))), correct=bool(r[3]), mode=_text(r[4]),
        seconds=_number(r[5]), answered_at=_parse(r[6]), shown=None if r[7] is None else _keys(json.loads(r[7])),
        statement_id=r[8], confidence=r[9] if r[9] in CONFIDENCES else None,
    )


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"text expected, not {type(value).__name__}")
    return value


def _keys(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
        raise TypeError("a list of option keys expected")
    return tuple(value)


def _number(value: Any) -> float | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)):
        raise TypeError(f"a number expected, not {type(value).__name__}")
    return value


def _typed(value: Any, kind: type, inner: type | None = None) -> Any:
    """JSON `value` checked to be a `kind` (dict or list) whose values are all `inner`s."""
    if not isinstance(value, kind) or (inner is not None and not all(isinstance(v, inner) for v in (value.values() if isinstance(value, dict) else value))):
        raise TypeError(f"a {kind.__name__} of {inner.__name__ if inner else 'values'} expected")
    return value


def _metrics(value: Any) -> dict[str, dict[str, Any]]:
    """arm -> metric -> {mean, sd, per_seed}, with numbers (or null) as means. A metric an arm does not have (a
    prototype arm's loss) has a NaN mean, which the row keeps as JSON's NaN: read as null, not as damage."""
    for per_arm in _typed(value, dict, dict).values():
        for summary in _typed(per_arm, dict, dict).values():
            mean = summary.get("mean")
            if isinstance(mean, float) and math.isnan(mean):
                summary["mean"] = None
            _number(summary.get("mean"))
    return value


def _exam(r: tuple) -> ExamSummary:
    return ExamSummary(id=r[0], started_at=_parse(r[1]), finished_at=_parse(r[2]), count=int(r[3]), minutes=float(r[4]),
                       score=int(r[5]), report=_typed(json.loads(r[6]), dict))


_LAB_COLUMNS = ("lab_id, spec_hash, profile, status, seeds, device, host, versions, metrics, claims, verdict, duration_s, "
                "out_dir, started_at, finished_at, question_id, predicted_arm, predicted_verdict, arm_matched, verdict_matched")


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(bool(value))


def _lab_run(r: tuple) -> LabRun:
    return LabRun(
        id=r[0], lab_id=_text(r[1]), spec_hash=r[2], profile=_text(r[3]), status=_text(r[4]), seeds=_typed(json.loads(r[5]), list, int),
        device=r[6], host=r[7], versions=_typed(json.loads(r[8]), dict), metrics=_metrics(json.loads(r[9])),
        claims=_typed(json.loads(r[10]), list, dict), verdict=_text(r[11]), duration_s=float(_number(r[12])),
        out_dir=r[13], started_at=_parse(r[14]), finished_at=_parse(r[15]), question_id=r[16], predicted_arm=r[17],
        predicted_verdict=r[18], arm_matched=None if r[19] is None else bool(r[19]),
        verdict_matched=None if r[20] is None else bool(r[20]),
    )


def answer_record(question_id: str, chosen: Iterable[str], correct: bool, *, mode: str, seconds: float | None = None,
                  now: datetime | None = None, shown: Iterable[str] | None = None, confidence: str | None = None) -> AnswerRecord:
    """An answer as the store keeps it (checks the mode; `now` defaults to the current time)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    if confidence is not None and confidence not in CONFIDENCES:
        raise ValueError(f"confidence must be one of {', '.join(CONFIDENCES)}, not {confidence!r}")
    return AnswerRecord(question_id=question_id, chosen=frozenset(str(k) for k in chosen), correct=bool(correct), mode=mode,
                        answered_at=utc(now), seconds=None if seconds is None else float(seconds),
                        shown=None if shown is None else tuple(str(k) for k in shown), confidence=confidence)
