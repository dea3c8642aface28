"""A lab page's session, without the page: the expected run time here, the last stored run, the learner's
prediction, the run's clock, and recording the run (like `PracticeSession` for questions).

The page (tutor.app.screens.lab_screen) shows what this decides and forwards the learner's keys; the run
itself is the lab engine's, in a child process. Torch-free, Textual-free: `lab` is the validated lab file
(tutor.lab.spec.Lab), `result` the run's tutor.lab.result.LabResult.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tutor.lab.result import ClaimOutcome, LabResult
from tutor.study import labtime
from tutor.study.labruns import host, last_run, run_record, spec_hash
from tutor.study.records import LabRun
from tutor.study.store import Store

MAX_SEEDS = 40  # the most seeds a "run with more seeds" asks for (`tutor lab --seeds` takes up to this)


class LabSession:
    def __init__(self, store: Store, lab: Any, lab_path: Path | str, *, question_id: str | None = None) -> None:
        self.store = store
        self.lab = lab
        self.lab_path = Path(lab_path)
        self.lab_id: str = lab.id  # runs are stored under the lab file's own id
        self.question_id = question_id
        self.predicted_arm: str | None = None
        self.predicted_verdict: str | None = None
        self.profile = "quick"
        self.seeds: int | None = None  # seeds of the run in progress (None: the profile's)
        self.started: float | None = None

    # -- before a run ---------------------------------------------------------------------------

    def seeds_of(self, profile: str) -> int:
        return int(self.lab.profile(profile).seeds)

    def estimate(self, profile: str, seeds: int | None = None) -> labtime.Estimate | None:
        """This machine's expected cost of a run of `profile` (with `seeds` seeds), from the last finished
        run of this lab here; None when nothing was measured here (or the lab or the store has changed shape)."""
        try:
            measured = labtime.measure(last_run(self.store, self.lab_id, profile=profile, host_name=host())
                                       or last_run(self.store, self.lab_id, host_name=host()))
            if measured is None:
                return None
            now = {n: labtime.epochs_per_seed(c) for n, c in self.lab.arm_configs(profile).items()}
            then = {n: labtime.epochs_per_seed(c) for n, c in self.lab.arm_configs(measured.profile).items()}
            return labtime.estimate(measured, seeds or self.seeds_of(profile), now, then, profile=profile)
        except Exception:  # noqa: BLE001 - an estimate is never worth a broken page (edited lab, odd store row)
            return None

    def last_run(self) -> LabRun | None:
        """The last finished run of this lab in the store (None when never run, or the store cannot be read)."""
        return last_run(self.store, self.lab_id)

    def changed_since(self, run: LabRun) -> bool:
        """The lab file has changed since `run` (its numbers may not be this lab's any more)."""
        try:
            return run.spec_hash != spec_hash(self.lab_path)
        except OSError:
            return False

    @staticmethod
    def not_shown(run: LabRun) -> list[ClaimOutcome]:
        """The stored run's claims that were not shown (or whose opposite held), read as judged claims."""
        out = []
        for data in run.claims:
            try:
                claim = ClaimOutcome.model_validate(data)
            except ValueError:
                continue
            if not claim.holds:
                out.append(claim)
        return out

    def run_epochs(self, profile: str) -> dict[str, int]:
        """Arm -> epochs of one training run (one trial of a search): the live chart's x-axis."""
        try:
            return {name: int(cfg.epochs) for name, cfg in self.lab.arm_configs(profile).items()}
        except Exception:  # noqa: BLE001 - the chart then sizes itself from the curves
            return {}

    def predict(self, arm: str | None, verdict: str | None) -> None:
        self.predicted_arm, self.predicted_verdict = arm or None, verdict or None

    # -- a run ----------------------------------------------------------------------------------

    def begin(self, profile: str, now: float, seeds: int | None = None) -> labtime.RunClock:
        """A run starts: its profile and seeds, and the clock that prices its time left."""
        self.profile, self.seeds, self.started = profile, seeds, now
        return labtime.RunClock(prior=self.estimate(profile, seeds), now=now)

    def record(self, result: LabResult | None, finished: bool, out: str | None, now: float) -> int | None:
        """Keep the run in the store with the prediction: a run that did not finish is stored as cancelled,
        never as finished. Returns the row id, or None when nothing was stored or the store made it wait
        (then `store.pending` holds it and the app retries)."""
        if result is None:
            return None
        record = run_record(result, lab_path=self.lab_path, duration_s=0.0 if self.started is None else now - self.started, out_dir=out,
                            question_id=self.question_id, predicted_arm=self.predicted_arm,
                            predicted_verdict=self.predicted_verdict, cancelled=not finished)
        return self.store.save(record)

    # -- after a run ----------------------------------------------------------------------------

    def guesses(self, result: LabResult) -> list[tuple[str, str, bool, str]]:
        """(what, the guess, right?, the outcome) for each guess made: "arm" (best validation accuracy) and "verdict"."""
        out = []
        if self.predicted_arm:
            best = result.best_arm() or "-"
            out.append(("arm", self.predicted_arm, self.predicted_arm == best, best))
        if self.predicted_verdict:
            out.append(("verdict", self.predicted_verdict, self.predicted_verdict == result.verdict, result.verdict))
        return out

    def more_seeds(self, result: LabResult | None) -> int | None:
        """How many seeds would show the claims that were not shown only because their seeds spread (the
        largest such count, at most MAX_SEEDS), when that is more than this run had; else None."""
        if result is None:
            return None
        needed = [c.numbers.seeds_to_show for c in result.claims
                  if c.why_not_shown() == "spread" and c.numbers is not None and c.numbers.seeds_to_show]
        if not needed:
            return None
        count = min(MAX_SEEDS, max(needed))
        return count if count > len(result.seeds) else None
