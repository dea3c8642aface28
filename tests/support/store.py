"""Store helpers shared by the study and app tests: an integrity check, and another process holding the
database's write lock (the fixture built on it lives in tests/conftest.py)."""

from __future__ import annotations

import sqlite3

HOLD = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None); c.execute('BEGIN IMMEDIATE'); print('held', flush=True); sys.stdin.readline()"


def intact(path) -> bool:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()


class Faulty:
    """The real connection, except that statements starting with `when` raise `error` while armed."""

    def __init__(self, conn: sqlite3.Connection, when: str, error: str) -> None:
        self.conn, self.when, self.error, self.armed = conn, when, error, True

    def execute(self, sql, *args):
        if self.armed and sql.lstrip().upper().startswith(self.when):
            raise sqlite3.OperationalError(self.error)
        return self.conn.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self.conn, name)
