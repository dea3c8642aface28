"""The result of a lab run: one typed shape from the runner to result.json, the report, the plots, the
study store and the quiz app's lab page. Torch-free (the quiz app reads it), and result.json is written
and read here only (`write` / `read`).

A run's result holds its arms' metrics (mean, sd and per-seed values), each arm's settings and curves,
and the claims as judged, each with its spec (the text, its plain words in every language the lab file
gives, the questions it backs) and its numbers; `checks` are judged the same way but never count in the
verdict; the verdict itself is decided where the claims are judged (tutor.lab.verdict.judged) and only
carried here. `by_question()` groups the claims by the questions they back.

result.json written by an earlier version (plain words as one English string, no `backs`, no `checks`)
reads as the same result with those left empty; a file that is not a lab result is one `ResultError` line.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from tutor.bank.schema import LocalText, text

RESULT_FILE = "result.json"
STATUSES = ("finished", "cancelled")
VERDICTS = ("reproduced", "contradicted", "inconclusive", "cancelled")
# what a judged claim says of the question it backs (and a question of its claims: see Question.status)
SHOWN, NOT_SHOWN, OPPOSITE, NOT_RUN = "shown", "not shown", "opposite", "not run"


class ResultError(ValueError):
    """A result.json that cannot be read as a lab result (one line)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


