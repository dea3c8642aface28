"""Occluded evaluation (`occlude: 0.25`): the arm's final model also scored on the validation and test images
with a box hidden, as `occluded_val_acc` and `occluded_test_acc`.

What occlusion augmentation (cutout, random erasing) promises is accuracy on partly hidden objects; the plain
splits cannot show it. `occlude: F` hides a rectangle of F of each image's area (aspect ratio between 1:2 and
2:1, anywhere inside the image, never clipped, so the share is exact to a pixel), filled with that image's own
mean. Why the mean and not noise: an occluder removes information, and a flat patch removes it without adding
a texture; random erasing trains on noise-filled boxes, so a noise-filled test box would reward having seen that
very noise rather than coping with a missing part (only cutout trains on such a flat patch, and a lab comparing
it should say so). The boxes belong to the image, not to the arm or the seed:
each is drawn from a generator keyed by the split and the image's place in it (the validation and test splits
are fixed per dataset), so every arm and seed is scored on the very same occluded images and comparisons stay
paired. Only arms that set `occlude` pay the two extra evaluation passes; such an arm runs on images (its
frozen features, if any, are not reused), since the box is hidden in pixels; prototype arms, which classify
frozen features, refuse it for that reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
from pydantic import Field

from tutor.lab.kinds.base import Kind, Traits
from tutor.lab.spec.settings import CoreSettings
from tutor.lab.training.callback import Callback

if TYPE_CHECKING:
    import torch

OCCLUDE_SALT = 0x0CC1D  # keeps the boxes' draws apart from every other seeded draw
SPLIT_KEYS = {"val": 1, "test": 2}
MAX_RATIO = 2.0  # the box's height / width lies between 1 / MAX_RATIO and MAX_RATIO (log-uniform)

METRICS = {
    "occluded_val_acc": "arms with `occlude`: validation accuracy of the final model with a box of that share of "
                        "each image hidden (the same boxes for every arm and seed), 0-1",
    "occluded_test_acc": "arms with `occlude`: test accuracy with the same kind of box hidden in each test image "
                         "(reported only), 0-1",
}
COLUMNS = {"occluded_val_acc": "occl. val %", "occluded_test_acc": "occl. test %"}


class Settings(CoreSettings):
    occlude: Annotated[float, Field(gt=0.0, lt=1.0)] | None = None  # area share of the box hidden at evaluation


class OcclusionKind(Kind[Settings]):
    name = "occlusion"
    settings = Settings
    metrics = METRICS
    columns = COLUMNS

    def describe(self, cfg: Settings) -> list[str]:
        return [f"scored with {cfg.occlude * 100:.3g} % of each image hidden too"] if cfg.occlude is not None else []

    def needs_images(self, cfg: Settings) -> bool:
        return cfg.occlude is not None

    def callbacks(self, cfg: Settings, traits: Traits) -> list[Callback]:
        return [OccludedEval(cfg.occlude)] if cfg.occlude is not None else []


def occlusion_boxes(n: int, height: int, width: int, fraction: float, split: str) -> np.ndarray:
    """(n, 4) int boxes (top, left, box height, box width) for images 0..n-1 of `split`: row i depends only on the
    split, i, the image size and `fraction` (one seeded table whose rows fill in order), never on n, an arm or a
    seed. The box covers round(fraction x area) pixels as nearly as whole rows and columns allow."""
    draws = np.random.default_rng([OCCLUDE_SALT, SPLIT_KEYS[split]]).random((n, 3))
    area = fraction * height * width
    ratio = np.exp((2 * draws[:, 0] - 1) * np.log(MAX_RATIO))  # box height / width
    bh = np.clip(np.rint(np.sqrt(area * ratio)), 1, height).astype(np.int64)
    bw = np.clip(np.rint(area / bh), 1, width).astype(np.int64)
    top = np.floor(draws[:, 1] * (height - bh + 1)).astype(np.int64)
    left = np.floor(draws[:, 2] * (width - bw + 1)).astype(np.int64)
    return np.stack([top, left, bh, bw], axis=1)


def occlude_images(x: torch.Tensor, fraction: float, split: str) -> torch.Tensor:
    """A copy of the images `x` (N, C, H, W) of `split`, in their split order, each with its box (occlusion_boxes)
    set to the image's own mean, per channel."""
    import torch

    n, _, h, w = x.shape
    boxes = torch.from_numpy(occlusion_boxes(n, h, w, fraction, split)).to(x.device)
    top, left, bh, bw = (boxes[:, k, None] for k in range(4))
    rows, cols = torch.arange(h, device=x.device)[None], torch.arange(w, device=x.device)[None]
    inside_rows = (rows >= top) & (rows < top + bh)  # (N, H)
    inside_cols = (cols >= left) & (cols < left + bw)  # (N, W)
    mask = (inside_rows[:, :, None] & inside_cols[:, None, :])[:, None]  # (N, 1, H, W)
    return torch.where(mask, x.mean(dim=(-2, -1), keepdim=True), x)


class OccludedEval(Callback):
    """After the final evaluation: the whole model on the occluded validation and test images (pixels, never the
    cached activations the plain evaluation may use)."""

    def __init__(self, fraction: float):
        self.fraction = fraction

    def after_metrics(self, learn: Any) -> None:
        from tutor.lab.training.arm import Split
        from tutor.lab.training.evaluate import evaluate

        data = learn.data
        if data.mode != "full":  # needs_images puts such an arm on images; nothing to hide in features
            return
        with learn.autocast():
            for split, key in ((data.val, "val"), (data.test, "test")):
                hidden = Split(occlude_images(split.x, self.fraction, key), split.y)
                learn.metrics[f"occluded_{key}_acc"] = evaluate(learn.model, hidden)[0]
