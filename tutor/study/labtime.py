"""How long a lab run takes on this machine: measured before, counted down during.

Before a run, the estimate comes from the last finished run of the same lab on this machine: each arm's
measured seconds per seed (from that run's result.json `timings.arms`, else the per-seed `seconds`
metric stored with the run), scaled to the profile's seeds and epochs, plus the run's fixed cost
(starting Python and torch, loading the data, writing plots). No measurement, no number: a guess from
another machine or another lab's data would be the kind of estimate that misleads.

During a run, `TimeLeft` turns the same per-arm costs into the time left: the work not done yet, in
measured seconds, counted down between epochs but never below the work left minus the epoch in
progress. So it never jumps up and never shows ~0 while an arm is half done; on a busier machine than
the measured one it waits at that floor instead of inventing a new pace. Torch-free, Textual-free.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tutor.study.records import LabRun


@dataclass(frozen=True)
class Measured:
    """One finished run's costs: seconds per seed of each arm, and the rest of the run."""

    profile: str
    seeds: int
    per_seed_s: dict[str, float]
    overhead_s: float
    run: LabRun


def _arm_seconds_from_result(out_dir: str | None) -> dict[str, float]:
    """Whole-arm seconds (feature extraction included) from the run's result.json, when it is still there."""
    if not out_dir:
        return {}
    try:
        data = json.loads((Path(out_dir) / "result.json").read_text(encoding="utf-8"))
        arms = (data.get("timings") or {}).get("arms") or {}
        return {str(k): float(v) for k, v in arms.items() if isinstance(v, (int, float)) and math.isfinite(v)}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def _arm_seconds_from_metrics(metrics: dict[str, dict[str, Any]]) -> dict[str, float]:
    """Whole-arm seconds from the per-seed training time kept in the store (without feature extraction)."""
    out = {}
    for arm, m in metrics.items():
        per_seed = (m.get("seconds") or {}).get("per_seed") if isinstance(m, dict) else None
        if per_seed:
            out[arm] = float(sum(v for v in per_seed if isinstance(v, (int, float))))
    return out


def measure(run: LabRun | None) -> Measured | None:
    """The costs of a finished run, or None when it has no usable timings."""
    if run is None or run.status != "finished" or not run.seeds:
        return None
    arm_s = _arm_seconds_from_result(run.out_dir) or _arm_seconds_from_metrics(run.metrics)
    if not arm_s:
        return None
    n = len(run.seeds)
    return Measured(profile=run.profile, seeds=n, per_seed_s={a: s / n for a, s in arm_s.items()},
                    overhead_s=max(0.0, float(run.duration_s) - sum(arm_s.values())), run=run)


def epochs_per_seed(cfg: Any) -> int:
    """Epochs one seed of an arm trains, every trial of a search counted (as `train.total_epochs`, torch-free)."""
    search = getattr(cfg, "search", None)
    if search is None:
        return int(cfg.epochs)
    grid = math.prod(len(v) for v in search.space.values())
    return int(cfg.epochs) * min(int(search.trials), grid)


@dataclass(frozen=True)
class Estimate:
    total_s: float
    per_seed_s: dict[str, float]  # arm -> expected seconds per seed in the target profile
    overhead_s: float
    scaled: bool  # from a run of another profile (seeds and epochs rescaled; data size may differ too)
    measured: Measured


def estimate(measured: Measured | None, seeds: int, epochs_now: dict[str, int], epochs_then: dict[str, int] | None = None,
             profile: str | None = None) -> Estimate | None:
    """Expected seconds of a run with `seeds` seeds and these arms, from a measured run of the same lab.

    An arm's cost scales with its epochs (`epochs_then` are the measured profile's); an arm the measured
    run did not have costs the mean per epoch of those it had."""
    if measured is None or not measured.per_seed_s:
        return None
    epochs_then = epochs_then or epochs_now
    per_epoch = {a: s / max(1, epochs_then.get(a, epochs_now.get(a, 1))) for a, s in measured.per_seed_s.items()}
    mean_epoch = sum(per_epoch.values()) / len(per_epoch)
    per_seed = {a: per_epoch.get(a, mean_epoch) * n for a, n in epochs_now.items()}
    total = measured.overhead_s + seeds * sum(per_seed.values())
    scaled = profile is not None and profile != measured.profile
    return Estimate(total_s=total, per_seed_s=per_seed, overhead_s=measured.overhead_s, scaled=scaled, measured=measured)


