"""A small convolutional network trained from scratch, whose downsampling can sit early or late.

`model: cnn` arms use it instead of the lab's backbone (tutor/lab/kinds/plain.py). The same stack of 3 x 3
convolutions (padding 1, so each keeps the map's size; `channels` gives their widths) and the same `max_pools`
2 x 2 max pools (stride 2: 16-fold in each direction for 4), in one of two places:

- `downsample: early`: every pool right after the first convolution, so the later convolutions see only a
  coarse summary of its edge responses (what the notes warn about for small objects);
- `downsample: late`: every pool after the last convolution, so all convolutions see the full resolution.

Then global average pooling of the last map and a linear output layer. Both placements have exactly the same
weights; only where the resolution is lost differs (and the late one costs more multiply-adds).
"""

from __future__ import annotations

from typing import Protocol

import torch
from torch import nn


def _conv(c_in: int, c_out: int, norm: str, activation: str) -> list[nn.Module]:
    layers: list[nn.Module] = [nn.Conv2d(c_in, c_out, 3, padding=1, bias=norm != "batch")]
    if norm == "batch":
        layers.append(nn.BatchNorm2d(c_out))
    layers.append(nn.Tanh() if activation == "tanh" else nn.ReLU())
    return layers


class SmallCNN(nn.Module):
    """Convolutions with `max_pools` 2 x 2 max pools after the first (`early`) or the last (`late`), then global
    average pooling and a linear output layer. Inputs in [0, 1] are centred with fixed constants (0.5)."""

    def __init__(self, num_classes: int, channels: tuple[int, ...] = (16, 32, 32), downsample: str = "late",
                 max_pools: int = 4, activation: str = "relu", norm: str = "none", in_channels: int = 1):
        super().__init__()
        if downsample not in ("early", "late"):
            raise ValueError(f"downsample must be 'early' or 'late', not {downsample!r}")
        widths = [in_channels, *channels]
        convs = [_conv(a, b, norm, activation) for a, b in zip(widths[:-1], widths[1:])]
        downsampling = [nn.MaxPool2d(2) for _ in range(max_pools)]
        at = 1 if downsample == "early" else len(convs)  # the pools go after this many convolutions
        self.features = nn.Sequential(*[m for block in convs[:at] for m in block], *downsampling,
                                      *[m for block in convs[at:] for m in block])
        self.out = nn.Linear(widths[-1], num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.features((x - 0.5) / 0.5)
        return self.out(h.mean(dim=(2, 3)))


class CnnShape(Protocol):
    """What a small CNN is built from (a `model: cnn` arm's settings: tutor/lab/kinds/plain.py)."""

    @property
    def channels(self) -> list[int]: ...
    @property
    def downsample(self) -> str: ...
    @property
    def max_pools(self) -> int: ...
    @property
    def activation(self) -> str: ...
    @property
    def norm(self) -> str: ...


def build(cfg: CnnShape, num_classes: int, in_channels: int = 1) -> SmallCNN:
    """The arm's CNN (call torch.manual_seed first: the seed fixes PyTorch's default initialisation)."""
    return SmallCNN(num_classes, tuple(cfg.channels), cfg.downsample, cfg.max_pools, cfg.activation, cfg.norm,
                    in_channels)
