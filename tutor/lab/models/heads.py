"""Classification heads and the networks built around them: the head alone (on cached features), the
backbone with its head, and the trainable top of a backbone (on cached lower-stage activations)."""

from __future__ import annotations

import torch
from torch import nn

from tutor.lab.errors import LabError
from tutor.lab.spec.settings import CoreSettings


# ---------------------------------------------------------------- heads


class Head(nn.Module):
    """Optional fixed standardisation, then [dropout, linear, (batch norm), relu]* and a final dropout + linear.

    `norm=True` (the `head_norm` setting) puts a BatchNorm1d before each hidden layer's activation; a head
    without hidden layers gets one on its input features instead, so the flag always adds one learnt
    normalisation that uses batch statistics while training."""

    def __init__(self, in_dim: int, hidden: list[int], num_classes: int, dropout: float,
                 mean: torch.Tensor | None = None, std: torch.Tensor | None = None, norm: bool = False):
        super().__init__()
        self.register_buffer("mean", mean if mean is not None else torch.zeros(in_dim))
        self.register_buffer("std", std if std is not None else torch.ones(in_dim))
        layers: list[nn.Module] = []
        width = in_dim
        for h in hidden:
            layers += [nn.Dropout(dropout), nn.Linear(width, h)]
            if norm:
                layers.append(nn.BatchNorm1d(h))
            layers.append(nn.ReLU())
            width = h
        if norm and not hidden:
            layers.append(nn.BatchNorm1d(width))
        layers.append(nn.Dropout(dropout))
        self.body = nn.Sequential(*layers)
        self.out = nn.Linear(width, num_classes)

    def forward(self, f: torch.Tensor) -> torch.Tensor:
        return self.out(self.body((f - self.mean) / self.std))


class Net(nn.Module):
    def __init__(self, backbone: nn.Module, head: Head):
        super().__init__()
        self.backbone = backbone
        self.head = head

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.backbone(x))


class TopView(nn.Module):
    """The trainable top of a Net (shared parameters, no copy): evaluation on cached lower-stage activations."""

    def __init__(self, net: Net, frozen: int):
        super().__init__()
        self.top = nn.Sequential(*list(net.backbone.stages)[frozen:])
        self.head = net.head

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if len(self.top):
            x = self.top(x)
        if x.dim() == 4:
            x = x.mean(dim=(2, 3))
        return self.head(x)


class TopNet(nn.Module):
    """The unfrozen top stages of a backbone, its global pooling, and the head (inputs: lower-stage activations)."""

    def __init__(self, stages: nn.Module, head: Head):
        super().__init__()
        self.stages = stages
        self.head = head

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stages(x)
        if x.dim() == 4:
            x = x.mean(dim=(2, 3))
        return self.head(x)


def make_head(cfg: CoreSettings, in_dim: int, num_classes: int, source_head: nn.Linear | None,
              standardize_from: torch.Tensor | None) -> Head:
    mean = std = None
    if standardize_from is not None:
        mean = standardize_from.mean(0)
        std = standardize_from.std(0).clamp_min(1e-4)
        dead = standardize_from.std(0) < 1e-6  # a dead feature stays 0 after centring
        std = torch.where(dead, torch.ones_like(std), std)
    head = Head(in_dim, cfg.hidden, num_classes, cfg.dropout, mean, std, norm=cfg.head_norm)
    if cfg.output_layer == "pretrained":
        if source_head is None:
            raise LabError("output_layer: pretrained needs a backbone that ships its source output layer (tutornet does)")
        if source_head.out_features < num_classes or source_head.in_features != in_dim:
            raise LabError(f"the source output layer ({source_head.in_features}->{source_head.out_features}) cannot serve "
                           f"{num_classes} classes on {in_dim} features")
        with torch.no_grad():
            head.out.weight.copy_(source_head.weight[:num_classes])
            head.out.bias.copy_(source_head.bias[:num_classes])
    return head
