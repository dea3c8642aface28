"""The callbacks every arm may use, driven by core settings: the cosine learning-rate schedule and
`select: best_val`. Kinds of experiment bring their own (tutor/lab/kinds/)."""

from __future__ import annotations

import copy
import math
from typing import Any

from tutor.lab.spec.settings import CoreSettings
from tutor.lab.training.callback import Callback


class CosineSchedule(Callback):
    """`schedule: cosine`: every group's learning rate decays from its starting value to 0 over the steps."""

    def before_fit(self, learn: Any) -> None:
        steps_per_epoch = max(1, -(-learn.n_train // learn.cfg.batch_size))
        self.total_steps = steps_per_epoch * learn.cfg.epochs
        self.base_lrs: list[float] | None = None

    def before_step(self, learn: Any) -> None:
        if self.base_lrs is None:  # read at the first step: a kind may replace the optimiser in before_fit
            self.base_lrs = [g["lr"] for g in learn.opt.param_groups]
        factor = 0.5 * (1 + math.cos(math.pi * min(learn.step, self.total_steps) / self.total_steps))
        for g, base_lr in zip(learn.opt.param_groups, self.base_lrs):
            g["lr"] = base_lr * factor


class BestOnValidation(Callback):
    """`select: best_val`: report the weights of the epoch with the best validation accuracy."""

    def before_fit(self, learn: Any) -> None:
        self.best: tuple[float, Any, int] = (-1.0, None, 0)  # (val_acc, state, epoch)

    def after_epoch(self, learn: Any) -> None:
        va_acc = learn.epoch_result["val_acc"]
        if va_acc > self.best[0]:
            self.best = (va_acc, copy.deepcopy(learn.model.state_dict()), learn.epoch)

    def after_fit(self, learn: Any) -> None:
        if self.best[1] is not None:
            learn.model.load_state_dict(self.best[1])
            learn.chosen_epoch = self.best[2]


def core_callbacks(cfg: CoreSettings) -> list[Callback]:
    out: list[Callback] = []
    if cfg.schedule == "cosine":
        out.append(CosineSchedule())
    if cfg.select == "best_val":
        out.append(BestOnValidation())
    return out
