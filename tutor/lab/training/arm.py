"""What an arm's training is handed (its data splits, how to build its model) and what it returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

CURVE_TRAIN_IMAGES = 200  # per-epoch training accuracy is measured on at most this many training images


@dataclass
class Split:
    x: torch.Tensor  # images (N,1,S,S) or features (N,D), on the training device
    y: torch.Tensor


@dataclass
class ArmData:
    """What the trainable part of the model sees. mode "head": x are pooled frozen features (only the head
    trains); "top": x are the activations after the frozen lower stages (the top stages and the head
    train); "full": x are images (augmentation, or fine-tuning from the first stage)."""

    train: Split
    val: Split
    test: Split
    num_classes: int
    mode: str = "full"
    train_eval: Split | None = None  # up to CURVE_TRAIN_IMAGES training images for the per-epoch curves
    # An augmented arm trains on images, but its frozen lower stages give the same activations for
    # un-augmented images every time: evaluation then runs only the trainable top on cached activations.
    eval_frozen: int | None = None  # stages already applied in the eval_* splits (None: evaluate on images)
    eval_train: Split | None = None
    eval_val: Split | None = None
    eval_test: Split | None = None
    eval_curve: Split | None = None
    # When a kind changed the training labels (label noise), every training split above holds the labels trained
    # on, and this the labels as drawn, in the order of `train`; validation and test always hold the true labels.
    train_drawn: torch.Tensor | None = None

    @property
    def features(self) -> bool:
        return self.mode == "head"


@dataclass
class SeedResult:
    metrics: dict[str, float]
    history: dict[str, list[float]]
    chosen: dict[str, Any] | None = None


@dataclass
class ModelParts:
    """What a run needs to build its model: a fresh copy is made for every seed and trial."""

    make_backbone: Callable[[], nn.Module] | None  # a fresh backbone (mode "full"), else None
    feature_dim: int
    source_head: nn.Linear | None
    image_size: int = 64
    extra: dict[str, Any] = field(default_factory=dict)


def subset(x: torch.Tensor, y: torch.Tensor, idx: np.ndarray, device: torch.device) -> Split:
    t = torch.from_numpy(np.asarray(idx, dtype=np.int64))
    return Split(x[t].to(device), y[t].to(device))


def count_params(params: list[nn.Parameter]) -> int:
    """Trainable parameters: what the optimiser updates (head, plus any unfrozen backbone stages), each once."""
    seen: dict[int, int] = {id(p): p.numel() for p in params}
    return sum(seen.values())
