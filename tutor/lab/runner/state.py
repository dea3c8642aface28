"""What a lab run has gathered so far, and the `LabResult` it makes at any moment (finished or cancelled)."""

from __future__ import annotations

import platform
import time
from datetime import datetime, timezone
from typing import Any

import torch

import tutor
from tutor.lab.result import ArmDetails, LabResult, Stats
from tutor.lab.spec.lab import Lab
from tutor.lab.spec.metrics import metric_help
from tutor.lab.spec.settings import CoreSettings
from tutor.lab.threads import load_average
from tutor.lab.verdict.judged import Judged
from tutor.lab.verdict.rule import RULE_TEXT, mean_sd


class RunState:
    """Everything gathered so far: enough to write a (partial) result at any moment."""

    def __init__(self, lab: Lab, profile: str, seeds: list[int], configs: dict[str, CoreSettings]):
        self.lab, self.profile, self.seeds, self.configs = lab, profile, seeds, configs
        self.t0 = time.perf_counter()
        self.started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.device = "?"
        self.threads = 0
        self.workers = 1  # processes training an arm's seeds side by side
        self.threads_choice: dict[str, Any] = {}
        self.per_seed: dict[str, dict[int, dict[str, float]]] = {name: {} for name in configs}
        self.history: dict[str, dict[int, dict[str, list[float]]]] = {name: {} for name in configs}
        self.chosen: dict[str, dict[int, Any]] = {name: {} for name in configs}
        self.timings: dict[str, Any] = {"arms": {}, "kinds": {}, "load": {"start": load_average()}}
        self.judged: Judged | None = None  # the claims, checks and verdict, once every arm has run
        self.data_info: dict[str, Any] = {}
        self.backbone_info: dict[str, Any] = {}

    def set_threads(self, choice: Any) -> None:
        """The run's thread count (a `threads.ThreadChoice`), and the load it was chosen under."""
        self.threads, self.workers, self.threads_choice = choice.threads, choice.workers, choice.to_json()

    def summary(self, arm: str) -> dict[str, Stats]:
        runs = self.per_seed[arm]
        seeds = [s for s in self.seeds if s in runs]
        out = {}
        for metric in (runs[seeds[0]] if seeds else {}):
            if not all(metric in runs[s] for s in seeds):
                continue  # e.g. a search whose chosen trial differs by seed (dropout or not): not every seed has it
            values = [runs[s][metric] for s in seeds]
            mean, sd = mean_sd(values)
            out[metric] = Stats(mean=mean, sd=sd, per_seed=values)
        return out

    def details(self, name: str, cfg: CoreSettings) -> ArmDetails:
        return ArmDetails(description=cfg.describe(), config=cfg.model_dump(mode="json"),
                          seeds_done=[s for s in self.seeds if s in self.per_seed[name]],
                          history={str(s): h for s, h in self.history[name].items()},
                          chosen={str(s): c for s, c in self.chosen[name].items() if c is not None} or None)

    def result(self, status: str) -> LabResult:
        """The result so far; a finished one carries the judged claims and the verdict decided with them."""
        import torchvision

        judged = self.judged if status == "finished" and self.judged is not None else Judged()
        return LabResult(
            lab=self.lab.id, title=self.lab.title(), lab_file=self.lab.path, lab_digest=self.lab.digest(),
            profile=self.profile, status=status, device=self.device, threads=self.threads, workers=self.workers,
            threads_choice=self.threads_choice, seeds=self.seeds,
            versions={"torch": torch.__version__, "torchvision": torchvision.__version__, "tutor": tutor.__version__,
                      "python": platform.python_version()},
            dataset=self.data_info, backbone=self.backbone_info,
            arms={name: self.summary(name) for name in self.configs if self.per_seed[name]},
            show=list(self.lab.file.show),
            arm_details={name: self.details(name, cfg) for name, cfg in self.configs.items()},
            questions=list(self.lab.file.questions),
            claims=judged.claims, claims_not_run=judged.claims_not_run, checks=judged.checks,
            verdict=judged.verdict if status == "finished" else "cancelled",
            verdict_rule=RULE_TEXT, metrics_help=metric_help(),
            timings={**self.timings, "load": {**self.timings["load"], "end": load_average()},
                     "total_s": time.perf_counter() - self.t0},
            started_at=self.started_at, finished_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        )
