"""How long a lab run takes on this machine: measured before, counted down during.

Before a run, the estimate comes from the last finished run of the same lab on this machine: each arm's
measured seconds per seed (from that run's result.json `timings.arms`, else the per-seed `seconds`
metric stored with the run), scaled to the profile's seeds and epochs, plus the run's fixed cost
(starting Python and torch, loading the data, writing plots). No measurement, no number: a guess from
another machine or another lab's data would be the kind of estimate that misleads.

During a run, `RunClock` turns per-arm costs into the time left: this machine's measured ones when it
has them, else the engine's cost model (`tutor.lab.cost`, sent with the run's first event), in both
cases calibrated by the run itself as arms finish and epochs end. It never freezes while an arm trains
(issue 24: a first run's time left stood still for a minute on an early, too low guess); a benchmark
(benchmarks/bench_lab_estimate.py) replays real first runs against it. Torch-free, Textual-free.
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


OWN_PACE_FROM = 0.1  # share of an arm's epochs after which its own pace alone prices the rest of it (blended before)
# judging, plots, exit after the last arm: a first run's tail grows with its arms (idle first runs of the 15 labs:
# 1.3 s for 3 arms to 2.8 s for 13, fitted 1.6 + 0.05 s an arm; 1.2-4.5 s under load)
FIRST_RUN_TAIL_S, FIRST_RUN_TAIL_PER_ARM, FIRST_RUN_TAIL_SHARE = 1.6, 0.05, 0.0
PACE_MEMORY_S = 30.0  # the pace counts each epoch's seconds with weight exp(-age / this): a busy machine's pace drifts
PACE_FROM_S = 1.0  # seconds of training the pace needs before it prices anything (two workers' epochs come in bursts)


@dataclass
class _Arm:
    """One arm's part of a running lab: its work (epochs over every seed) and when it ran."""

    total: int
    basis: float | None  # expected cost of the whole arm, in the clock's unit (seconds, or the cost model's)
    done: int = 0
    ran: int = 0  # epochs it actually trained (early stopping may end an arm before its total)
    started: float | None = None
    first_epoch: float | None = None
    last_epoch: float | None = None
    finished: float | None = None
    own_s: float = 0.0  # seconds from its first epoch to its last (or its end): its pace, without what came
    # before its first epoch (loading data, extracting features: not the arm's work)

    @property
    def fraction(self) -> float:
        return min(1.0, self.done / self.total) if self.total else 1.0

    @property
    def unit(self) -> float:
        """Basis units of one epoch."""
        return (self.basis or 0.0) / self.total if self.total else 0.0

    def pace(self) -> float | None:
        """Seconds per epoch, from the epochs it trained after its first."""
        return self.own_s / (self.ran - 1) if self.ran >= 2 and self.own_s > 0 else None

    def prep(self) -> float | None:
        """Seconds from its start to its first epoch, less one epoch: what it did before training."""
        pace = self.pace()
        if pace is None or self.started is None or self.first_epoch is None:
            return None
        return max(0.0, self.first_epoch - self.started - pace)


class _Pace:
    """Seconds per unit of basis, from every epoch that ended after the first of its arm, recent ones counting
    most (weight halves every PACE_MEMORY_S * ln 2 seconds): kept as two decayed sums, so reading it is free."""

    def __init__(self) -> None:
        self.seconds = self.units = self.seen = 0.0
        self.at: float | None = None

    def add(self, now: float, seconds: float, units: float) -> None:
        if self.at is not None:
            decay = math.exp(-max(0.0, now - self.at) / PACE_MEMORY_S)
            self.seconds, self.units = self.seconds * decay, self.units * decay
        self.at = now
        self.seconds, self.units, self.seen = self.seconds + seconds, self.units + units, self.seen + seconds

    def value(self) -> float | None:
        if self.seen < PACE_FROM_S or self.units <= 0 or self.seconds <= 0:
            return None
        return self.seconds / self.units


