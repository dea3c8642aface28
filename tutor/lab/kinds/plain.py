"""Networks trained from scratch instead of the backbone: deep plain nets (`model: plain`; the initialisation
and normalisation labs) and a small CNN whose downsampling sits early or late (`model: cnn`; the heads lab).

`model: plain` arms use a PlainNet (tutor/lab/models/plainnet.py) instead of the lab's backbone and head;
`model: cnn` arms a SmallCNN (tutor/lab/models/smallcnn.py): `channels` 3 x 3 convolutions and `max_pools` 2 x 2
max pools right after the first convolution (`downsample: early`) or after the last (`late`), the same weights
either way. This module holds their settings, the plain nets' per-layer probes and the metrics they give,
and `layers.png`.

Per-layer statistics (`layer_stats`, at initialisation and after the first epoch): how large the signal
is going forward and the gradient going back. `layer_stats(net, x, y)` runs one forward and backward pass
on a copy of the network in training mode (the arm's own model, its optimiser state and its batch-norm
running statistics are never touched) and returns, for every hidden layer in order:

- `act_std`: standard deviation of the layer's output (after normalisation and activation) over the batch;
- `grad_norm`: Frobenius norm of the gradient of the cross-entropy with respect to the layer's weights.

A signal that shrinks (or grows) by a constant factor per layer shows up as a straight falling (rising)
line on a log scale: vanishing (exploding) activations or gradients.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
from pydantic import Field

from tutor.lab.kinds.base import Kind, Traits
from tutor.lab.report.plots import geomean, save_figure, seed_runs
from tutor.lab.result import LabResult
from tutor.lab.spec.settings import CoreSettings
from tutor.lab.training.callback import Callback

if TYPE_CHECKING:
    import torch

    from tutor.lab.kinds.base import Built
    from tutor.lab.training.arm import ArmData, ModelParts

METRICS = {
    "distinct_units": "plain nets: distinct units per hidden layer after training, averaged over the layers "
                      "(= width when symmetry is broken, 1 when every unit is a copy of one)",
    "act_log_ratio": "plain nets: log10(activation std of the last hidden layer / of the first) at initialisation "
                     "(0: the signal keeps its scale; -5: it shrinks 100,000-fold on the way up)",
    "grad_log_ratio": "plain nets: log10(weight-gradient norm of the first hidden layer / of the last) at "
                      "initialisation (negative: the gradient vanishes on its way back to the input)",
}
PROBE_IMAGES = 256  # training images the probes run on


PLAIN_ONLY = ("depth", "width", "init")  # plain nets' settings (a CNN has neither hidden layers nor their init)
CNN_ONLY = ("channels", "downsample", "max_pools")
BACKBONE_ONLY = ("backbone", "backbone_lr", "unfreeze", "output_layer", "pool", "hidden", "dropout", "head_norm")
CNN_NORMS = ("none", "batch")


class Settings(CoreSettings):
    # a network trained from scratch instead of the backbone: a deep plain net (tutor/lab/models/plainnet.py) or
    # a small CNN (tutor/lab/models/smallcnn.py)
    model: Literal["backbone", "plain", "cnn"] = "backbone"
    depth: Annotated[int, Field(ge=1, le=64)] = 8
    width: Annotated[int, Field(ge=1, le=4096)] = 64
    activation: Literal["relu", "tanh"] = "relu"
    init: Literal["default", "constant", "normal_tiny", "xavier", "kaiming", "orthogonal"] = "default"
    norm: Literal["none", "batch", "layer", "group"] = "none"
    channels: Annotated[list[Annotated[int, Field(ge=1, le=512)]], Field(min_length=2, max_length=8)] = \
        Field(default_factory=lambda: [16, 32, 32])  # CNN: the convolutions' widths, in order
    downsample: Literal["early", "late"] = "late"  # CNN: the max pools right after the first convolution or the last
    max_pools: Annotated[int, Field(ge=0, le=8)] = 4  # CNN: 2 x 2 max pools (stride 2): 4 = 16-fold in each direction


def _own(cfg: Settings) -> bool:
    return cfg.model in ("plain", "cnn")


class PlainKind(Kind[Settings]):
    name = "plain"
    settings = Settings
    metrics = METRICS

    def check(self, cfg: Settings, traits: Traits) -> str | None:
        given = cfg.model_fields_set
        if cfg.model != "cnn" and given & set(CNN_ONLY):
            return f"{', '.join(sorted(given & set(CNN_ONLY)))}: settings of a small CNN (model: cnn)"
        if cfg.model == "cnn" and given & set(PLAIN_ONLY):
            return (f"{', '.join(sorted(given & set(PLAIN_ONLY)))}: settings of a plain net (model: plain); "
                    "a CNN's are channels, downsample and max_pools")
        if cfg.model == "cnn" and given & set(BACKBONE_ONLY):
            return (f"{', '.join(sorted(given & set(BACKBONE_ONLY)))}: settings of the backbone and its head; "
                    "a CNN (model: cnn) is trained whole from scratch and ends in global average pooling and a linear layer")
        if cfg.model == "cnn" and cfg.norm not in CNN_NORMS:
            return f"norm: {cfg.norm} is for plain nets; a CNN takes norm: none or batch (BatchNorm2d after each convolution)"
        return None

    def check_data(self, cfg: Settings, size: int) -> str | None:
        if cfg.model == "cnn" and size >> cfg.max_pools < 1:
            return (f"max_pools: {cfg.max_pools} halves a {size} px image {cfg.max_pools} times, to nothing: at most "
                    f"{size.bit_length() - 1} at this size")
        return None

    def describe_arm(self, cfg: Settings) -> str | None:
        if cfg.model == "cnn":
            where = "right after the first convolution" if cfg.downsample == "early" else "after the last convolution"
            norm = ", batch norm" if cfg.norm == "batch" else ""
            return (f"small CNN from scratch: {len(cfg.channels)} 3x3 convolutions "
                    f"({'-'.join(map(str, cfg.channels))} channels, {cfg.activation}{norm}), "
                    f"{cfg.max_pools} 2x2 max pools ({2 ** cfg.max_pools}-fold) {where}, global average pooling, linear output")
        if cfg.model != "plain":
            return None
        return f"plain net {cfg.depth}x{cfg.width} {cfg.activation}, init {cfg.init}, norm {cfg.norm}"

    def needs_images(self, cfg: Settings) -> bool:
        return _own(cfg)  # a network from scratch sees the images; no backbone stage is involved

    def uses_backbone(self, cfg: Settings) -> bool:
        return not _own(cfg)

    def build_model(self, cfg: Settings, data: ArmData, parts: ModelParts, device: torch.device) -> Built | None:
        """The arm's own network (the seed is set: it fixes the random initialisation); every weight trains."""
        if cfg.model == "cnn":
            from tutor.lab.models import smallcnn

            model = smallcnn.build(cfg, data.num_classes, in_channels=data.train.x.shape[1]).to(device)
            return model, list(model.parameters()), []
        if cfg.model != "plain":
            return None
        from tutor.lab.models import plainnet

        model = plainnet.build(cfg, data.train.x[0].numel(), data.num_classes).to(device)
        return model, list(model.parameters()), []

    def callbacks(self, cfg: Settings, traits: Traits) -> list[Callback]:
        return [Probes()] if cfg.model == "plain" else []

    def plot(self, result: LabResult, out_dir: Path, plt: ModuleType) -> list[Path]:
        return plot(result, out_dir, plt)


