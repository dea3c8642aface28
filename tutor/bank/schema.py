"""The question format instructors write, as strict pydantic models.

Structure lives here (types, required fields, unknown fields rejected); rules that relate fields to
each other (answer among the options, unique keys) live in `checks.py` so each error can name the
exact line it concerns.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from tutor.bank.localtext import DEFAULT_LANGUAGE, LANGUAGES, text  # noqa: F401 - `text` is part of the schema's API

QUESTION_TYPES = ("single", "multiple", "true_false")
DIFFICULTIES = ("easy", "medium", "hard")
SLUG = r"^[a-z0-9][a-z0-9-]*$"
LAB_PARAMS = ("profile", "arms", "seeds")


def _local_text(value: Any) -> dict[str, str]:
    """A text field: plain English, or a mapping of language code to text that includes English."""
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("must not be empty")
        return {DEFAULT_LANGUAGE: value.strip()}
    if isinstance(value, dict):
        unknown = [k for k in value if k not in LANGUAGES]
        if unknown:
            raise ValueError(f"unknown language {unknown[0]!r} (use one of: {', '.join(LANGUAGES)})")
        if DEFAULT_LANGUAGE not in value:
            raise ValueError("a translated text needs an 'en' entry (the fallback)")
        bad = [k for k, v in value.items() if not isinstance(v, str) or not v.strip()]
        if bad:
            raise ValueError(f"the '{bad[0]}' text must be non-empty text")
        return {k: v.strip() for k, v in value.items()}
    raise ValueError("must be text, or a mapping of language code to text (en, ko)")


LocalText = Annotated[dict[str, str], BeforeValidator(_local_text)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Strict):
    key: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,12}$")]
    text: LocalText
    why: LocalText
    # A distractor names the wrong belief it stands for (an id in misconceptions.yaml); a key names none.
    misconception: Annotated[str | None, Field(pattern=SLUG, max_length=80)] = None


def _lab_link(value: Any) -> Any:
    return {"id": value} if isinstance(value, str) else value


class LabLink(_Strict):
    id: Annotated[str, Field(pattern=SLUG)]
    params: dict[str, Any] = Field(default_factory=dict)


def _answer(value: Any) -> Any:
    # YAML true/false answers a true/false question; store it as the option key.
    if isinstance(value, bool):
        return "T" if value else "F"
    return value


class Question(_Strict):
    id: Annotated[str, Field(pattern=SLUG, max_length=80)]
    topic: Annotated[str, Field(pattern=SLUG)]
    type: Literal["single", "multiple", "true_false"] = "single"
    difficulty: Literal["easy", "medium", "hard"] = "medium"
    stem: LocalText
    options: Annotated[list[Option], Field(min_length=2, max_length=8)]
    answer: Annotated[str | list[str], BeforeValidator(_answer)]
    explanation: LocalText
    asserts: LocalText | None = None  # the question's own central assertion, in one line (lab pages show it)
    concepts: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    tags: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    source: str | None = None
    lab: Annotated[LabLink | None, BeforeValidator(_lab_link)] = None
    shuffle: bool = True  # false when the option order carries meaning (steps "A then B", a scale)

    @property
    def answers(self) -> frozenset[str]:
        return frozenset([self.answer] if isinstance(self.answer, str) else self.answer)

    def option(self, key: str) -> Option:
        return next(o for o in self.options if o.key == key)

    def is_correct(self, chosen: set[str] | frozenset[str] | list[str]) -> bool:
        return frozenset(chosen) == self.answers

    def languages(self) -> set[str]:
        return set(self.stem)


class Topic(_Strict):
    id: Annotated[str, Field(pattern=SLUG)]
    title: LocalText
    summary: LocalText | None = None


class QuestionFile(_Strict):
    """One bank file: a list of questions."""

    questions: Annotated[list[dict[str, Any]], Field(min_length=1)]


class TopicFile(_Strict):
    topics: Annotated[list[dict[str, Any]], Field(min_length=1)]


class Term(_Strict):
    """One glossary entry: the Korean word the bank uses for an English term, and variants to avoid."""

    en: Annotated[str, Field(min_length=1)]
    ko: Annotated[str, Field(min_length=1)]
    avoid: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    # another term's Korean word that a translator may wrongly use for this one (정규화, normalisation, for
    # regularisation): flagged where the English beside it has `en_stem` and the Korean lacks `ko`
    mistaken: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    en_stem: Annotated[str, Field(min_length=4)] | None = None


class GlossaryFile(_Strict):
    terms: Annotated[list[Term], Field(min_length=1)]
    # question `concepts:` tags in Korean, in the terms' words (the feedback screen shows them: tutor.i18n.glossary)
    concepts: dict[Annotated[str, Field(pattern=SLUG)], Annotated[str, Field(min_length=1)]] = Field(default_factory=dict)


class Misconception(_Strict):
    """One wrong belief that distractors stand for (questions/misconceptions.yaml), and the lab that refutes it."""

    id: Annotated[str, Field(pattern=SLUG, max_length=80)]
    text: LocalText  # the belief, stated as its holder would; en and ko both required (checked with its line)
    lab: Annotated[str | None, Field(pattern=SLUG)] = None


class MisconceptionFile(_Strict):
    misconceptions: Annotated[list[dict[str, Any]], Field(min_length=1)]
