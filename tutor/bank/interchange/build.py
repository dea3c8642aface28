"""Turn imported questions into tutor's YAML question records: ids, option keys, topics, placeholders.

Every format goes through here so the rules are the same for all: the id comes from the source's
explicit id, else its name, else the stem's first words; keys are A, B, ... (T and F for true/false);
a missing `why` or explanation gets a placeholder the validator accepts, and the report says so.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from tutor.bank.interchange.model import Imported
from tutor.bank.interchange.text import slug
from tutor.bank.interchange.yamlout import Flow
from tutor.bank.schema import Topic

NO_FEEDBACK = "No explanation given."
KEYS = "ABCDEFGH"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass
class Topics:
    """Known topics (shipped and earlier imports) and the new ones this import adds."""

    known: dict[str, Topic]
    new: dict[str, str] = field(default_factory=dict)  # id -> title

    def resolve(self, wanted: str | None, category: str, fallback: str) -> str:
        """--topic, else the Moodle category (by id or title), else a new topic named after the file."""
        for name in (wanted, _last_segment(category), fallback):
            if not name:
                continue
            by_title = {t.title.get("en", "").lower(): t.id for t in self.known.values()}
            if name in self.known or name in self.new:
                return name
            if name.lower() in by_title:
                return by_title[name.lower()]
            ident = slug(name) or "imported"
            if ident not in self.known:
                self.new.setdefault(ident, name)
            return ident
        return "imported"


def _last_segment(category: str) -> str:
    parts = [p.strip() for p in re.split(r"(?<!/)/(?!/)", category or "") if p.strip()]
    parts = [p for p in parts if p not in ("$course$", "$cat$", "$system$", "$module$", "top")]
    return parts[-1].replace("//", "/") if parts else ""


class Ids:
    """Unique ids for one import run."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, q: Imported) -> tuple[str, str | None]:
        """The id, and a note when it had to be made up or changed."""
        note = None
        if _ID.match(q.idnumber) and len(q.idnumber) <= 80:
            base = q.idnumber
        elif _ID.match(q.name) and len(q.name) <= 80:
            base = q.name
        elif slug(q.name):
            base = slug(q.name)
        else:
            # Same text, same id on every re-import, so learners' progress stays with the question.
            base = slug(" ".join(q.stem.split()[:8])) or f"q-{hashlib.sha1(q.stem.encode()).hexdigest()[:10]}"
            note = f"id '{base}' made from the question text"
        ident, n = base, 1
        while ident in self.used:
            n += 1
            ident = f"{base[:76]}-{n}"
        if ident != base:
            note = f"id '{base}' was taken: stored as '{ident}'"
        self.used.add(ident)
        return ident, note


def credit_share(n: int) -> str:
    """Each right option's percentage in an n-answer question, in a form Moodle accepts (33.33333, 12.5)."""
    return f"{100 / n:.5f}".rstrip("0").rstrip(".")


def record(q: Imported, ident: str, topic: str) -> tuple[dict, int]:
    """The YAML record for one question, and how many placeholders it needed."""
    placeholders = 0
    keys = ["T", "F"] if q.type == "true_false" else list(KEYS[: len(q.choices)])
    options = []
    for key, choice in zip(keys, q.choices):
        placeholders += not choice.why
        options.append({"key": key, "text": choice.text, "why": choice.why or NO_FEEDBACK})
    answers = [k for k, c in zip(keys, q.choices) if c.correct]
    out: dict = {"id": ident, "topic": topic}
    if q.type != "single":
        out["type"] = q.type
    out["stem"] = q.stem
    out["options"] = options
    out["answer"] = Flow(answers) if q.type == "multiple" else answers[0]
    placeholders += not q.explanation
    out["explanation"] = q.explanation or NO_FEEDBACK
    if q.concepts:
        out["concepts"] = Flow(q.concepts)
    if not q.shuffle:
        out["shuffle"] = False
    return out, placeholders


def shape_problem(q: Imported) -> tuple[bool, str] | None:
    """(is it an error in the input, message) when tutor cannot hold this question as it is, else None.

    Errors are what Moodle itself rejects (no text, fewer than two options); the rest are tutor's limits
    (more than 8 options, two right answers in a single-answer question) and are listed as not imported.
    """
    if not q.stem:
        return True, "the question has no text"
    if len(q.choices) < 2:
        return True, f"{len(q.choices)} option(s): a multiple-choice question needs at least 2"
    empty = [i + 1 for i, c in enumerate(q.choices) if not c.text]
    if empty:
        return True, f"option {empty[0]} has no text"
    if len(q.choices) > 8:
        return False, f"{len(q.choices)} options (tutor takes 2 to 8)"
    right = sum(c.correct for c in q.choices)
    if q.type == "multiple" and right < 1:
        return True, "no option carries credit"
    if q.type != "multiple" and right != 1:
        return False, f"{right} options are marked right (a single-answer question has exactly one)"
    return None
