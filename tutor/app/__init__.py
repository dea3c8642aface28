"""The quiz app (Textual): home, practice, timed exam, spaced review.

Kept light: `import tutor.app` loads nothing of Textual; `make_app` and `TutorApp` are fetched from
`tutor.app.app` on first use (the CLI imports them only for `tutor quiz`).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

IMPORTED_AT = time.perf_counter()
"""When `tutor.app` was imported: the default zero of `TutorApp.startup_ms`."""

if TYPE_CHECKING:  # pragma: no cover
    from tutor.app.app import TutorApp, make_app

__all__ = ["TutorApp", "make_app"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from tutor.app import app

        return getattr(app, name)
    raise AttributeError(f"module 'tutor.app' has no attribute {name!r}")
