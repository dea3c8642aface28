"""Few-shot classification by nearest class prototype (`method: prototype`; the few-shot lab).

No gradient step: each class's prototype is the mean embedding of its few support images, and a query
image takes the class of the nearest prototype (Snell et al. 2017, "Prototypical Networks"), by cosine
similarity or by Euclidean distance. An *episode* draws `shots` support images per class from the
training pool; the queries are the whole validation split (and, for the reported test accuracy, the
test split). A seed fixes its episodes, so arms are compared on the same support sets.
"""

from __future__ import annotations

import time
from collections.abc import Generator
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
from pydantic import Field

from tutor.lab.events import EpochEnd
from tutor.lab.kinds.base import Kind, Traits
from tutor.lab.spec.settings import CoreSettings

if TYPE_CHECKING:
    from tutor.lab.kinds.base import Fit, Trainer
    from tutor.lab.training.arm import ArmData, ModelParts, SeedResult

METRICS = {
    "episode_sd": "prototype arms: standard deviation of the validation accuracy across one seed's episodes, 0-1",
}
UNITS = {"episode_sd": "%"}


class Settings(CoreSettings):
    method: Literal["train", "prototype"] = "train"
    metric: Literal["cosine", "euclidean"] = "cosine"
    shots: Annotated[int, Field(ge=1, le=1000)] = 1
    episodes: Annotated[int, Field(ge=1, le=10000)] = 100


class PrototypeKind(Kind[Settings]):
    name = "prototype"
    settings = Settings
    metrics = METRICS
    units = UNITS

    def check(self, cfg: Settings, traits: Traits) -> str | None:
        # frozen features: no unfreezing, nothing that needs the images every step (augment), no other trainer (search)
        if cfg.method == "prototype" and (cfg.unfreeze != 0 or traits.needs_images or traits.trainers != (self.name,)):
            return "method: prototype classifies frozen features: no unfreeze, augment or search"
        return None

    def describe_arm(self, cfg: Settings) -> str | None:
        if cfg.method != "prototype":
            return None
        return f"{cfg.backbone} backbone, nearest class prototype ({cfg.metric}), {cfg.shots}-shot"

    def trainer(self, cfg: Settings) -> Trainer | None:
        return run if cfg.method == "prototype" else None

    def trains(self, cfg: Settings) -> bool:
        return cfg.method != "prototype"  # no gradient step: the class means of the support images


def class_prototypes(features: Any, labels: Any, num_classes: int) -> Any:
    """(num_classes, D): the mean feature vector of each class."""
    import torch

    protos = torch.zeros(num_classes, features.shape[1], dtype=features.dtype, device=features.device)
    protos.index_add_(0, labels, features)
    counts = torch.bincount(labels, minlength=num_classes).clamp_min(1).to(features.dtype)
    return protos / counts[:, None]


def scores(queries: Any, protos: Any, metric: str) -> Any:
    """(Q, C) similarity, higher = nearer: cosine similarity, or minus the Euclidean distance."""
    import torch
    from torch.nn import functional as F

    if metric == "cosine":
        return F.normalize(queries, dim=1) @ F.normalize(protos, dim=1).T
    if metric == "euclidean":
        return -torch.cdist(queries, protos)
    raise ValueError(f"unknown metric {metric!r} (cosine or euclidean)")


def classify(queries: Any, protos: Any, metric: str) -> Any:
    return scores(queries, protos, metric).argmax(1)


def support_indices(labels: np.ndarray, shots: int, rng: np.random.Generator) -> np.ndarray:
    """`shots` random indices per class (every class present in `labels`)."""
    out = [rng.choice(np.flatnonzero(labels == c), shots, replace=False) for c in np.unique(labels)]
    return np.concatenate(out)


def episodes(train_x: Any, train_y: Any, queries: dict[str, tuple[Any, Any]],
             *, shots: int, metric: str, n_episodes: int, num_classes: int, seed: int) -> dict[str, list[float]]:
    """Accuracy per episode on each query set (and "support": on the support images themselves)."""
    import torch

    rng = np.random.default_rng(seed)
    labels = train_y.cpu().numpy()
    out: dict[str, list[float]] = {"support": [], **{k: [] for k in queries}}
    for _ in range(n_episodes):
        idx = torch.from_numpy(support_indices(labels, shots, rng)).to(train_x.device)
        sx, sy = train_x[idx], train_y[idx]
        protos = class_prototypes(sx, sy, num_classes)
        out["support"].append((classify(sx, protos, metric) == sy).float().mean().item())
        for name, (qx, qy) in queries.items():
            out[name].append((classify(qx, protos, metric) == qy).float().mean().item())
    return out


def run(cfg: Settings, data: ArmData, parts: ModelParts, fit: Fit, *, seed: int, arm: str,
        ) -> Generator[EpochEnd, None, SeedResult]:
    """A prototype arm for one seed (a generator like the training loop's; returns a SeedResult)."""
    from tutor.lab.training.arm import SeedResult

    t0 = time.perf_counter()
    accs = episodes(data.train.x.float(), data.train.y, {"val": (data.val.x.float(), data.val.y),
                                                        "test": (data.test.x.float(), data.test.y)},
                    shots=cfg.shots, metric=cfg.metric, n_episodes=cfg.episodes, num_classes=data.num_classes, seed=seed)
    tr, va, te = (float(np.mean(accs[k])) for k in ("support", "val", "test"))
    nan = float("nan")
    yield EpochEnd(arm=arm, seed=seed, epoch=cfg.epochs, epochs=cfg.epochs, train_acc=tr, train_loss=nan,
                   val_acc=va, val_loss=nan, trial=None)
    support = float(cfg.shots * data.num_classes)
    metrics = {"train_acc": tr, "train_loss": nan, "val_acc": va, "val_loss": nan, "test_acc": te, "test_loss": nan,
               "gap": tr - va, "first_epoch_val_acc": va, "first_epoch_train_acc": tr, "best_val_acc": va,
               "train_images": support, "images_seen": 0.0, "chosen_epoch": float(cfg.epochs),
               "episode_sd": float(np.std(accs["val"], ddof=1)) if len(accs["val"]) > 1 else 0.0,
               "seconds": time.perf_counter() - t0}
    return SeedResult(metrics, {"train_acc": [tr], "val_acc": [va], "episode_val_acc": accs["val"]})
