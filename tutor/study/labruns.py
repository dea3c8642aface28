"""Lab runs kept in the progress store: what ran, where, with which verdict, and the learner's guess.

Both `tutor lab` and the quiz app record a run from the `result.json` dictionary the engine writes.
Cancelled runs are stored too, with status `cancelled` and verdict `cancelled`, so the history is
complete; but only finished runs count as a lab's last result and feed the run-time estimates.
Each run is one insert in its own transaction, like an answer. Torch-free, Textual-free.
"""

from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from tutor.study.store import Store, _parse, iso

VERDICTS = ("reproduced", "inconclusive", "contradicted")
STATUSES = ("finished", "cancelled")


@dataclass(frozen=True)
class LabRun:
    id: int
    lab_id: str
    spec_hash: str
    profile: str
    status: str
    seeds: list[int]
    device: str
    host: str
    versions: dict[str, str]
    metrics: dict[str, dict[str, Any]] = field(repr=False)
    claims: list[dict[str, Any]] = field(repr=False)
    verdict: str
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


def spec_hash(path: Path | str) -> str:
    """sha256 of the lab file's bytes: tells runs of an edited lab apart."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def host() -> str:
    return platform.node() or "unknown"


def best_arm(metrics: dict[str, dict[str, Any]], metric: str = "val_acc") -> str | None:
    """The arm with the highest mean `metric` (None when no arm has it)."""
    scored = [(m[metric]["mean"], arm) for arm, m in metrics.items() if isinstance(m.get(metric), dict) and m[metric].get("mean") is not None]
    return max(scored)[1] if scored else None


def prediction_outcome(result: dict[str, Any], predicted_arm: str | None, predicted_verdict: str | None) -> tuple[bool | None, bool | None]:
    """(arm matched, verdict matched) for a finished result; None where no guess was made or the run did not finish."""
    if result.get("status") != "finished":
        return None, None
    arm = None if predicted_arm is None else predicted_arm == best_arm(result.get("arms", {}))
    verdict = None if predicted_verdict is None else predicted_verdict == result.get("verdict")
    return arm, verdict


def _utc_text(value: str | None) -> str:
    if not value:
        return iso(datetime.now(timezone.utc))
    dt = datetime.fromisoformat(value)
    return iso(dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc))


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(bool(value))


def record_run(
    store: Store,
    result: dict[str, Any],
    *,
    lab_path: Path | str | None = None,
    duration_s: float | None = None,
    out_dir: str | None = None,
    question_id: str | None = None,
    predicted_arm: str | None = None,
    predicted_verdict: str | None = None,
) -> int:
    """Store one run from its result.json dictionary; returns the row id. A result whose status is not
    `finished` is stored as `cancelled` (its verdict too), never as a finished run."""
    status = "finished" if result.get("status") == "finished" else "cancelled"
    path = lab_path or result.get("lab_file")
    digest = spec_hash(path) if path and Path(path).is_file() else str(result.get("lab_digest", ""))
    if duration_s is None:
        duration_s = float((result.get("timings") or {}).get("total_s") or 0.0)
    arm_ok, verdict_ok = prediction_outcome(result, predicted_arm, predicted_verdict)
    row = (
        str(result["lab"]), digest, str(result.get("profile", "quick")), status,
        json.dumps(list(result.get("seeds", []))), str(result.get("device", "?")), host(),
        json.dumps(result.get("versions", {}), sort_keys=True), json.dumps(result.get("arms", {})),
        json.dumps(result.get("claims", []), ensure_ascii=False),
        str(result.get("verdict")) if status == "finished" else "cancelled", float(duration_s), out_dir,
        _utc_text(result.get("started_at")), _utc_text(result.get("finished_at")), question_id,
        predicted_arm, predicted_verdict, _flag(arm_ok), _flag(verdict_ok),
    )
    with store.batch():
        cur = store._conn.execute(
            "INSERT INTO lab_runs (lab_id, spec_hash, profile, status, seeds, device, host, versions, metrics, claims, "
            "verdict, duration_s, out_dir, started_at, finished_at, question_id, predicted_arm, predicted_verdict, "
            "arm_matched, verdict_matched) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            row,
        )
        return int(cur.lastrowid)


_COLUMNS = ("id, lab_id, spec_hash, profile, status, seeds, device, host, versions, metrics, claims, verdict, duration_s, "
            "out_dir, started_at, finished_at, question_id, predicted_arm, predicted_verdict, arm_matched, verdict_matched")


def _run(r: tuple) -> LabRun:
    return LabRun(
        id=r[0], lab_id=r[1], spec_hash=r[2], profile=r[3], status=r[4], seeds=json.loads(r[5]), device=r[6], host=r[7],
        versions=json.loads(r[8]), metrics=json.loads(r[9]), claims=json.loads(r[10]), verdict=r[11], duration_s=r[12],
        out_dir=r[13], started_at=_parse(r[14]), finished_at=_parse(r[15]), question_id=r[16], predicted_arm=r[17],
        predicted_verdict=r[18], arm_matched=None if r[19] is None else bool(r[19]),
        verdict_matched=None if r[20] is None else bool(r[20]),
    )


def runs(store: Store, lab_id: str | None = None) -> list[LabRun]:
    """Every stored run (of one lab, or all), finished and cancelled, oldest first."""
    if lab_id is None:
        return [_run(r) for r in store._query(f"SELECT {_COLUMNS} FROM lab_runs ORDER BY id")]
    return [_run(r) for r in store._query(f"SELECT {_COLUMNS} FROM lab_runs WHERE lab_id = ? ORDER BY id", (lab_id,))]


def last_run(store: Store, lab_id: str, *, profile: str | None = None, host_name: str | None = None) -> LabRun | None:
    """The most recent FINISHED run of a lab (optionally of one profile, on one machine); cancelled runs never count."""
    sql = f"SELECT {_COLUMNS} FROM lab_runs WHERE lab_id = ? AND status = 'finished'"
    params: list[Any] = [lab_id]
    if profile is not None:
        sql += " AND profile = ?"
        params.append(profile)
    if host_name is not None:
        sql += " AND host = ?"
        params.append(host_name)
    rows = store._query(sql + " ORDER BY finished_at DESC, id DESC LIMIT 1", tuple(params))
    return _run(rows[0]) if rows else None


def last_runs(store: Store) -> dict[str, LabRun]:
    """Lab id -> its most recent finished run, for every lab that has one."""
    out: dict[str, LabRun] = {}
    for run in runs(store):
        if run.status == "finished" and (run.lab_id not in out or run.finished_at >= out[run.lab_id].finished_at):
            out[run.lab_id] = run
    return out


def timed_run(store: Store, lab_id: str, profile: str) -> LabRun | None:
    """The last finished run of this lab and profile on this machine: its duration is the estimate."""
    return last_run(store, lab_id, profile=profile, host_name=host())