class Probes(Callback):
    """Per-layer signal scales at initialisation and after the first epoch; symmetry after training."""

    def before_fit(self, learn: Any) -> None:
        self.x, self.y = learn.data.train.x[:PROBE_IMAGES], learn.data.train.y[:PROBE_IMAGES]
        self.stats = {"init": layer_stats(learn.model, self.x, self.y)}

    def after_eval(self, learn: Any) -> None:
        if learn.epoch == 1:
            self.stats["epoch1"] = layer_stats(learn.model, self.x, self.y)

    def after_metrics(self, learn: Any) -> None:
        from tutor.lab.models import plainnet

        init = self.stats["init"]
        learn.metrics.update(distinct_units=plainnet.mean_distinct_units(learn.model),
                             act_log_ratio=log_ratio(init["act_std"]), grad_log_ratio=-log_ratio(init["grad_norm"]))
        for when, stats in self.stats.items():
            learn.hist[f"layer_act_{when}"] = stats["act_std"]
            learn.hist[f"layer_grad_{when}"] = stats["grad_norm"]


def layer_stats(net: Any, x: Any, y: Any) -> dict[str, list[float]]:
    """{"act_std": [...], "grad_norm": [...]} per hidden block of `net` (a PlainNet: `.blocks`, `block.linear`)."""
    from torch.nn import functional as F

    probe = copy.deepcopy(net)
    probe.train()
    acts: list[Any] = []
    hooks = [b.register_forward_hook(lambda _m, _i, out: acts.append(out.detach())) for b in probe.blocks]
    try:
        probe.zero_grad(set_to_none=True)
        loss = F.cross_entropy(probe(x), y)
        loss.backward()
    finally:
        for h in hooks:
            h.remove()
    act_std = [_finite(float(a.float().std())) for a in acts]
    grad_norm = [_finite(float(b.linear.weight.grad.norm())) if b.linear.weight.grad is not None else 0.0
                 for b in probe.blocks]
    return {"act_std": act_std, "grad_norm": grad_norm}


