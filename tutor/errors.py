"""Which exceptions are the user's to read (one line) rather than a bug's to report (a traceback)."""

from __future__ import annotations


def describe(exc: BaseException) -> str | None:
    """A one-line message for expected failures; None for bugs, which should surface."""
    import sqlite3

    expected: tuple[type[BaseException], ...] = (OSError, sqlite3.Error)
    try:
        from tutor.study.store import StoreError

        expected += (StoreError,)
    except ImportError:  # pragma: no cover - the study layer is always there once installed
        pass
    try:
        from tutor.lab.errors import LabError

        expected += (LabError,)
    except ImportError:  # pragma: no cover
        pass
    if isinstance(exc, expected):
        return str(exc) or exc.__class__.__name__
    return None