class TimeLeft:
    """The time left of a running lab, from per-epoch costs; monotone non-increasing by construction.

    `costs` maps arm -> measured seconds per epoch (None: not measured; then this run's own pace for that
    arm once one of its seeds has finished, or the mean pace of the arms that have). A pace is taken over
    whole seeds because the epochs of one seed can reach the screen in a burst. Arms run in the order
    given. `startup_s` is the measured run's fixed cost (None: unknown, counted as 0): whatever of it the
    time before the first epoch did not use is kept for the end (judging the claims, writing the plots)."""

    def __init__(self, epochs: dict[str, int], seeds: int, costs: dict[str, float | None], startup_s: float | None,
                 now: float) -> None:
        self.total = {a: max(0, int(n)) * seeds for a, n in epochs.items()}
        self.done = {a: 0 for a in epochs}
        self.costs = dict(costs)
        self.startup_s = startup_s or 0.0
        self.started = False  # the first epoch has ended (the startup is behind)
        self.t0 = now
        self.tail = 0.0  # seconds kept for after the last epoch
        self.last_event = now
        self.begin: dict[str, tuple[float, int]] = {}  # arm -> (when its pace starts, epochs done by then)
        self.pace: dict[str, float] = {}  # arm -> seconds per epoch in this run, over its finished seeds
        self.shown: float | None = None

    def epoch_done(self, arm: str, now: float, count: int = 1) -> None:
        if arm not in self.done:
            return
        if arm not in self.begin:  # the run's first epoch also paid the startup: that arm's pace starts after it
            self.begin[arm] = (now, count) if not self.started else (self.last_event, 0)
        if not self.started:
            first_cost = self._cost(arm) or 0.0
            self.tail = max(0.0, self.startup_s - (now - self.t0 - first_cost))
        self.started = True
        self.done[arm] = min(self.total[arm], self.done[arm] + count)
        self.last_event = now

    def seed_done(self, arm: str, now: float) -> None:
        """One seed of `arm` finished: the arm's pace so far (used where the machine has no measurement)."""
        if arm in self.begin:
            since, offset = self.begin[arm]
            if self.done[arm] > offset and now > since:
                self.pace[arm] = (now - since) / (self.done[arm] - offset)

    def arm_done(self, arm: str, now: float) -> None:
        """An arm finished (early stopping may have skipped epochs): none of its work is left."""
        if arm in self.done and self.done[arm] < self.total[arm]:
            self.done[arm] = self.total[arm]
            self.last_event = now

    def _cost(self, arm: str) -> float | None:
        if self.costs.get(arm) is not None:
            return self.costs[arm]
        if arm in self.pace:
            return self.pace[arm]
        pool = list(self.pace.values()) or [c for c in self.costs.values() if c is not None]
        return sum(pool) / len(pool) if pool else None

    def work_left(self) -> tuple[float, float] | None:
        """(seconds of work left, seconds of the item in progress), or None while nothing can be priced."""
        left, current = 0.0, None
        for arm in self.total:
            todo = self.total[arm] - self.done[arm]
            if not todo:
                continue
            cost = self._cost(arm)
            if cost is None:
                return None
            left += todo * cost
            if current is None:
                current = cost
        if not self.started:
            return left + self.startup_s, (current or 0.0) + self.startup_s
        return left + self.tail, current if current is not None else self.tail

    def left(self, now: float) -> float | None:
        """Seconds left, never more than last shown; None until a first cost is known; 0 once every epoch ran."""
        work = self.work_left()
        if work is None:
            return self.shown
        left, current = work
        raw = max(0.0, left - current, left - (now - self.last_event))
        self.shown = raw if self.shown is None else min(self.shown, raw)
        return self.shown
