"""A deep plain network trained from scratch, and the weight-initialisation schemes the notes compare.

`model: plain` arms use it instead of the lab's backbone: the image is flattened and goes through `depth`
hidden layers of `width` units (linear -> optional normalisation -> activation), then a linear output
layer. No residual connections and no normalisation unless asked, so what the initialisation does to
the signal is visible layer by layer (see `probes.py`).

Initialisation schemes (torch.nn.init; biases start at 0 for every scheme except `default`):

| init | weights |
|---|---|
| `default` | PyTorch's own default for nn.Linear (uniform, +-1/sqrt(fan_in)); biases too |
| `constant` | every weight = 1 / fan_in: all units of a layer start identical (symmetry is never broken) |
| `normal_tiny` | N(0, 0.01^2) whatever the width: the signal shrinks layer by layer |
| `xavier` | Glorot normal, variance 2 / (fan_in + fan_out) (gain 1, derived for tanh-like activations) |
| `kaiming` | He normal, variance 2 / fan_in (for ReLU) |
| `orthogonal` | a random orthogonal matrix scaled by the activation's gain (sqrt 2 for ReLU, 5/3 for tanh) |
"""

from __future__ import annotations

from typing import Protocol

import torch
from torch import nn

INITS = ("default", "constant", "normal_tiny", "xavier", "kaiming", "orthogonal")
TINY_STD = 0.01
GROUPS = 8  # group norm: channels per group = width / GROUPS (falls back to fewer groups if width is not divisible)


def _norm(kind: str, width: int) -> nn.Module:
    if kind == "batch":
        return nn.BatchNorm1d(width)
    if kind == "layer":
        return nn.LayerNorm(width)
    if kind == "group":
        groups = next(g for g in range(min(GROUPS, width), 0, -1) if width % g == 0)
        return nn.GroupNorm(groups, width)
    return nn.Identity()


class Block(nn.Module):
    """One hidden layer: linear -> normalisation -> activation. Probes read `linear.weight` and the block output."""

    def __init__(self, in_dim: int, width: int, norm: str, activation: str):
        super().__init__()
        self.linear = nn.Linear(in_dim, width)
        self.norm = _norm(norm, width)
        self.act = nn.Tanh() if activation == "tanh" else nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.norm(self.linear(x)))


class PlainNet(nn.Module):
    """Flatten -> `depth` x Block -> linear output. Inputs in [0, 1] are centred with fixed constants (0.5)."""

    def __init__(self, in_dim: int, num_classes: int, depth: int = 8, width: int = 64, activation: str = "relu",
                 norm: str = "none"):
        super().__init__()
        dims = [in_dim] + [width] * depth
        self.blocks = nn.ModuleList(Block(a, b, norm, activation) for a, b in zip(dims[:-1], dims[1:]))
        self.out = nn.Linear(dims[-1], num_classes)
        self.activation = activation

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = (x.flatten(1) - 0.5) / 0.5
        for block in self.blocks:
            h = block(h)
        return self.out(h)

    def linears(self) -> list[nn.Linear]:
        return [b.linear for b in self.blocks] + [self.out]


def initialise(net: PlainNet, scheme: str) -> PlainNet:
    """Apply an initialisation scheme to every linear layer (hidden and output), in place."""
    if scheme not in INITS:
        raise ValueError(f"unknown init '{scheme}' (known: {', '.join(INITS)})")
    if scheme == "default":
        return net
    gain = nn.init.calculate_gain(net.activation)
    with torch.no_grad():
        for lin in net.linears():
            w = lin.weight
            if scheme == "constant":
                nn.init.constant_(w, 1.0 / w.shape[1])
            elif scheme == "normal_tiny":
                nn.init.normal_(w, 0.0, TINY_STD)
            elif scheme == "xavier":
                nn.init.xavier_normal_(w, gain=1.0)
            elif scheme == "kaiming":
                nn.init.kaiming_normal_(w, mode="fan_in", nonlinearity="relu")
            elif scheme == "orthogonal":
                nn.init.orthogonal_(w, gain=gain)
            nn.init.zeros_(lin.bias)
    return net


class PlainShape(Protocol):
    """What a plain net is built from (a plain-net arm's settings: tutor/lab/kinds/plain.py)."""

    @property
    def depth(self) -> int: ...
    @property
    def width(self) -> int: ...
    @property
    def activation(self) -> str: ...
    @property
    def norm(self) -> str: ...
    @property
    def init(self) -> str: ...


def build(cfg: PlainShape, in_dim: int, num_classes: int) -> PlainNet:
    """The arm's plain network (call torch.manual_seed first: the seed fixes the random initialisation)."""
    net = PlainNet(in_dim, num_classes, depth=cfg.depth, width=cfg.width, activation=cfg.activation, norm=cfg.norm)
    return initialise(net, cfg.init)


def distinct_units(weight: torch.Tensor, bias: torch.Tensor | None = None, rel_tol: float = 1e-3) -> int:
    """How many rows (units) of a layer differ: rows closer than rel_tol x the layer's largest |weight| count once."""
    w = weight.detach().float().flatten(1)
    if bias is not None:
        w = torch.cat([w, bias.detach().float().view(-1, 1)], dim=1)
    if not torch.isfinite(w).all():
        return 0
    tol = rel_tol * max(float(w.abs().max()), 1e-12)
    close = ((w[:, None, :] - w[None, :, :]).abs().amax(-1) <= tol).tolist()  # pairwise max-abs distance
    kept: list[int] = []
    for i in range(len(close)):
        if not any(close[i][k] for k in kept):
            kept.append(i)
    return len(kept)


def mean_distinct_units(net: PlainNet) -> float:
    """Distinct units per hidden layer, averaged over the hidden layers (= width when symmetry is broken)."""
    counts = [distinct_units(b.linear.weight, b.linear.bias) for b in net.blocks]
    return sum(counts) / max(len(counts), 1)
