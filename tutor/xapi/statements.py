"""An answer as an xAPI statement, and back.

`to_statement` writes the statement of one stored answer; `Answer` is what a valid `answered` statement of
tutor says, read back from a file or a learning record store (`read_answer`). The layout is described in
the README ("Learning records"); the validation is Ralph's (tutor.xapi.model).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from tutor.xapi import vocab

_DURATION = re.compile(r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


@dataclass(frozen=True)
class Answer:
    """One learner's answer to one question, as a statement carries it."""

    statement_id: str
    learner: str  # actor.account.name: the learner's pseudonym
    question_id: str
    chosen: frozenset[str]
    correct: bool
    mode: str
    answered_at: datetime
    seconds: float | None = None
    shown: tuple[str, ...] | None = None
    first: bool | None = None
    misconceptions: tuple[str, ...] = ()


def iso_timestamp(when: datetime) -> str:
    """UTC, microseconds, `Z`: one fixed form, so a re-sent statement is byte-for-byte the one sent before."""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def duration(seconds: float) -> str:
    """ISO 8601 duration to the millisecond (xAPI keeps at least 0.01 s)."""
    return f"PT{max(seconds, 0.0):.3f}S"


def parse_duration(text: str) -> float | None:
    """Seconds of an ISO 8601 duration of days, hours, minutes and seconds; None when it is not one."""
    match = _DURATION.match(text) if isinstance(text, str) else None
    if not match or text in ("P", "PT") or text.endswith("T"):
        return None
    days, hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    return total if math.isfinite(total) else None


def join(keys) -> str:
    return vocab.SEPARATOR.join(keys)


def to_statement(*, statement_id: str, learner: str, question_id: str, chosen, correct: bool, mode: str,
                 answered_at: datetime, seconds: float | None, shown, first: bool, misconceptions=()) -> dict[str, Any]:
    """The `answered` statement of one answer, as JSON-ready data."""
    result: dict[str, Any] = {"success": bool(correct), "response": join(sorted(chosen))}
    if seconds is not None and math.isfinite(seconds):
        result["duration"] = duration(seconds)
    extensions: dict[str, Any] = {vocab.MODE: mode, vocab.FIRST: bool(first)}
    if shown:
        extensions[vocab.SHOWN] = join(shown)
    if misconceptions:
        extensions[vocab.MISCONCEPTION] = sorted(set(misconceptions))
    return {
        "id": statement_id,
        "actor": {"objectType": "Agent", "account": {"homePage": vocab.HOME_PAGE, "name": learner}},
        "verb": {"id": vocab.ANSWERED, "display": {"en-US": "answered"}},
        "object": {
            "objectType": "Activity",
            "id": vocab.QUESTION_PREFIX + question_id,
            "definition": {"type": vocab.INTERACTION, "interactionType": "choice"},
        },
        "result": result,
        "context": {"platform": vocab.PLATFORM, "extensions": extensions},
        "timestamp": iso_timestamp(answered_at),
    }
