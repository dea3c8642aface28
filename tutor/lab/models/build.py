"""An arm's network for its data mode: a head on cached features ("head"), the unfrozen top stages and a
head on cached activations ("top"), or the whole backbone and a head on images ("full")."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from tutor.lab.models.heads import Net, TopNet, make_head
from tutor.lab.spec.settings import CoreSettings

EVAL_BATCH = 512


def to_cl(x: torch.Tensor) -> torch.Tensor:
    return x.contiguous(memory_format=torch.channels_last) if x.dim() == 4 else x


def trainable_backbone_params(backbone: nn.Module, unfreeze: int | str) -> list[nn.Parameter]:
    """Train the top `unfreeze` stages (0: none, "all": every stage); frozen stages keep their BN statistics."""
    if hasattr(backbone, "set_trainable"):
        n = len(backbone.stages)
        backbone.set_trainable("all" if unfreeze == "all" else min(int(unfreeze), n))
    else:  # pragma: no cover - any plain module: all or nothing
        for p in backbone.parameters():
            p.requires_grad_(unfreeze != 0)
    return [p for p in backbone.parameters() if p.requires_grad]


def build_arm_model(cfg: CoreSettings, data: Any, parts: Any, seed: int,
                    device: torch.device) -> tuple[nn.Module, list[nn.Parameter], list[nn.Parameter]]:
    """(model, head parameters, trainable backbone parameters); the seed fixes the head's initialisation."""
    standardize = cfg.standardize if cfg.standardize is not None else (cfg.frozen and cfg.output_layer == "fresh")
    if data.features:
        std_from = data.train.x if standardize else None
        model: nn.Module = make_head(cfg, parts.feature_dim, data.num_classes, parts.source_head, std_from).to(device)
        return model, list(model.parameters()), []
    assert parts.make_backbone is not None
    backbone = parts.make_backbone()
    if data.mode == "top":
        n_stages = len(backbone.stages)
        top = nn.Sequential(*list(backbone.stages)[n_stages - int(cfg.unfreeze):])
        for p in top.parameters():
            p.requires_grad_(True)
        torch.manual_seed(seed)
        head = make_head(cfg, parts.feature_dim, data.num_classes, parts.source_head, None)
        model = TopNet(top, head).to(device).to(memory_format=torch.channels_last)
        return model, list(head.parameters()), list(top.parameters())
    bb_params = trainable_backbone_params(backbone, cfg.unfreeze)
    std_from = None
    if standardize:  # standardise with the (frozen) backbone's features of the training images
        with torch.inference_mode():
            backbone.to(device).eval()
            std_from = torch.cat([backbone(to_cl(data.train.x[i:i + EVAL_BATCH])).float()
                                  for i in range(0, len(data.train.x), EVAL_BATCH)]).clone()
    torch.manual_seed(seed)
    head = make_head(cfg, parts.feature_dim, data.num_classes, parts.source_head, std_from)
    model = Net(backbone, head).to(device).to(memory_format=torch.channels_last)
    return model, list(head.parameters()), bb_params
