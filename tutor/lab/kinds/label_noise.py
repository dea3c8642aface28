"""Label noise (`label_noise: 0.3`): a fraction of the arm's training labels replaced by a wrong class.

Annotators make mistakes; a model with the capacity to memorise its training set memorises the wrong labels
too, and pays for it on new images, while a model that cannot fit them (a linear layer on frozen features)
keeps to what the features say. `label_noise: P` replaces the label of round(P x n) of the arm's n training
images by another class, drawn uniformly among the other classes (never the true one). Which images and which
wrong labels are fixed by the seed and the image (its index in the dataset), not by the arm: two arms on the
same seed and the same training images get the same flipped images with the same wrong labels, so they stay
paired. Validation and test labels are never touched. Training accuracy is then measured against the labels
as trained, the noisy ones, which is what a practitioner sees; `noisy_fit` says how much of the noise the
model memorised.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from pydantic import Field

from tutor.lab.kinds.base import Kind, Traits
from tutor.lab.spec.settings import CoreSettings
from tutor.lab.training.callback import Callback

NOISE_SALT = 0x1ABE1  # keeps the noise's draws apart from the seed's other draws (the training subset)

METRICS = {
    "noisy_fit": "arms with `label_noise`: training accuracy on the images whose label was replaced, against the "
                 "wrong labels they were trained on: the share of the noise the model memorised, 0-1",
}
UNITS = {"noisy_fit": "%"}
COLUMNS = {"noisy_fit": "noise fit %"}


class Settings(CoreSettings):
    label_noise: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.0  # fraction of training labels replaced by a wrong class


class LabelNoiseKind(Kind[Settings]):
    name = "label_noise"
    settings = Settings
    metrics = METRICS
    units = UNITS
    columns = COLUMNS

    def check(self, cfg: Settings, traits: Traits) -> str | None:
        if cfg.label_noise and not traits.trains:
            return "label_noise needs an arm that trains (not method: prototype)"
        return None

    def describe(self, cfg: Settings) -> list[str]:
        return [f"{cfg.label_noise * 100:.3g} % of training labels wrong"] if cfg.label_noise else []

    def train_labels(self, cfg: Settings, y: np.ndarray, idx: np.ndarray, num_classes: int, seed: int) -> np.ndarray:
        if not cfg.label_noise:
            return y
        return noisy_labels(y, idx, num_classes, cfg.label_noise, seed)

    def callbacks(self, cfg: Settings, traits: Traits) -> list[Callback]:
        return [NoisyFit()] if cfg.label_noise else []


def noisy_labels(y: np.ndarray, idx: np.ndarray, num_classes: int, fraction: float, seed: int) -> np.ndarray:
    """A copy of `y` (the labels of the dataset images `idx`) with round(fraction x n) of them replaced by another
    class, uniform among the other classes. Every dataset image has its own two draws for the seed (its row of one
    seeded table), so the same image gets the same fate in every arm: the `k` images of the set with the lowest
    first draw are flipped, and the second draw picks the wrong class. `y` itself when none is flipped."""
    y = np.asarray(y)
    idx = np.asarray(idx, dtype=np.int64)
    k = int(np.floor(fraction * len(y) + 0.5))
    if k == 0 or num_classes < 2:
        return y
    draws = np.random.default_rng([seed, NOISE_SALT]).random((int(idx.max()) + 1, 2))  # rows fill in order
    order = np.argsort(draws[idx, 0], kind="stable")[:k]
    shift = 1 + np.floor(draws[idx[order], 1] * (num_classes - 1)).astype(np.int64)  # 1 .. classes - 1
    out = y.copy()
    out[order] = ((y[order].astype(np.int64) + shift) % num_classes).astype(y.dtype)
    return out


class NoisyFit(Callback):
    """`noisy_fit`: after training, the share of the flipped training images predicted as their wrong label."""

    def after_metrics(self, learn: Any) -> None:
        drawn = learn.data.train_drawn
        if drawn is None:
            return
        trained = learn.e_train.y
        flipped = (drawn != trained).cpu().numpy()
        if not flipped.any():
            return
        pred = learn.train_pred  # the final evaluation's predictions on the training images
        learn.metrics["noisy_fit"] = float((pred[flipped] == trained.cpu().numpy()[flipped]).mean())
