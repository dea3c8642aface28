"""Overriding a backbone's input normalisation (the `normalize` arm setting; the input-normalisation lab).

A pretrained backbone expects its inputs standardised with the pixel statistics of its pretraining
data (`Backbone.mean`/`std`). The checklist says to match them; this module lets an arm feed the same
backbone differently normalised inputs to measure what a mismatch costs:

- `pretrained` (default): the backbone's own statistics, nothing changes;
- `none`: raw [0, 1] pixels (mean 0, std 1);
- `imagenet`: ImageNet's statistics (the usual copy-paste; grey = mean of the RGB values for 1 channel);
- `{mean: [...], std: [...]}`: any statistics (one value, or one per input channel).
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from tutor.lab.kinds.base import Kind
from tutor.lab.spec.settings import ArmSettings, CoreSettings

if TYPE_CHECKING:
    from torch import nn


class NormStats(ArmSettings):
    """Input normalisation statistics: one value, or one per input channel."""

    mean: Annotated[list[float], Field(min_length=1, max_length=3)]
    std: Annotated[list[Annotated[float, Field(gt=0.0)]], Field(min_length=1, max_length=3)]


class Settings(CoreSettings):
    # input normalisation fed to the backbone
    # (a mapping is statistics, anything else a name: one error at its line, never one per alternative)
    normalize: Annotated[Annotated[Literal["pretrained", "none", "imagenet"], Tag("name")] | Annotated[NormStats, Tag("stats")],
                         Discriminator(lambda v: "stats" if isinstance(v, (dict, NormStats)) else "name")] = "pretrained"


class InputNormKind(Kind[Settings]):
    name = "input_norm"
    settings = Settings

    def feature_key(self, cfg: Settings) -> dict[str, object]:
        """Frozen features are cached per normalisation (nothing added for the default: existing keys unchanged)."""
        norm_tag = tag(cfg.normalize)
        return {} if norm_tag is None else {"normalize": norm_tag}

    def adapt_backbone(self, cfg: Settings, net: nn.Module) -> nn.Module:
        return apply(net, cfg.normalize)


PRESETS = ("pretrained", "none", "imagenet")


def stats(setting: Any, channels: int, mean: tuple[float, ...], std: tuple[float, ...]) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The (mean, std) per input channel that `setting` asks for, given the backbone's own (`mean`, `std`)."""
    if setting in (None, "pretrained"):
        return tuple(mean), tuple(std)
    if setting == "none":
        return (0.0,) * channels, (1.0,) * channels
    if setting == "imagenet":
        from tutor.lab.models.backbones import IMAGENET_MEAN, IMAGENET_STD

        if channels == 3:
            return IMAGENET_MEAN, IMAGENET_STD
        return (sum(IMAGENET_MEAN) / 3,) * channels, (sum(IMAGENET_STD) / 3,) * channels
    m, s = _pair(setting)
    m = m * channels if len(m) == 1 else m
    s = s * channels if len(s) == 1 else s
    if len(m) != channels or len(s) != channels:
        raise ValueError(f"normalize needs 1 or {channels} values for mean and std")
    return tuple(float(v) for v in m), tuple(float(v) for v in s)


def tag(setting: Any) -> Any:
    """A JSON-able name of the setting for cache keys; None for the default (keeps existing keys unchanged)."""
    if setting in (None, "pretrained"):
        return None
    if isinstance(setting, str):
        return setting
    m, s = _pair(setting)
    return {"mean": m, "std": s}


def _pair(setting: Any) -> tuple[list[float], list[float]]:
    """(mean, std) lists from a {mean, std} mapping or a NormStats."""
    if isinstance(setting, dict):
        return [float(v) for v in setting["mean"]], [float(v) for v in setting["std"]]
    return [float(v) for v in setting.mean], [float(v) for v in setting.std]


def apply(backbone: Any, setting: Any) -> Any:
    """A copy of `backbone` whose `normalize` uses `setting` (the backbone itself when nothing changes)."""
    if tag(setting) is None:
        return backbone
    import torch

    net = copy.deepcopy(backbone)
    mean, std = stats(setting, net.in_channels, net.mean, net.std)
    net.mean, net.std = mean, std
    device = net._mean.device
    net._mean = torch.tensor(mean, device=device).view(1, -1, 1, 1)
    net._std = torch.tensor(std, device=device).view(1, -1, 1, 1)
    return net
