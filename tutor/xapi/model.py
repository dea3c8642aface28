"""tutor's `answered` statement as a Ralph model: Ralph's maintained xAPI models (ralph-malph) with the
fields tutor's statements always carry made required and narrowed. A statement that passes is a valid
xAPI statement *and* an answer tutor can read; `check()` turns one into an `Answer` or one sentence."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import StrictBool, ValidationError, field_validator
from ralph.models.xapi.base.agents import BaseXapiAgentWithAccount
from ralph.models.xapi.base.contexts import BaseXapiContext
from ralph.models.xapi.base.results import BaseXapiResult
from ralph.models.xapi.base.statements import BaseXapiStatement
from ralph.models.xapi.base.unnested_objects import BaseXapiActivity, BaseXapiActivityInteractionDefinition
from ralph.models.xapi.concepts.verbs.adl_vocabulary import AnsweredVerb

from tutor.safetext import abbreviate, one_line, quote
from tutor.xapi import vocab
from tutor.xapi.statements import Answer, parse_duration

MODES = ("practice", "exam", "review")
_KEY = re.compile(r"^[A-Za-z0-9_-]{1,12}$")  # the bank's option keys
_QUESTION = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")  # the bank's question ids
MAX_NAME = 64


class TutorInteraction(BaseXapiActivityInteractionDefinition):
    type: Literal["http://adlnet.gov/expapi/activities/cmi.interaction"]
    interactionType: Literal["choice"]


class TutorQuestion(BaseXapiActivity):
    definition: TutorInteraction

    @field_validator("id")
    @classmethod
    def _question(cls, value: Any) -> Any:
        text = str(getattr(value, "root", value))
        if not text.startswith(vocab.QUESTION_PREFIX) or not _QUESTION.match(text[len(vocab.QUESTION_PREFIX):]):
            raise ValueError(f"not a tutor question ({vocab.QUESTION_PREFIX}<question-id>)")
        return value


class TutorResult(BaseXapiResult):
    success: StrictBool
    response: str


class TutorContext(BaseXapiContext):
    extensions: dict[str, Any]


class TutorAnswered(BaseXapiStatement):
    id: UUID
    actor: BaseXapiAgentWithAccount
    verb: AnsweredVerb
    object: TutorQuestion
    result: TutorResult
    context: TutorContext
    timestamp: datetime


class Refused(ValueError):
    """A statement tutor cannot take, with the one sentence that says why."""


def check(data: Any) -> Answer:
    """The answer a statement records, or `Refused` with one sentence (never the statement's raw text)."""
    if not isinstance(data, dict):
        raise Refused(f"not a statement (a JSON {type(data).__name__}, not an object)")
    verb = data.get("verb", {}).get("id") if isinstance(data.get("verb"), dict) else None
    if verb != vocab.ANSWERED:
        raise Refused(f"not an answer: verb {quote(verb)} (tutor reads {vocab.ANSWERED})")
    try:
        model = TutorAnswered.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = one_line(abbreviate(".".join(str(p) for p in first["loc"][:4]), 60))  # keys come from the file
        raise Refused(f"not a valid xAPI answer: {where}: {quote(first['msg'], 100)}") from None
    except (TypeError, AttributeError, KeyError, ValueError) as exc:  # Ralph's own checks assume a well-shaped statement
        raise Refused(f"not a valid xAPI statement ({type(exc).__name__} in Ralph's validator)") from None
    return _answer(model)


def _answer(model: TutorAnswered) -> Answer:
    name = model.actor.account.name
    if len(name) > MAX_NAME or not name.isprintable():
        raise Refused(f"learner name {quote(name)} is not a pseudonym (printable, at most {MAX_NAME} characters)")
    chosen = _keys(model.result.response, "result.response")
    ext = model.context.extensions
    mode = ext.get(vocab.MODE)
    if mode not in MODES:
        raise Refused(f"context extension {vocab.MODE} is {quote(mode)}, not one of {', '.join(MODES)}")
    shown = _keys(ext[vocab.SHOWN], vocab.SHOWN) if ext.get(vocab.SHOWN) is not None else None
    first = ext.get(vocab.FIRST)
    if first is not None and not isinstance(first, bool):
        raise Refused(f"context extension {vocab.FIRST} is {quote(first)}, not true or false")
    return Answer(
        statement_id=str(model.id),
        learner=name,
        question_id=str(model.object.id.root)[len(vocab.QUESTION_PREFIX):],
        chosen=frozenset(chosen),
        correct=model.result.success,
        mode=mode,
        answered_at=_utc(model.timestamp),
        seconds=_seconds(model.result.duration),
        shown=tuple(shown) if shown is not None else None,
        first=first,
        misconceptions=_misconceptions(ext.get(vocab.MISCONCEPTION)),
    )


def _utc(when: datetime) -> datetime:
    """A timestamp without a zone is taken as UTC (xAPI asks for one; a few tools omit it), so every answer
    compares with every other."""
    from datetime import timezone

    return when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when.astimezone(timezone.utc)


def _keys(text: Any, where: str) -> list[str]:
    keys = text.split(vocab.SEPARATOR) if isinstance(text, str) else None
    if not keys or not all(_KEY.match(k) for k in keys) or len(set(keys)) != len(keys) or len(keys) > 8:
        raise Refused(f"{where} {quote(text)} is not a list of option keys joined by {vocab.SEPARATOR}")
    return keys


def _seconds(value) -> float | None:
    if value is None:
        return None
    seconds = value.total_seconds() if hasattr(value, "total_seconds") else parse_duration(value)
    return round(seconds, 3) if seconds is not None else None


def _misconceptions(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and _QUESTION.match(v) for v in value):
        raise Refused(f"context extension {vocab.MISCONCEPTION} is {quote(value)}, not a list of misconception ids")
    return tuple(value)
