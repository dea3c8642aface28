"""What a running lab reports, as plain JSON-serialisable dataclasses. Torch-free.

`runner.run_lab(...)` yields these in order:

    LabStarted
      Stage*                         (e.g. "loading elpv", "extracting frozen features")
      ArmStarted                     (once per arm)
        EpochEnd*                    (per seed and epoch)
        SeedFinished                 (per seed: that seed's final metrics)
      ArmFinished                    (per arm: each metric's mean, sd and per-seed values)
      ClaimResult*                   (per claim, then per check, after every arm)
    LabFinished                      (the whole result, a `LabResult`, as written to result.json)

or, when the run is interrupted, `Cancelled` (with the partial result) instead of the tail. Every event
turns into one JSON line with `to_json()` and back with `from_json()`, so the quiz app can run a lab in
a subprocess and stream its events; the typed records inside (`LabResult`, `ClaimOutcome`) come back typed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from pydantic import BaseModel

from tutor.lab.result import ClaimOutcome, LabResult, Stats, json_safe


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="python")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


@dataclass
class Event:
    kind: ClassVar[str] = "event"

    def to_dict(self) -> dict[str, Any]:
        return {"event": self.kind, **json_safe({f.name: _plain(getattr(self, f.name)) for f in fields(self)})}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, allow_nan=False)


@dataclass
class LabStarted(Event):
    kind: ClassVar[str] = "lab_started"
    lab: str
    title: str
    profile: str
    device: str
    seeds: list[int]
    arms: dict[str, str]  # name -> one-line description
    epochs: dict[str, int]  # name -> epochs per seed (x trials for a search): progress totals
    out: str | None = None
    threads: int = 0  # CPU threads of the whole run (0: not recorded)
    workers: int = 1  # processes training an arm's seeds side by side (each with `threads` threads)
    costs: dict[str, float] = field(default_factory=dict)  # arm -> seconds per seed by the cost model (tutor.lab.cost)


@dataclass
class Stage(Event):
    """A step before or after training. `text` is the English line; `message` (its msgid in the catalogue,
    marked with `N_`) and `values` let whoever shows it say it in the learner's language (`shown`)."""

    kind: ClassVar[str] = "stage"
    text: str
    message: str = ""
    values: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, message: str, **values: Any) -> Stage:
        return cls(text=message.format(**values), message=message, values=values)

    def shown(self, lang: str) -> str:
        from tutor.i18n import gettext

        return gettext(lang, self.message, **self.values) if self.message else self.text


@dataclass
class ArmStarted(Event):
    kind: ClassVar[str] = "arm_started"
    arm: str
    description: str
    seeds: list[int]
    epochs: int  # per seed, counting every trial of a search


@dataclass
class EpochEnd(Event):
    kind: ClassVar[str] = "epoch_end"
    arm: str
    seed: int
    epoch: int  # 1-based, within the seed (a search counts its trials' epochs one after another)
    epochs: int
    train_acc: float
    train_loss: float
    val_acc: float
    val_loss: float
    trial: int | None = None


@dataclass
class SeedFinished(Event):
    kind: ClassVar[str] = "seed_finished"
    arm: str
    seed: int
    metrics: dict[str, float]
    history: dict[str, list[float]] = field(default_factory=dict)  # per-epoch curves of the reported run
    chosen: dict[str, Any] | None = None  # a search's winning settings


@dataclass
class ArmFinished(Event):
    kind: ClassVar[str] = "arm_finished"
    arm: str
    metrics: dict[str, Stats]  # metric -> its mean, sd and per-seed values
    seconds: float


@dataclass
class ClaimResult(Event):
    kind: ClassVar[str] = "claim_result"
    claim: ClaimOutcome  # with its spec: text, plain words, the questions it backs
    check: bool = False  # a check of the set-up, not a claim (never in the verdict)


@dataclass
class LabFinished(Event):
    kind: ClassVar[str] = "lab_finished"
    result: LabResult
    out: str | None = None
    files: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return self.result.verdict


@dataclass
class Cancelled(Event):
    kind: ClassVar[str] = "cancelled"
    reason: str
    result: LabResult
    out: str | None = None
    files: list[str] = field(default_factory=list)


EVENT_TYPES: dict[str, type[Event]] = {
    cls.kind: cls for cls in (LabStarted, Stage, ArmStarted, EpochEnd, SeedFinished, ArmFinished, ClaimResult, LabFinished, Cancelled)
}


TYPED: dict[tuple[str, str], Any] = {  # (event, field) -> its reader: the typed records come back typed
    ("lab_finished", "result"): LabResult.from_json,
    ("cancelled", "result"): LabResult.from_json,
    ("claim_result", "claim"): ClaimOutcome.model_validate,
    ("arm_finished", "metrics"): lambda v: {k: Stats.model_validate(s) for k, s in v.items()},
}


def from_dict(data: dict[str, Any]) -> Event:
    data = dict(data)
    kind = data.pop("event")
    cls = EVENT_TYPES[kind]
    names = {f.name for f in fields(cls)}
    return cls(**{k: TYPED[(kind, k)](v) if (kind, k) in TYPED else v for k, v in data.items() if k in names})


def from_json(line: str) -> Event:
    return from_dict(json.loads(line))
