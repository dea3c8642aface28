"""Data augmentation (`augment`; the augmentation lab): per-image transforms from torchvision.transforms.v2,
and mixup / cutmix on whole batches (soft targets, or with `mix_labels: hard` the first image's own label: the
ablation that shows why the labels are mixed too). Only names from a fixed list can be asked for.

Augmented arms see images every step (no cached features); evaluation is never augmented.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from tutor.lab.kinds.base import Kind, Traits
from tutor.lab.spec.settings import CoreSettings
from tutor.lab.training.callback import Callback

# Augmentations a lab may ask for: name -> (what the value means, its type). Built from
# torchvision.transforms.v2 below; nothing else can be named.
AUGMENTATIONS: dict[str, str] = {
    "hflip": "random horizontal flip (value: probability, default 0.5)",
    "vflip": "random vertical flip (value: probability, default 0.5)",
    "transpose": "random transpose, i.e. flip about the diagonal (value: probability, default 0.5)",
    "rotate90": "random multiple of 90-degree rotation (value: ignored, true)",
    "rotate180": "rotation by 180 degrees, with this probability (value: probability, default 0.5)",
    "shift": "random shift by up to N pixels, reflect-padded (value: N, default 4)",
    "rotate": "random rotation by up to N degrees (value: N, default 10)",
    "brightness": "random brightness change by up to a factor (value: e.g. 0.2)",
    "contrast": "random contrast change by up to a factor (value: e.g. 0.2)",
    "crop": "random resized crop keeping at least this fraction of the area (value: e.g. 0.7)",
    "crop_keep": "random resized crop keeping exactly this fraction of the area, anywhere, resized back (value: e.g. 0.4)",
    "noise": "gaussian noise added to every pixel, result clipped to 0-1 (value: its sd on the 0-1 pixel scale, default 0.05)",
    "cutout": "cutout: one square of this fraction of the image side, anywhere (clipped at the border), set to the "
              "image's mean (value: side fraction, default 0.25)",
    "erasing": "random erasing (v2.RandomErasing): with this probability a rectangle of 2-33 % of the area and random "
               "aspect ratio is filled with random noise (value: probability, default 0.5)",
    "erase": "random erasing of a fixed share of the image: on every image, a rectangle of exactly this fraction of the "
             "area (random aspect ratio 0.3-3.3, random place) filled with random noise (value: area fraction, default 0.5)",
    "mixup": "mixup on the batch (v2.MixUp): pairs of images blended, labels mixed in the same proportion "
             "(value: alpha of the Beta(alpha, alpha) mixing weight, default 1.0)",
    "cutmix": "cutmix on the batch (v2.CutMix): a box of one image pasted into another, labels mixed by area "
              "(value: alpha, default 1.0; with mixup too, each batch uses one of the two at random)",
}
BATCH_AUGMENTATIONS = ("mixup", "cutmix")  # applied to whole batches, with the labels (soft targets)
_AUG_DEFAULTS: dict[str, float] = {
    "hflip": 0.5, "vflip": 0.5, "transpose": 0.5, "rotate90": 1.0, "rotate180": 0.5, "shift": 4, "rotate": 10,
    "brightness": 0.2, "contrast": 0.2, "crop": 0.7, "crop_keep": 0.4,
    "noise": 0.05, "cutout": 0.25, "erasing": 0.5, "erase": 0.5, "mixup": 1.0, "cutmix": 1.0,
}
# Upper bounds of the values that are not fractions (a shift must also stay below the image size: check_data).
_AUG_MAX: dict[str, float] = {"shift": 256, "rotate": 180, "brightness": 10, "contrast": 10, "noise": 1,
                              "mixup": 100, "cutmix": 100}


def _augment(value: Any) -> Any:
    """A list of `name` or `{name: value}` items -> list of (name, value) pairs."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError("must be a list of augmentations, e.g. [hflip, {shift: 4}]")
    out = []
    for item in value:
        if isinstance(item, str):
            name, arg = item, None
        elif isinstance(item, dict) and len(item) == 1:
            name, arg = next(iter(item.items()))
        elif isinstance(item, (list, tuple)) and len(item) == 2:  # already normalised
            name, arg = item
        else:
            raise ValueError(f"{item!r}: each augmentation is a name or a one-entry mapping {{name: value}}")
        if name not in AUGMENTATIONS:
            raise ValueError(f"unknown augmentation '{name}' (known: {', '.join(AUGMENTATIONS)})")
        if arg is None or arg is True:
            arg = _AUG_DEFAULTS[name]
        if isinstance(arg, bool) or not isinstance(arg, (int, float)) or arg < 0:
            raise ValueError(f"augmentation '{name}' takes a non-negative number, not {arg!r}")
        if name in {"hflip", "vflip", "transpose", "rotate180", "crop", "crop_keep", "cutout", "erasing"} and arg > 1:
            raise ValueError(f"augmentation '{name}' takes a value between 0 and 1, not {arg!r}")
        if name == "erase" and not 0 < arg < 1:
            raise ValueError(f"augmentation 'erase' takes an area fraction between 0 and 1, not {arg!r}")
        if name in BATCH_AUGMENTATIONS and arg == 0:
            raise ValueError(f"augmentation '{name}' takes a positive alpha, not {arg!r}")
        if arg > _AUG_MAX.get(name, arg):
            raise ValueError(f"augmentation '{name}' takes at most {_AUG_MAX[name]:g}, not {arg!r}")
        out.append((name, float(arg)))
    return out


