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

import torch
from torch import nn

SPARSE_THRESHOLD = 1e-3  # |w| below this counts as zero for `sparsity`


def penalised(params: Iterable[nn.Parameter]) -> list[nn.Parameter]:
    """The weight tensors among `params` (conv kernels, linear weights); biases and norm parameters excluded. Each once."""
    seen: dict[int, nn.Parameter] = {}
    for p in params:
        if p.dim() >= 2:
            seen.setdefault(id(p), p)
    return list(seen.values())


def weight_penalty(params: list[nn.Parameter], l1: float = 0.0, l2: float = 0.0) -> torch.Tensor:
    """l1 * sum|w| + l2 * sum w^2 over `params` (a 0-dim tensor on their device; 0 when both are 0)."""
    total = torch.zeros((), device=params[0].device if params else None)
    for p in params:
        if l1:
            total = total + l1 * p.abs().sum()
        if l2:
            total = total + l2 * p.pow(2).sum()
    return total


@torch.no_grad()
def sparsity(params: list[nn.Parameter], threshold: float = SPARSE_THRESHOLD) -> float:
    """Fraction of the weights in `params` whose magnitude is below `threshold` (0-1)."""
    total = sum(p.numel() for p in params)
    if total == 0:
        return 0.0
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
        self.best_state: dict[str, torch.Tensor] | None = None
        self.bad_epochs = 0
        self.stopped_epoch: int | None = None

    def update(self, epoch: int, val_loss: float, model: nn.Module | None = None) -> bool:
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
