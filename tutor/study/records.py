"""What the progress store takes and gives back: typed records, one per kind of write or row.

A session builds a record and hands it to `Store.save`; when the database refuses it (locked, disk
full), the store keeps the record itself in its retry queue, so a retried write is the same data the
learner produced, never a closure over a screen or a session. Rows read back are records too
(`LabRun` is a `LabRunRecord` with its row id). Plain dataclasses: no SQL, no Textual, no torch.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

VERDICTS = ("reproduced", "inconclusive", "contradicted")
STATUSES = ("finished", "cancelled")


@dataclass(frozen=True)
class AnswerRecord:
    """One committed answer; writing it also moves the question's FSRS card (right: Good, wrong: Again)."""

    what: ClassVar[str] = "answer"
    question_id: str
    chosen: frozenset[str]
    correct: bool
    mode: str
    answered_at: datetime
    seconds: float | None = None
    shown: tuple[str, ...] | None = None  # option keys in the order the learner saw them
    # The answer's xAPI statement id, fixed when the record is made: a retried write, a re-export or a re-sent
    # batch carries the same id, so an import or a learning record store never counts the answer twice.
    statement_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    confidence: str | None = None  # guessing | fairly_sure | sure (certainty-based marking), None when not asked


@dataclass(frozen=True)
class ExamRecord:
    """A finished exam: its answered questions and its report, written in one transaction."""

    what: ClassVar[str] = "exam"
    answers: tuple[AnswerRecord, ...]
    started_at: datetime
    finished_at: datetime
    count: int
    minutes: float
    score: int
    report: dict[str, Any] = field(repr=False)  # the report as JSON-ready data (ExamReport.to_dict())


@dataclass(frozen=True, kw_only=True)
class LabRunRecord:
    """One lab run (finished or cancelled), with the learner's prediction when one was made."""

    what: ClassVar[str] = "lab run"
    lab_id: str
    spec_hash: str  # sha256 of the lab file's bytes: tells runs of an edited lab apart
    profile: str
    status: str  # finished | cancelled
    seeds: list[int]
    device: str
    host: str  # where it ran: "this machine" for time estimates
    versions: dict[str, str]
    metrics: dict[str, dict[str, Any]] = field(repr=False)  # arm -> metric -> {mean, sd, per_seed}
    claims: list[dict[str, Any]] = field(repr=False)
    verdict: str  # reproduced | inconclusive | contradicted | cancelled
    duration_s: float
    out_dir: str | None
    started_at: datetime
    finished_at: datetime
    question_id: str | None = None
    predicted_arm: str | None = None
    predicted_verdict: str | None = None
    arm_matched: bool | None = None
    verdict_matched: bool | None = None

    @property
    def best_arm(self) -> str | None:
        return best_arm(self.metrics)


@dataclass(frozen=True, kw_only=True)
class LabRun(LabRunRecord):
    """A stored lab run."""

    id: int


Record = AnswerRecord | ExamRecord | LabRunRecord


def best_arm(metrics: dict[str, dict[str, Any]], metric: str = "val_acc") -> str | None:
    """The arm with the highest mean `metric` (None when no arm has it)."""
    scored = [(m[metric]["mean"], arm) for arm, m in metrics.items()
              if isinstance(m.get(metric), dict) and m[metric].get("mean") is not None]
    return max(scored)[1] if scored else None