class Settings(CoreSettings):
    augment: Annotated[list[tuple[str, float]], BeforeValidator(_augment)] = Field(default_factory=list)
    # which label a mixed image trains on: the mix of both (`soft`, as mixup and cutmix define it; the default) or
    # the first image's one-hot label (`hard`). None: not set (soft); set without mixup or cutmix it is refused
    mix_labels: Literal["soft", "hard"] | None = None

    @property
    def mixes(self) -> bool:
        """True when the arm mixes whole batches (mixup or cutmix)."""
        return any(name in BATCH_AUGMENTATIONS for name, _ in self.augment)


class AugmentationKind(Kind[Settings]):
    name = "augmentation"
    settings = Settings

    def check(self, cfg: Settings, traits: Traits) -> str | None:
        if cfg.mix_labels is not None and not cfg.mixes:
            return "mix_labels says which label a mixed image trains on: it needs mixup or cutmix in augment"
        return None

    def describe(self, cfg: Settings) -> list[str]:
        parts = ["augment " + "+".join(n for n, _ in cfg.augment)] if cfg.augment else []
        if cfg.mix_labels == "hard":
            parts.append("mixed images keep the first image's label")
        return parts

    def check_data(self, cfg: Settings, size: int) -> str | None:
        """A shift pads by its value with reflection, which needs fewer pixels of padding than the image has."""
        for name, value in cfg.augment:
            if name == "shift" and int(value) >= size:
                return f"augmentation 'shift' of {int(value)} pixels needs images larger than that (these are {size} px)"
        return None

    def needs_images(self, cfg: Settings) -> bool:
        return bool(cfg.augment)

    def callbacks(self, cfg: Settings, traits: Traits) -> list[Callback]:
        return [Augment(cfg)] if cfg.augment else []


class Augment(Callback):
    """Augments each training batch (arms that train on images; cached features are never augmented)."""

    def __init__(self, cfg: Settings):
        self.cfg = cfg

    def before_fit(self, learn: Any) -> None:
        full = learn.data.mode == "full"
        self.augment = make_augment(self.cfg, learn.parts.image_size) if full else None
        self.mix = make_batch_mix(self.cfg, learn.data.num_classes) if full else None  # soft targets

    def before_batch(self, learn: Any) -> None:
        if self.augment is not None:
            learn.xb = self.augment(learn.xb)
        if self.mix is not None:  # mixup / cutmix: mixed images; soft (N, classes) targets, or the hard labels
            learn.xb, learn.target = self.mix(learn.xb, learn.yb)


