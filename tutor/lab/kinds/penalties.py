"""Explicit weight penalties (L1, L2, elastic net), weight sparsity, and early stopping.

Why a module of its own: `weight_decay` in the optimiser is *decoupled* for AdamW and folded into Adam's
adaptive step for Adam; the regularisation lab needs the textbook version too, a penalty added to the
loss (`l1`, `l2` arm settings), so that L2-in-the-loss and decoupled decay can be compared, and L1's
sparsity measured against L2's.

- `penalised(params)`: the weights a penalty acts on: the optimiser's tensors with two or more dimensions
  (convolution kernels and linear weights). Biases and batch-norm scales/shifts are left alone, as usual.
- `weight_penalty(params, l1, l2)` = l1 * sum|w| + l2 * sum w^2, summed over every penalised weight
  (not averaged: lambda is per weight, as in lasso/ridge). Its gradient is l1 * sign(w) + 2 * l2 * w.
- `sparsity(params)`: fraction of penalised weights with |w| < SPARSE_THRESHOLD (1e-3, absolute).
- `EarlyStopping`: stop when the validation loss has not improved for `patience` epochs; keep a copy of
  the best epoch's weights so that the caller can restore them.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import Field

from tutor.lab.spec.settings import ArmSettings
from tutor.lab.training.callback import Callback

ORDER = 70

METRICS = {
    "sparsity": "fraction of the trained weights (conv kernels and linear weights, not biases or norm parameters) "
                "whose magnitude is below 0.001 at the end, 0-1",
    "stopped_epoch": "arms with early_stopping: the epoch training stopped at (= epochs when the patience never ran out)",
}
UNITS = {"stopped_epoch": "count"}


class Settings(ArmSettings):
    l1: Annotated[float, Field(ge=0.0, le=10.0)] = 0.0  # + l1 * sum|w| over conv/linear weights
    l2: Annotated[float, Field(ge=0.0, le=10.0)] = 0.0  # + l2 * sum w^2 (in the loss: Adam rescales it)
    early_stopping: Annotated[int, Field(ge=1, le=1000)] | None = None  # patience (epochs) on validation loss


def check(cfg: Any) -> str | None:
    if cfg.early_stopping is not None and (cfg.select != "last" or cfg.search is not None or cfg.method != "train"):
        return ("early_stopping restores the best epoch on validation loss itself: no select: best_val, "
                "search or method: prototype with it")
    return None


def describe(cfg: Any) -> list[str]:
    parts = []
    if cfg.l1 or cfg.l2:
        parts.append(" + ".join(f"{k} {v:g}" for k, v in (("L1", cfg.l1), ("L2", cfg.l2)) if v) + " penalty")
    if cfg.early_stopping is not None:
        parts.append(f"early stopping (patience {cfg.early_stopping})")
    return parts


def callbacks(cfg: Any) -> list[Callback]:
    return [Penalties()]  # sparsity is reported for every trained arm


class Penalties(Callback):
    """The penalty in the loss, early stopping on validation loss, and the sparsity of the trained weights."""

    def before_fit(self, learn: Any) -> None:
        cfg = learn.cfg
        self.params = penalised(learn.head_params + learn.bb_params) if (cfg.l1 or cfg.l2) else []
        self.stopper = EarlyStopping(cfg.early_stopping) if cfg.early_stopping is not None else None

    def after_loss(self, learn: Any) -> None:
        if self.params:  # explicit L1 / L2 / elastic-net penalty: part of the loss the optimiser sees
            learn.loss = learn.loss + weight_penalty(self.params, learn.cfg.l1, learn.cfg.l2)

    def after_epoch(self, learn: Any) -> None:
        if self.stopper is not None and self.stopper.update(learn.epoch, learn.epoch_result["val_loss"], learn.model):
            learn.stop = True  # validation loss has not improved for `early_stopping` epochs

    def after_fit(self, learn: Any) -> None:
        if self.stopper is not None and self.stopper.best_state is not None:  # the lowest-validation-loss epoch
            learn.model.load_state_dict(self.stopper.best_state)
            learn.chosen_epoch = self.stopper.best_epoch

    def after_metrics(self, learn: Any) -> None:
        learn.metrics["sparsity"] = sparsity(penalised(learn.head_params + learn.bb_params))
        if self.stopper is not None:
            learn.metrics["stopped_epoch"] = float(len(learn.hist["val_acc"]))



SPARSE_THRESHOLD = 1e-3  # |w| below this counts as zero for `sparsity`


def penalised(params: Iterable[Any]) -> list[Any]:
    """The weight tensors among `params` (conv kernels, linear weights); biases and norm parameters excluded. Each once."""
    seen: dict[int, Any] = {}
    for p in params:
        if p.dim() >= 2:
            seen.setdefault(id(p), p)
    return list(seen.values())


def weight_penalty(params: list[Any], l1: float = 0.0, l2: float = 0.0) -> Any:
    """l1 * sum|w| + l2 * sum w^2 over `params` (a 0-dim tensor on their device; 0 when both are 0)."""
    import torch

    total = torch.zeros((), device=params[0].device if params else None)
    for p in params:
        if l1:
            total = total + l1 * p.abs().sum()
        if l2:
            total = total + l2 * p.pow(2).sum()
    return total


def sparsity(params: list[Any], threshold: float = SPARSE_THRESHOLD) -> float:
    """Fraction of the weights in `params` whose magnitude is below `threshold` (0-1)."""
    import torch

    total = sum(p.numel() for p in params)
    if total == 0:
        return 0.0
    with torch.no_grad():
        small = sum(int((p.detach().abs() < threshold).sum()) for p in params)
    return small / total


class EarlyStopping:
    """Stop once the validation loss has not improved (by more than `min_delta`) for `patience` epochs.

    Call `update(epoch, val_loss, model)` after every epoch; it returns True when training should stop.
    `best_state` / `best_epoch` are the weights and epoch of the lowest validation loss so far.
    """

    def __init__(self, patience: int, min_delta: float = 0.0):
        if patience < 1:
            raise ValueError("patience must be at least 1 epoch")
        self.patience, self.min_delta = patience, min_delta
        self.best_loss = float("inf")
        self.best_epoch = 0
        self.best_state: dict[str, Any] | None = None
        self.bad_epochs = 0
        self.stopped_epoch: int | None = None

    def update(self, epoch: int, val_loss: float, model: Any = None) -> bool:
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.bad_epochs = val_loss, epoch, 0
            if model is not None:
                self.best_state = copy.deepcopy(model.state_dict())
            return False
        self.bad_epochs += 1
        if self.bad_epochs >= self.patience:
            self.stopped_epoch = epoch
            return True
        return False
