"""What a lab will cost, estimated from the lab file alone, before torch or any data is loaded.

An order of magnitude, not a forecast: memory is the images (float32) plus the cached feature tables
plus the largest arm's weights with their gradients and Adam's two moments plus one batch of
activations; time is multiply-adds (forward and backward, every epoch, trial and seed, plus the one
pass of frozen features) at `MACS_PER_S`, a slow laptop CPU. `tutor lab` refuses a lab whose estimate
passes `MAX_MEMORY_BYTES` or `MAX_SECONDS` unless given `--allow-large` (labs/README.md, "Limits").
Torch-free (it reads the kinds' settings, never their code that trains).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from tutor.lab import kinds

MAX_MEMORY_BYTES = 8 * 1024**3  # 8 GiB
MAX_SECONDS = 4 * 3600  # 4 hours at MACS_PER_S
MACS_PER_S = 1e10  # multiply-adds a second: 2 laptop CPU cores on small tensors
STAGES = 4  # an arm that unfreezes the top N stages trains about N / STAGES of the backbone's work

# feature dim, multiply-adds per 64 x 64 image (forward), weights: measured with forward hooks
BACKBONES = {"tutornet": (128, 16e6, 0.31e6), "resnet18": (512, 148e6, 11.2e6), "mobilenet_v3_small": (1024, 5.5e6, 1.5e6)}
# images and classes of the fixed datasets (tutor/lab/data/datasets.py)
FIXED = {"elpv": (2624, 2), "digits": (1797, 10), "oxford-pet": (7349, 37)}
PET_SPECIES = {"cat": (2371, 12), "dog": (4978, 25)}
EVALS_PER_EPOCH = 2  # validation and a training-accuracy pass over at most the same number of images


@dataclass(frozen=True)
class Cost:
    memory_bytes: float
    seconds: float

    @property
    def too_large(self) -> bool:
        return self.memory_bytes > MAX_MEMORY_BYTES or self.seconds > MAX_SECONDS

    def __str__(self) -> str:
        return f"about {_bytes(self.memory_bytes)} of memory for data and weights and {_duration(self.seconds)} of training"


def limits() -> str:
    return f"{_bytes(MAX_MEMORY_BYTES)} and {_duration(MAX_SECONDS)}"


def _bytes(n: float) -> str:
    for unit, size in (("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{max(n, 0) / 1024:.3g} KiB"


def _duration(s: float) -> str:
    if s >= 86400 * 365:
        return f"{s / (86400 * 365):.3g} years"
    if s >= 86400:
        return f"{s / 86400:.3g} days"
    if s >= 3600:
        return f"{s / 3600:.3g} h"
    return f"{s / 60:.2g} min" if s >= 60 else f"{s:.2g} s"


def dataset_size(spec: Any) -> tuple[int, int]:
    """(images, classes) of a dataset spec; a user's folder counts as 0 (unknown before it is read)."""
    opts = spec.options
    if spec.name in ("fractals", "fractal-source"):
        c = _int(opts.get("classes"), 10 if spec.name == "fractals" else 100)
        return c * _int(opts.get("per_class"), 150 if spec.name == "fractals" else 200), c
    if spec.name == "oxford-pet" and opts.get("species") in PET_SPECIES:
        return PET_SPECIES[opts["species"]]
    return FIXED.get(spec.name, (0, 2))


def _int(value: Any, default: int) -> int:
    try:
        return max(int(value), 0) if value is not None else default
    except (TypeError, ValueError):
        return default


def _head_weights(dims: list[int]) -> int:
    return sum(a * b + b for a, b in zip(dims, dims[1:]))


def arm_cost(cfg: Any, images: int, classes: int, size: int, backbone: str) -> tuple[float, float]:
    """(multiply-adds of one seed, bytes while it trains) of one arm: its training set as the arm holds it
    (features or images), its weights with gradients and Adam's moments, one batch of activations."""
    feat, bb_macs, bb_weights = BACKBONES.get(backbone, BACKBONES["resnet18"])
    bb_macs *= (size / 64) ** 2
    pool = images * 0.6
    if cfg.per_class is not None:
        train = cfg.per_class * classes
    else:
        train = cfg.train_size if cfg.train_size is not None else pool
    if getattr(cfg, "model", "backbone") == "plain":
        weights = _head_weights([size * size, *[cfg.width] * cfg.depth, classes])
        per_image, acts, held = weights, cfg.width * cfg.depth, size * size
    else:
        head_in = feat * (size // 32) ** 2 if cfg.pool == "flatten" else feat
        head = _head_weights([head_in, *cfg.hidden, classes])
        trains_backbone = cfg.unfreeze != 0 or kinds.needs_images(cfg)
        share = 1.0 if cfg.unfreeze in ("all", 0) else min(int(cfg.unfreeze) / STAGES, 1.0)
        per_image = head + (bb_macs * share if trains_backbone else 0)
        weights = head + (bb_weights if trains_backbone else 0)
        acts = (bb_macs / 300 if trains_backbone else 0) + head_in + sum(cfg.hidden)
        held = size * size if trains_backbone else head_in
    epochs = kinds.epochs(cfg)  # every trial of a search counted
    evals = min(train, pool or train) * EVALS_PER_EPOCH
    return epochs * (3 * train + evals) * per_image, 4 * train * held + 16 * weights + 8 * acts * cfg.batch_size


def estimate(lab: Any, profile: str, arms: list[str] | None = None) -> Cost:
    """The cost of `tutor lab` for this lab, profile and arms (see the module docstring)."""
    configs = lab.arm_configs(profile, arms)
    seeds = lab.profile(profile).seeds
    specs = lab.datasets(profile)
    backbone = lab.file.backbone.name
    feat, bb_macs, bb_weights = BACKBONES.get(backbone, BACKBONES["resnet18"])
    data_bytes = macs = 0.0
    for spec in specs.values():
        images, _ = dataset_size(spec)
        data_bytes += images * spec.size**2 * 4
        macs += images * bb_macs * (spec.size / 64) ** 2  # the frozen features, once
    model_bytes = 0.0
    for cfg in configs.values():
        spec = specs[lab.dataset_key(cfg)]
        images, classes = dataset_size(spec)
        seed_macs, arm_bytes = arm_cost(cfg, images, classes, spec.size, backbone)
        macs += seeds * seed_macs
        model_bytes = max(model_bytes, arm_bytes)
    tables = data_bytes / (4 * 64 * 64) * feat * 4 * 2  # two feature tables per image at most
    return Cost(memory_bytes=data_bytes + tables + model_bytes, seconds=macs / MACS_PER_S)