def make_augment(cfg: Settings, size: int) -> Callable[[Any], Any] | None:
    """Per-image random augmentation built from torchvision.transforms.v2 (whitelisted names only)."""
    if not cfg.augment:
        return None
    import torch
    from torchvision.transforms import v2

    steps: list[Any] = []
    for name, value in cfg.augment:
        if name == "hflip":
            steps.append(v2.RandomHorizontalFlip(p=value))
        elif name == "vflip":
            steps.append(v2.RandomVerticalFlip(p=value))
        elif name == "transpose":
            steps.append(v2.RandomApply([v2.Lambda(lambda t: t.transpose(-1, -2))], p=value))
        elif name == "rotate90":
            steps.append(v2.RandomChoice([v2.Lambda(lambda t, k=k: torch.rot90(t, k, (-2, -1))) for k in range(4)]))
        elif name == "rotate180":
            steps.append(v2.RandomApply([v2.Lambda(lambda t: torch.rot90(t, 2, (-2, -1)))], p=value))
        elif name == "shift":
            steps.append(v2.RandomCrop(size, padding=int(value), padding_mode="reflect"))
        elif name == "rotate":
            steps.append(v2.RandomRotation(value))
        elif name == "brightness":
            steps.append(v2.ColorJitter(brightness=value))
        elif name == "contrast":
            steps.append(v2.ColorJitter(contrast=value))
        elif name == "crop":
            steps.append(v2.RandomResizedCrop(size, scale=(value, 1.0), antialias=True))
        elif name == "crop_keep":  # always this share of the area (aspect ratio 3/4-4/3), anywhere in the image
            steps.append(v2.RandomResizedCrop(size, scale=(value, value), antialias=True))
        elif name == "noise":
            steps.append(v2.GaussianNoise(mean=0.0, sigma=value, clip=True))
        elif name == "cutout":
            steps.append(v2.Lambda(lambda t, f=value: cutout(t, f)))
        elif name == "erasing":
            steps.append(v2.RandomErasing(p=value, scale=(0.02, 0.33), ratio=(0.3, 3.3), value="random"))
        elif name == "erase":  # always, and always this share of the area: RandomErasing with a one-point scale
            steps.append(v2.RandomErasing(p=1.0, scale=(value, value), ratio=(0.3, 3.3), value="random"))
        # mixup / cutmix need the batch's labels: make_batch_mix applies them in the training loop
    if not steps:
        return None
    compose = v2.Compose(steps)

    def apply(batch: Any) -> Any:
        return torch.stack([compose(img) for img in batch])

    return apply


def cutout(img: Any, frac: float) -> Any:
    """Cutout (DeVries & Taylor 2017): a square of side `frac` x the image side, centred anywhere on the image
    (so it may be clipped at the border), set to the image's mean. Always applied; its size never varies."""
    import torch

    h, w = img.shape[-2:]
    side = max(1, round(frac * min(h, w)))
    cy, cx = int(torch.randint(h, (1,))), int(torch.randint(w, (1,)))
    y0, y1 = max(0, cy - side // 2), min(h, cy - side // 2 + side)
    x0, x1 = max(0, cx - side // 2), min(w, cx - side // 2 + side)
    out = img.clone()
    out[..., y0:y1, x0:x1] = img.mean()
    return out


def make_batch_mix(cfg: Settings, num_classes: int) -> Callable[[Any, Any], tuple[Any, Any]] | None:
    """Mixup / CutMix (torchvision.transforms.v2) on a whole batch: (images, int labels) -> (mixed images, soft
    labels of shape (N, classes) whose rows sum to 1). With both named, each batch uses one of them at random.

    `mix_labels: hard` keeps the int labels as they came: image i of the batch is torchvision's first image of its
    pair (weight lambda in mixup; the canvas cutmix pastes a box of image i - 1 into), so it keeps the label of
    image i, whatever share of it is left. The images are mixed exactly as with soft labels."""
    names = {name: value for name, value in cfg.augment if name in BATCH_AUGMENTATIONS}
    if not names:
        return None
    from torchvision.transforms import v2

    mixers = []
    if "mixup" in names:
        mixers.append(v2.MixUp(alpha=names["mixup"], num_classes=num_classes))
    if "cutmix" in names:
        mixers.append(v2.CutMix(alpha=names["cutmix"], num_classes=num_classes))
    mix = mixers[0] if len(mixers) == 1 else v2.RandomChoice(mixers)
    if cfg.mix_labels != "hard":
        return mix

    def hard(images: Any, labels: Any) -> tuple[Any, Any]:
        return mix(images, labels)[0], labels

    return hard
