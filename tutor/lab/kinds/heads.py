"""Classification heads (the heads lab): how many weights an arm trains, and `params.png`.

The head itself (`hidden`, `dropout`, `head_norm`, `pool`, `output_layer`) is part of every backbone arm:
its settings are core settings (tutor/lab/spec/settings.py), its network tutor/lab/models/heads.py.

`params.png`: accuracy against the number of trainable parameters (labs that `show: [params]`).

A head's size is its parameter count; the plot puts every arm at its count (log scale) with its training
and validation accuracy, so the learner sees whether more weights bought more validation accuracy or
only a better fit of the training images (the heads lab: GAP vs flatten, small vs large heads).
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from tutor.lab.kinds.base import Kind, Traits
from tutor.lab.report.plots import save_figure
from tutor.lab.result import LabResult
from tutor.lab.spec.settings import CoreSettings
from tutor.lab.training.callback import Callback

SERVE_BATCH = 2  # images per request when a head is served in training mode (batch norm needs two)

METRICS = {
    "params": "trainable parameters of the arm: what the optimiser updates (the head for a frozen backbone, plus "
              "the unfrozen stages when fine-tuning; every weight of a plain net)",
    "train_mode_val_acc": "heads with dropout or head_norm: validation accuracy when the trained model is served "
                          "without inference mode (training mode: dropout active, batch norm on the statistics of "
                          f"each request), requests of {SERVE_BATCH} images, 0-1",
    "train_mode_flips": "heads with dropout or head_norm: fraction of validation images whose predicted class differs "
                        "between two such training-mode passes (0 in inference mode), 0-1",
}
UNITS = {"params": "count", "train_mode_val_acc": "%", "train_mode_flips": "%"}


class HeadsKind(Kind[CoreSettings]):
    """The head's settings are core settings: this kind counts the trained weights, serves heads in training mode
    and draws params.png."""

    name = "heads"
    metrics = METRICS
    units = UNITS

    def check(self, cfg: CoreSettings, traits: Traits) -> str | None:
        cached = cfg.unfreeze == 0 and not traits.needs_images and traits.uses_backbone and traits.trains
        if cfg.pool == "flatten" and not cached:
            return ("pool: flatten trains a head on cached frozen feature maps: a frozen backbone "
                    "(unfreeze: 0), no augment, model: backbone, method: train")
        return None

    def callbacks(self, cfg: CoreSettings, traits: Traits) -> list[Callback]:
        serving = [ServedInTrainingMode()] if cfg.dropout > 0 or cfg.head_norm else []
        return [CountParams(), *serving]

    def plot(self, result: LabResult, out_dir: Path, plt: ModuleType) -> list[Path]:
        return plot(result, out_dir, plt)


class CountParams(Callback):
    def after_metrics(self, learn: Any) -> None:
        from tutor.lab.training.arm import count_params

        learn.metrics["params"] = float(count_params(learn.head_params + learn.bb_params))


class ServedInTrainingMode(Callback):
    """The serving bug the heads questions warn about: a copy of the trained model left in training mode,
    asked about the validation images in small requests, twice, each image with another partner the second
    time (dropout draws new masks every call; batch norm normalises with each request's own statistics
    instead of its running averages)."""

    def after_metrics(self, learn: Any) -> None:
        import copy

        import torch

        model = copy.deepcopy(learn.eval_model).train()  # a copy: the arm's running statistics stay untouched
        x, y = learn.e_val.x, learn.e_val.y
        cuts = list(range(0, len(y), SERVE_BATCH))
        if len(cuts) > 1 and len(y) - cuts[-1] < 2:
            cuts.pop()  # no request of one image (batch norm cannot normalise it): the last one takes three
        spans = list(zip(cuts, [*cuts[1:], len(y)]))
        later = torch.roll(torch.arange(len(y), device=y.device), 1)  # the second call: other request partners
        with torch.no_grad(), learn.autocast():
            first = torch.cat([model(x[a:b]).float().argmax(1) for a, b in spans])
            second = torch.empty_like(first)
            second[later] = torch.cat([model(x[later[a:b]]).float().argmax(1) for a, b in spans])
        learn.metrics["train_mode_val_acc"] = float((first == y).float().mean())
        learn.metrics["train_mode_flips"] = float((first != second).float().mean())


def plot(result: LabResult, out_dir: Path, plt: ModuleType) -> list[Path]:
    """`params.png` (labs that `show: [params]`): accuracy against the number of trainable parameters."""
    arms = {a: {k: s.model_dump() for k, s in m.items()} for a, m in result.arms.items() if "params" in m}
    if "params" not in result.show or not arms:
        return []
    names = list(arms)
    p = np.array([arms[a]["params"]["mean"] for a in names], dtype=float)
    fig, ax = plt.subplots(figsize=(8.5, 5.0))
    for key, marker, color, what in (("train_acc", "^", "tab:blue", "training"), ("val_acc", "o", "tab:orange", "validation")):
        mean = np.array([arms[a][key]["mean"] for a in names]) * 100
        sd = np.nan_to_num(np.array([arms[a][key]["sd"] or 0 for a in names], dtype=float)) * 100
        ax.errorbar(p, mean, yerr=sd, ls="none", marker=marker, ms=6, capsize=3, color=color, label=f"{what} accuracy")
        if key == "val_acc":  # arms of about the same size: labels listed top to bottom in the dots' order
            clusters: list[list[tuple[float, float, str]]] = []
            for x, y, name in sorted(zip(p, mean, names)):
                if clusters and x <= 1.1 * clusters[-1][0][0]:
                    clusters[-1].append((x, y, name))
                else:
                    clusters.append([(x, y, name)])
            for group in clusters:
                group.sort(key=lambda t: -t[1])
                top = group[0][1]
                for k, (x, y, name) in enumerate(group):
                    ax.annotate(name, (x, top), textcoords="offset points", xytext=(10, 2 - 12 * k), fontsize=8,
                                va="center")
    ax.set_xscale("log")
    ax.set_xlabel("trainable parameters (log scale)")
    ax.set_ylabel("accuracy (%)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    ax.set_title(f"{result.title or result.lab}\naccuracy against the number of trained weights\n"
                 f"a higher validation dot is better; training at 100% with validation far below = memorising\n"
                 f"(mean of {len(result.seeds)} seeds, bars = sd)", fontsize=9)
    path = save_figure(fig, out_dir, "params.png")
    return [path]