class RunClock:
    """The time left of a running lab, fed the lab's events as they arrive (`feed`), read with `left(now)`.

    Each arm's expected cost comes from this machine's last finished run of the lab (`prior`, seconds) or,
    on a first run, from the engine's cost model (`LabStarted.costs`, model seconds per seed): either way a
    basis whose scale (the pace, `_Pace`) is calibrated by the run itself from every epoch that ended, recent
    ones counting most (a shared machine's load drifts), once a second of training is behind it. The arm in
    progress is priced by its own pace once a tenth of it and a second of training have run (blended with
    the calibrated basis before that), the arms to come by the calibrated basis plus the preparation the
    arms before them took (past that, counting on at half speed). So the first run's
    estimate follows the run instead of freezing on an early guess: the shown value falls with the clock
    between epochs, falls at once when the run goes faster, rises smoothly (never in one jump) when an arm
    turns out clearly slower than priced, and counts on at half speed when it is only a little slower,
    so it never stands still while an arm trains. None ("estimating") until something can be priced."""

    RISE_S = 2.0  # time constant of a rise: the shown value moves ~40 % of the way to a higher estimate per second
    SLACK = 0.1  # an estimate up to 10 % (+2 s) above the shown value does not raise it: the count goes on

    def __init__(self, *, prior: Estimate | None = None, now: float) -> None:
        self.prior = prior
        self.t0 = now
        self.arms: dict[str, _Arm] = {}
        self.unit_is_seconds = False  # the basis is measured seconds (trusted before any calibration)
        self.training = False  # an arm is between its start and its end
        self.finishing = False  # every arm ended: judging the claims, writing the plots
        self.shown: float | None = None
        self.shown_at = now
        self.pace = _Pace()

    # -- events ---------------------------------------------------------------------------------

    def feed(self, event: Any, now: float) -> None:
        """One event of the run (tutor.lab.events, as the lab page receives them)."""
        kind = event.kind
        if kind == "lab_started":
            self.start(dict(event.epochs), len(event.seeds), dict(getattr(event, "costs", None) or {}), now)
        elif kind == "arm_started":
            self.arm_started(event.arm, now)
        elif kind == "epoch_end":
            self.epoch_done(event.arm, now)
        elif kind == "arm_finished":
            self.arm_done(event.arm, now)
        elif kind in ("claim_result", "lab_finished", "cancelled"):
            self.training, self.finishing = False, True

    def start(self, epochs: dict[str, int], seeds: int, costs: dict[str, float], now: float) -> None:
        """The run's arms (in order), epochs per seed, seeds, and the cost model's seconds per seed of each arm."""
        measured = self.prior.per_seed_s if self.prior is not None else {}
        if measured and all(a in measured for a in epochs):
            basis, self.unit_is_seconds = {a: measured[a] * seeds for a in epochs}, True
        elif costs and all(costs.get(a) for a in epochs):
            basis = {a: float(costs[a]) * seeds for a in epochs}
        else:  # nothing to tell the arms apart: an epoch is an epoch
            basis = {a: float(max(1, int(n)) * seeds) for a, n in epochs.items()}
        self.arms = {a: _Arm(total=max(0, int(n)) * seeds, basis=basis[a]) for a, n in epochs.items()}

    def arm_started(self, arm: str, now: float) -> None:
        if arm in self.arms:
            self.arms[arm].started = now
            self.training = True

    def epoch_done(self, arm: str, now: float) -> None:
        a = self.arms.get(arm)
        if a is None:
            return
        if a.started is None:
            self.arm_started(arm, now)
        if a.last_epoch is not None:
            a.own_s += now - a.last_epoch
            self.pace.add(now, now - a.last_epoch, a.unit)
        a.done = min(a.total, a.done + 1)
        a.ran = a.done
        a.last_epoch = now
        if a.first_epoch is None:
            a.first_epoch = now

    def arm_done(self, arm: str, now: float) -> None:
        """An arm ended (early stopping may have skipped epochs): none of its work is left."""
        a = self.arms.get(arm)
        if a is not None:
            if a.last_epoch is not None and a.ran >= 2 and now > a.last_epoch:  # its last seed's final scores
                a.own_s += now - a.last_epoch
                self.pace.add(now, now - a.last_epoch, 0.0)
            a.done, a.finished = a.total, now
            if a.started is None:
                a.started = now
            self.training = False

    # -- the estimate ---------------------------------------------------------------------------

    def scale(self) -> float | None:
        """Seconds per unit of basis, from what the arms trained so far, recent epochs counting most (None
        before two epochs of an arm ended, unless the basis is measured seconds)."""
        k = self.pace.value()
        if k is not None:
            return k
        return 1.0 if self.unit_is_seconds else None

    def _prep(self) -> float:
        """What an arm to come spends before its first epoch: as the arms after the first did (the first
        also loaded the data)."""
        preps = [p for a in list(self.arms.values())[1:] if (p := a.prep()) is not None]
        return sum(preps) / len(preps) if preps else 0.0

    def raw_left(self, now: float) -> float | None:
        """The estimate itself, before smoothing: None while nothing can be priced."""
        if not self.arms:
            return None
        k = self.scale()
        left = 0.0
        for a in self.arms.values():
            if a.finished is not None:
                continue
            if a.started is None or a.done == 0:  # an arm to come, or one still preparing
                if k is None:
                    return None
                waited, expected = (0.0 if a.started is None else now - a.started), self._prep()
                # a preparation longer than the others' (a new dataset loaded, its features extracted) still
                # leaves the arm's training to come: past the expected, the clock runs on at half speed
                late = max(0.0, waited - expected)
                left += max(0.5 * k * (a.basis or 0.0), k * (a.basis or 0.0) + max(0.0, expected - waited) - late / 2)
                continue
            pace = a.pace()
            own = None if pace is None else max(0.0, pace * (a.total - a.done) - (now - a.last_epoch))
            priced = None if k is None else max(0.0, k * (a.basis or 0.0) * (1 - a.fraction) - (now - a.last_epoch))
            if own is None and priced is None:
                return None
            # its own pace, once it rests on a second of training (two workers' first epochs come in pairs)
            trusted = own is not None and a.own_s >= PACE_FROM_S
            weight = 1.0 if priced is None else (min(1.0, a.fraction / OWN_PACE_FROM) if trusted else 0.0)
            left += weight * (own or 0.0) + (1 - weight) * (priced or 0.0)
        return left + self._fixed_left(now)

    def _fixed_left(self, now: float) -> float:
        """The measured run's fixed cost not spent yet: the start-up while it runs, then what the start-up did
        not use, kept for the end (judging the claims, writing the plots). 0 on a first run (not known)."""
        if self.prior is None or not self.unit_is_seconds:  # a first run: the end's usual share of a run
            k = self.scale()
            work = 0.0 if k is None else k * sum(a.basis or 0.0 for a in self.arms.values())
            tail = FIRST_RUN_TAIL_S + FIRST_RUN_TAIL_PER_ARM * len(self.arms)
            return 0.0 if self.finishing else tail + FIRST_RUN_TAIL_SHARE * work
        starts = [a.started for a in self.arms.values() if a.started is not None]
        if not starts:
            return max(0.0, self.prior.overhead_s - (now - self.t0))
        return max(0.0, self.prior.overhead_s - (min(starts) - self.t0))

    def left(self, now: float) -> float | None:
        """Seconds left as the page shows them: falls with the clock, rises smoothly; None until priced."""
        raw = self.raw_left(now)
        if raw is None:
            return self.shown
        dt = max(0.0, now - self.shown_at)
        if self.shown is None or raw <= self.shown:
            self.shown = raw
        elif raw > self.shown * (1 + self.SLACK) + 2.0:  # clearly more than shown: rise towards it, smoothly
            self.shown += (raw - self.shown) * (1 - math.exp(-dt / self.RISE_S))
        else:  # a little more than shown: keep counting down, at half speed, rather than stand still
            self.shown = max(0.0, self.shown - dt / 2)
        self.shown_at = now
        return self.shown

    @property
    def all_epochs_done(self) -> bool:
        return bool(self.arms) and all(a.done >= a.total for a in self.arms.values())
