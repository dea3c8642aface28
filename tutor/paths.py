"""Where tutor keeps things: the shipped bank and labs, and the learner's own data.

Everything user-specific lives under one directory so that `TUTOR_HOME` can relocate all of it
(tests and CI point it at a temporary folder).
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    # A wheel carries the bank inside the package; an editable or source checkout has it at the root.
    inside = _PACKAGE / "_data" / name
    return inside if inside.is_dir() else _PACKAGE.parent / name


def questions_dir() -> Path:
    return _shipped("questions")


def labs_dir() -> Path:
    return _shipped("labs")


def lab_dirs() -> list[Path]:
    """The shipped labs, then instructors' lab folders from `TUTOR_LABS` (os.pathsep-separated): labs found
    there run by name, appear in `tutor labs` and the app, and questions may link to them."""
    env = os.environ.get("TUTOR_LABS", "")
    return [labs_dir(), *(Path(d).expanduser() for d in env.split(os.pathsep) if d.strip())]


def home() -> Path:
    """The learner's data directory: `TUTOR_HOME` if set, else the platform's user data dir."""
    env = os.environ.get("TUTOR_HOME")
    if env:
        path = Path(env).expanduser()
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir("tutor", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_path() -> Path:
    return home() / "tutor.sqlite3"


def cache_dir() -> Path:
    """Decoded datasets and frozen-backbone features; safe to delete at any time."""
    path = home() / "cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def runs_dir() -> Path:
    path = home() / "runs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def extra_bank_dirs(cli_dirs: list[str] | None = None) -> list[Path]:
    """Instructor banks added to the shipped one: `--bank DIR` options, then `TUTOR_BANKS` (os.pathsep-separated)."""
    dirs = [Path(d).expanduser() for d in (cli_dirs or [])]
    env = os.environ.get("TUTOR_BANKS", "")
    dirs += [Path(d).expanduser() for d in env.split(os.pathsep) if d.strip()]
    return dirs
