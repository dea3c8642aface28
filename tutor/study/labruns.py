"""Lab runs kept in the progress store: what ran, where, with which verdict, and the learner's guess.

Both `tutor lab` and the quiz app record a run from its `LabResult` (tutor.lab.result; a result.json
dictionary is read as one).
Cancelled runs are stored too, with status `cancelled` and verdict `cancelled`, so the history is
complete; but only finished runs count as a lab's last result and feed the run-time estimates.
Each run is one insert in its own transaction, like an answer. Torch-free, Textual-free.
"""

from __future__ import annotations

import hashlib
import platform
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tutor.lab.result import LabResult
from tutor.study.records import STATUSES, VERDICTS, LabRun, LabRunRecord, best_arm
from tutor.study.store import Store

__all__ = ["STATUSES", "VERDICTS", "LabRun", "best_arm", "host", "last_run", "last_runs", "record_run", "run_record",
           "runs", "spec_hash", "timed_run"]


def spec_hash(path: Path | str) -> str:
    """sha256 of the lab file's bytes: tells runs of an edited lab apart."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def host() -> str:
    return platform.node() or "unknown"


def as_result(result: LabResult | dict[str, Any]) -> LabResult:
    """The run's result, typed (a result.json dictionary is read as one; a ResultError, a ValueError, if not)."""
    return result if isinstance(result, LabResult) else LabResult.from_json(result)


def prediction_outcome(result: LabResult | dict[str, Any], predicted_arm: str | None,
                       predicted_verdict: str | None) -> tuple[bool | None, bool | None]:
    """(arm matched, verdict matched) for a finished result; None where no guess was made or the run did not finish."""
    result = as_result(result)
    if not result.finished:
        return None, None
    arm = None if predicted_arm is None else predicted_arm == result.best_arm()
    verdict = None if predicted_verdict is None else predicted_verdict == result.verdict
    return arm, verdict


def _utc(value: str | None) -> datetime:
    if not value:
        return datetime.now(timezone.utc)
    dt = datetime.fromisoformat(value)
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def run_record(
    result: LabResult | dict[str, Any],
    *,
    lab_path: Path | str | None = None,
    duration_s: float | None = None,
    out_dir: str | None = None,
    question_id: str | None = None,
    predicted_arm: str | None = None,
    predicted_verdict: str | None = None,
    cancelled: bool = False,
) -> LabRunRecord:
    """A run as the store keeps it, from its result. A result whose status is not `finished` (or that the
    caller says was `cancelled`) is kept as `cancelled` (its verdict too), never as a finished run."""
    result = as_result(result)
    if cancelled and result.finished:
        result = result.model_copy(update={"status": "cancelled"})
    status = "finished" if result.finished else "cancelled"
    path = lab_path or result.lab_file
    digest = spec_hash(path) if path and Path(path).is_file() else result.lab_digest
    if duration_s is None:
        duration_s = result.total_s
    arm_ok, verdict_ok = prediction_outcome(result, predicted_arm, predicted_verdict)
    data = result.to_json()  # the store keeps the arms' metrics and the judged claims as JSON
    return LabRunRecord(
        lab_id=result.lab, spec_hash=digest, profile=result.profile, status=status,
        seeds=list(result.seeds), device=result.device, host=host(),
        versions=dict(result.versions), metrics=data["arms"], claims=data["claims"],
        verdict=result.verdict if status == "finished" else "cancelled", duration_s=float(duration_s),
        out_dir=out_dir, started_at=_utc(result.started_at), finished_at=_utc(result.finished_at),
        question_id=question_id, predicted_arm=predicted_arm, predicted_verdict=predicted_verdict,
        arm_matched=arm_ok, verdict_matched=verdict_ok,
    )


def record_run(store: Store, result: LabResult | dict[str, Any], **details: Any) -> int:
    """Store one run now from its result (see `run_record`); returns the row id."""
    return store.add(run_record(result, **details))


def runs(store: Store, lab_id: str | None = None) -> list[LabRun]:
    """Every stored run (of one lab, or all), finished and cancelled, oldest first."""
    return store.lab_runs(lab_id)


def last_run(store: Store, lab_id: str, *, profile: str | None = None, host_name: str | None = None) -> LabRun | None:
    """The most recent FINISHED run of a lab (optionally of one profile, on one machine); cancelled runs never count."""
    found = store.lab_runs(lab_id, finished=True, profile=profile, host=host_name, latest=True)
    return found[0] if found else None


def last_runs(store: Store) -> dict[str, LabRun]:
    """Lab id -> its most recent finished run, for every lab that has one."""
    out: dict[str, LabRun] = {}
    for run in store.lab_runs(finished=True):
        if run.lab_id not in out or run.finished_at >= out[run.lab_id].finished_at:
            out[run.lab_id] = run
    return out


def timed_run(store: Store, lab_id: str, profile: str) -> LabRun | None:
    """The last finished run of this lab and profile on this machine: its duration is the estimate."""
    return last_run(store, lab_id, profile=profile, host_name=host())