def _finite(v: float) -> float:
    return v if math.isfinite(v) else float("nan")


def log_ratio(values: list[float], floor: float = 1e-30) -> float:
    """log10(last / first): how many orders of magnitude the quantity changes across the hidden layers
    (0: kept its scale; -3: a thousand times smaller). Zeros count as `floor`; NaN (a diverged net) as 0."""
    if len(values) < 2 or not all(math.isfinite(v) for v in (values[0], values[-1])):
        return 0.0
    return math.log10(max(values[-1], floor) / max(values[0], floor))


def plot(result: LabResult, out_dir: Path, plt: ModuleType) -> list[Path]:
    """`layers.png`: per arm, the activation scale (std) and the weight-gradient scale (norm) of every hidden
    layer, at initialisation and after the first epoch, on a log scale (geometric mean over seeds)."""
    details = {a: d.history for a, d in result.arm_details.items()}  # arm -> its per-seed curves
    arms = [a for a in result.arms if a in details]
    title = (result.title or result.lab)
    n_seeds = len(result.seeds)
    colors = plt.get_cmap("tab10")
    if not any(seed_runs(details[a], "layer_act_init") is not None for a in arms):
        return []
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), sharex=True)
    panels = [("layer_act_init", 0, 0, "signal size going forward, at initialisation"),
              ("layer_act_epoch1", 0, 1, "signal size going forward, after the first epoch"),
              ("layer_grad_init", 1, 0, "gradient size coming back, at initialisation"),
              ("layer_grad_epoch1", 1, 1, "gradient size coming back, after the first epoch")]
    for key, r, c, label in panels:
        ax = axes[r][c]
        for i, arm in enumerate(arms):
            data = seed_runs(details[arm], key)
            if data is None:
                continue
            if np.isnan(data).all():  # e.g. dead ReLUs: say so rather than silently drop the arm
                ax.plot([], [], color=colors(i % 10), ls="none", marker="x", label=f"{arm}: all zero (not drawn)")
                continue
            layers = np.arange(1, data.shape[1] + 1)
            ax.plot(layers, geomean(data), marker="o", ms=3, color=colors(i % 10), label=arm)
        ax.set_yscale("log")
        ax.set_title(label, fontsize=10)
        ax.grid(alpha=0.3, which="both")
        ax.set_ylabel("std of the layer's outputs" if r == 0 else "norm of the layer's weight gradient")
        if r == 1:
            ax.set_xlabel("hidden layer (1 = next to the input)")
    axes[0][0].legend(fontsize=8)
    fig.suptitle(f"{title}\nhow big the signal and the gradient are in each layer (log scale: a straight falling "
                 f"line = shrinking by the same factor every layer)\n(geometric mean of {n_seeds} seeds; "
                 f"a missing line = zero or not a number)", fontsize=10)
    return [save_figure(fig, out_dir, "layers.png")]