def _nan_none(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


Num = Annotated[float | None, BeforeValidator(_nan_none)]  # JSON has no NaN: a missing number is None


class Stats(_Model):
    """One metric of one arm over the seeds."""

    mean: Num = None
    sd: Num = None
    per_seed: list[Num] = Field(default_factory=list)


class ArmDetails(_Model):
    description: str = ""
    config: dict[str, Any] = Field(default_factory=dict)
    seeds_done: list[int] = Field(default_factory=list)
    history: dict[str, dict[str, Any]] = Field(default_factory=dict)  # seed -> series -> per-epoch values
    chosen: dict[str, Any] | None = None  # seed -> a search's winning settings


class Side(_Model):
    mean: Num = None
    per_seed: list[Num] = Field(default_factory=list)


class Margin(_Model):
    mean: Num = None
    sd: Num = None
    se: Num = None
    lower: Num = None
    upper: Num = None
    per_seed: list[Num] = Field(default_factory=list)


class Numbers(_Model):
    """A judged claim's numbers (tutor.lab.verdict.rule.judge): its sides, its per-seed margin and bounds."""

    left: Side = Field(default_factory=Side)
    right: Side = Field(default_factory=Side)
    margin: Margin = Field(default_factory=Margin)
    min_effect: Num = None
    needed: Num = None
    seeds: int | None = None
    p_holds: Num = None
    p_opposite: Num = None
    seeds_to_show: int | None = None
    opposite_level: Num = None

    @property
    def effect(self) -> float:
        """The effect the lower bound had to beat."""
        value = self.min_effect if self.min_effect is not None else self.needed
        return 0.0 if value is None else value

    @property
    def n(self) -> int:
        return self.seeds if self.seeds is not None else len(self.margin.per_seed)


def _local_or_none(value: Any) -> Any:
    return value or None


class ClaimSpec(_Model):
    """A claim as the lab file registers it: its text, its plain words, the questions it backs."""

    text: str
    says: Annotated[LocalText | None, BeforeValidator(_local_or_none)] = None
    backs: list[str] = Field(default_factory=list)

    def says_in(self, lang: str = "en") -> str:
        return text(self.says, lang)


def _spec(value: Any) -> Any:
    return {"text": value} if isinstance(value, str) else value  # result.json before `backs`: claims not run as text


class ClaimOutcome(ClaimSpec):
    """A judged claim (or check): its spec, whether it holds or its opposite does, and its numbers."""

    holds: bool = False
    opposite_holds: bool = False
    numbers: Numbers | None = None

    @property
    def status(self) -> str:
        """shown (holds), opposite (its opposite holds, after Holm) or not shown."""
        return SHOWN if self.holds else (OPPOSITE if self.opposite_holds else NOT_SHOWN)

    def why_not_shown(self) -> Literal["spread", "small"] | None:
        """Why a claim neither holds nor has its opposite hold: "spread" when its mean margin beats the effect
        but the seeds spread too much for their number (`numbers.seeds_to_show` would), "small" when the mean
        itself does not beat it; None for a decided claim or one without numbers."""
        if self.status != NOT_SHOWN or self.numbers is None or not self.numbers.margin.per_seed:
            return None
        return "spread" if self.numbers.seeds_to_show else "small"


class Question(_Model):
    """One question the lab backs, with the claims that back it (in the lab file's order)."""

    id: str
    claims: list[ClaimOutcome] = Field(default_factory=list)
    not_run: list[ClaimSpec] = Field(default_factory=list)

    @property
    def status(self) -> str:
        """shown when every claim backing it holds, opposite when one's opposite holds, else not shown
        (not run when none of its claims ran)."""
        if not self.claims:
            return NOT_RUN if self.not_run else NOT_SHOWN
        if any(c.opposite_holds for c in self.claims):
            return OPPOSITE
        return SHOWN if all(c.holds for c in self.claims) and not self.not_run else NOT_SHOWN


class LabResult(_Model):
    """A lab run's result (finished, or cancelled with what it had gathered), as result.json holds it."""

    lab: str
    title: str = ""
    lab_file: str | None = None
    lab_digest: str = ""
    profile: str = "quick"
    status: Literal["finished", "cancelled"] = "finished"
    device: str = "?"
    threads: int = 0
    workers: int = 1
    threads_choice: dict[str, Any] = Field(default_factory=dict)
    seeds: list[int] = Field(default_factory=list)
    versions: dict[str, str] = Field(default_factory=dict)
    dataset: dict[str, Any] = Field(default_factory=dict)
    backbone: dict[str, Any] = Field(default_factory=dict)
    arms: dict[str, dict[str, Stats]] = Field(default_factory=dict)  # arm -> metric -> stats (finished seeds only)
    show: list[str] = Field(default_factory=list)
    arm_details: dict[str, ArmDetails] = Field(default_factory=dict)
    questions: list[str] = Field(default_factory=list)  # the lab's linked questions
    claims: list[ClaimOutcome] = Field(default_factory=list)
    claims_not_run: list[Annotated[ClaimSpec, BeforeValidator(_spec)]] = Field(default_factory=list)
    checks: list[ClaimOutcome] = Field(default_factory=list)  # the set-up is what it says; never in the verdict
    verdict: Literal["reproduced", "contradicted", "inconclusive", "cancelled"] = "cancelled"
    verdict_rule: str = ""
    metrics_help: dict[str, str] = Field(default_factory=dict)
    timings: dict[str, Any] = Field(default_factory=dict)
    started_at: str | None = None
    finished_at: str | None = None

    @property
    def finished(self) -> bool:
        return self.status == "finished"

    @property
    def total_s(self) -> float:
        return float(self.timings.get("total_s") or 0.0)

    def metric(self, arm: str, metric: str) -> Stats | None:
        return self.arms.get(arm, {}).get(metric)

    def best_arm(self, metric: str = "val_acc") -> str | None:
        """The arm with the highest mean `metric` (None when no arm has it)."""
        scored = [(s.mean, arm) for arm, m in self.arms.items() if (s := m.get(metric)) is not None and s.mean is not None]
        return max(scored)[1] if scored else None

    def by_question(self, first: str | None = None) -> list[Question]:
        """The claims grouped by the questions they back, in the lab's order of questions (`first`, the
        question the lab was opened from, leading); claims that back no listed question come last, under
        the id "" (a lab written before `backs`)."""
        order = list(dict.fromkeys([*([first] if first else []), *self.questions,
                                    *(q for c in [*self.claims, *self.claims_not_run] for q in c.backs)]))
        if first and first not in self.questions and not any(first in c.backs for c in self.claims):
            order.remove(first)
        groups = [Question(id=q, claims=[c for c in self.claims if q in c.backs],
                           not_run=[c for c in self.claims_not_run if q in c.backs]) for q in order]
        groups = [g for g in groups if g.claims or g.not_run]
        orphans = Question(id="", claims=[c for c in self.claims if not c.backs],
                           not_run=[c for c in self.claims_not_run if not c.backs])
        return groups + ([orphans] if orphans.claims or orphans.not_run else [])

    # -- result.json ----------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data (NaN and infinities as null)."""
        return json_safe(self.model_dump(mode="python"))

    @classmethod
    def from_json(cls, data: Any) -> LabResult:
        """From result.json's data (or an event's); a ResultError (one line) when it is not a lab result."""
        if not isinstance(data, dict) or "lab" not in data:
            raise ResultError("not a lab result (no `lab` field)")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ResultError(f"not a lab result this version can read ({where}: {first['msg']})") from None

    def write(self, out_dir: Path | str) -> Path:
        """result.json in `out_dir`, written atomically (a temporary file, then one rename)."""
        from tutor.atomic import atomic_open

        path = Path(out_dir) / RESULT_FILE
        with atomic_open(path, "w", prefix=".result-") as f:
            json.dump(self.to_json(), f, indent=2, ensure_ascii=False, allow_nan=False)
            f.write("\n")
        return path

    @classmethod
    def read(cls, path: Path | str) -> LabResult:
        """A result.json (or the folder holding one); a ResultError (one line) when it cannot be read."""
        path = Path(path)
        if path.is_dir():
            path = path / RESULT_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ResultError(f"{path}: cannot read it ({exc.strerror or exc})") from None
        except ValueError as exc:
            raise ResultError(f"{path}: not JSON ({exc})") from None
        try:
            return cls.from_json(data)
        except ResultError as exc:
            raise ResultError(f"{path}: {exc}") from None


def json_safe(value: Any) -> Any:
    """JSON has no NaN/inf: write them as null (and keys as text). result.json and the event stream use it."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value
