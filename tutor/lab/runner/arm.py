"""One arm, one seed: the training loop with the callbacks of every kind of experiment, unless a kind trains
the arm its own way (a search, prototypes). The glue between tutor.lab.kinds and tutor.lab.training."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import torch

from tutor.lab.events import EpochEnd
from tutor.lab.kinds import KINDS
from tutor.lab.runner.prepare import arm_mode
from tutor.lab.spec.settings import CoreSettings
from tutor.lab.training.arm import ArmData, ModelParts
from tutor.lab.training.learner import Learner


def total_epochs(cfg: CoreSettings) -> int:
    """Epochs per seed (every trial of a search counted): the progress totals."""
    return KINDS.epochs(cfg)


def arm_kind(cfg: CoreSettings, n_stages: int) -> str:
    """What the runner dispatches an arm to, for timings: a kind with its own trainer or network ("search",
    "prototype", "plain"), else the loop's mode: "head" (cached frozen features), "top" (cached lower
    stages), "full" (images every step: fine-tuning, augmentation)."""
    return KINDS.dispatched(cfg) or arm_mode(cfg, n_stages)


def train_arm(cfg: CoreSettings, data: ArmData, parts: ModelParts, *, seed: int, device: torch.device,
              arm: str) -> Iterator[EpochEnd]:
    """Yields EpochEnd; returns the seed's SeedResult."""

    def fit(run_cfg: CoreSettings, **kwargs: Any) -> Iterator[EpochEnd]:
        learner = Learner(run_cfg, data, parts, seed=seed, device=device, arm=arm, callbacks=KINDS.callbacks(run_cfg),
                          build_model=KINDS.build_model, **kwargs)
        return (yield from learner.fit())

    own = KINDS.trainer(cfg)
    if own is not None:
        return (yield from own(cfg, data, parts, fit, seed=seed, arm=arm))
    return (yield from fit(cfg, total_epochs=total_epochs(cfg)))
