"""Fine-tuning schedules: gradual unfreezing, batch-norm mode, discriminative learning rates.

- `unfreeze_at: E`: the backbone stays frozen (only the head trains) for the first E epochs; then the
  top `unfreeze` stages start training. `Unfreezer` does the switch and measures what happens at that
  moment: validation accuracy after every step of the first epoch after unfreezing (`unfreeze_drop`:
  the accuracy just before minus the lowest one just after) and the training loss (`unfreeze_loss_spike`).
- `bn_mode: eval`: batch-norm layers keep their running statistics (inference mode) while the weights
  around them train, as advised for fine-tuning with small batches; `train` (default) lets every
  trainable batch-norm layer use and update batch statistics.
- `lr_decay_per_stage: f`: the top unfrozen stage trains at `backbone_lr`, the one below at
  `backbone_lr * f`, the next at `backbone_lr * f^2`, ... (discriminative learning rates).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field

from tutor.lab.kinds.base import Kind, Traits
from tutor.lab.report.plots import save_figure
from tutor.lab.result import LabResult
from tutor.lab.spec.settings import CoreSettings
from tutor.lab.training.callback import Callback

METRICS = {
    "unfreeze_drop": "arms with unfreeze_at: validation accuracy just before unfreezing minus the lowest one measured "
                     "after each step of the first epoch after it (positive: accuracy dropped), 0-1",
    "unfreeze_loss_spike": "arms with unfreeze_at: highest batch loss in the first epoch after unfreezing minus the mean "
                           "batch loss of the last head-only epoch",
    "pre_unfreeze_val_acc": "arms with unfreeze_at: validation accuracy at the end of the last head-only epoch, 0-1",
    "unfreeze_loss_log_ratio": "arms with unfreeze_at: log10 of the first batch loss after unfreezing (computed before "
                               "any backbone weight has moved) over the mean batch loss of the last head-only epoch "
                               "(0: no jump; 1: ten times higher)",
}
UNITS = {"unfreeze_drop": "%"}


class Settings(CoreSettings):
    unfreeze_at: Annotated[int, Field(ge=1, le=1000)] | None = None  # head-only epochs before `unfreeze` applies
    bn_mode: Literal["train", "eval"] = "train"  # eval: batch-norm layers keep their running statistics
    lr_decay_per_stage: Annotated[float, Field(gt=0.0, le=1.0)] | None = None  # each lower stage: lr x this


class UnfreezingKind(Kind[Settings]):
    name = "unfreezing"
    settings = Settings
    metrics = METRICS
    units = UNITS

    def check(self, cfg: Settings, traits: Traits) -> str | None:
        if cfg.unfreeze_at is not None and (cfg.unfreeze == 0 or cfg.unfreeze_at >= cfg.epochs):
            return "unfreeze_at needs unfreeze (N or all) and fewer head-only epochs than `epochs`"
        return None

    def describe(self, cfg: Settings) -> list[str]:
        parts = []
        if cfg.unfreeze_at is not None:
            parts.append(f"after {cfg.unfreeze_at} head-only epochs")
        if cfg.bn_mode == "eval":
            parts.append("batch norm in inference mode")
        return parts

    def needs_images(self, cfg: Settings) -> bool:
        return cfg.unfreeze_at is not None  # the whole net runs from the first epoch

    def callbacks(self, cfg: Settings, traits: Traits) -> list[Callback]:
        used = cfg.unfreeze_at is not None or cfg.lr_decay_per_stage is not None or cfg.bn_mode == "eval"
        return [Unfreezing(cfg)] if used else []

    def plot(self, result: LabResult, out_dir: Path, plt: ModuleType) -> list[Path]:
        return plot(result, out_dir, plt)


class Unfreezing(Callback):
    """Per-stage learning rates, the freeze-then-unfreeze switch (and what it does), batch norm kept in eval mode."""

    def __init__(self, cfg: Settings):
        self.cfg = cfg

    def before_fit(self, learn: Any) -> None:
        cfg = self.cfg
        self.unfreezer = None
        if (cfg.unfreeze_at is not None or cfg.lr_decay_per_stage is not None) and learn.bb_params:
            learn.opt, self.unfreezer = setup(cfg, learn.model, learn.opt, learn.head_params, learn.evaluate_val)

    def before_epoch(self, learn: Any) -> None:
        if self.unfreezer is not None:
            self.unfreezer.start_epoch(learn.epoch)
        if self.cfg.bn_mode == "eval":
            bn_eval(learn.model)

    def after_step(self, learn: Any) -> None:
        if self.unfreezer is not None:
            self.unfreezer.after_step(learn.loss.item())

    def after_eval(self, learn: Any) -> None:
        if self.unfreezer is not None:
            self.unfreezer.end_epoch(learn.epoch_result["val_acc"])

    def after_metrics(self, learn: Any) -> None:
        if self.unfreezer is not None:
            learn.metrics.update(self.unfreezer.metrics())
            learn.hist.update(self.unfreezer.history())


PROBE_STEPS = 25  # validation accuracy is measured after each of at most this many steps after unfreezing


def bn_eval(model: Any) -> None:
    """Put every batch-norm layer in eval mode: running statistics are used and never updated."""
    from torch import nn

    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.eval()


def stage_groups(stages: list[Any], lr: float, decay: float | None) -> list[dict]:
    """One optimizer group per stage (low -> high in `stages`), the top at `lr`, each lower one `decay` times less."""
    groups = []
    n = len(stages)
    for i, stage in enumerate(stages):
        params = list(stage.parameters())
        if params:
            groups.append({"params": params, "lr": lr * (decay if decay is not None else 1.0) ** (n - 1 - i)})
    return groups


def set_top_trainable(model: Any, stages: list[Any], top: int | str) -> None:
    """Train only the top `top` of `stages` ("all": all); uses Backbone.set_trainable when the model has one."""
    backbone = getattr(model, "backbone", None)
    if backbone is not None and hasattr(backbone, "set_trainable"):
        backbone.set_trainable("all" if top == "all" else min(int(top), len(backbone.stages)))
        return
    k = len(stages) if top == "all" else int(top)
    for i, stage in enumerate(stages):
        for p in stage.parameters():
            p.requires_grad_(i >= len(stages) - k)


class Unfreezer:
    """Runs the freeze-then-unfreeze switch of one arm and records what happens at the switch."""

    def __init__(self, cfg: Settings, model: Any, stages: list[Any], probe: Callable[[], float]):
        self.cfg, self.model, self.stages, self.probe = cfg, model, stages, probe
        self.epoch = 0
        self.step_losses: list[float] = []
        self.before_losses: list[float] = []
        self.after_losses: list[float] = []
        self.around: list[float] = []  # validation accuracy: just before unfreezing, then after each step
        set_top_trainable(model, stages, 0)

    @property
    def just_unfrozen(self) -> bool:
        return self.epoch == self.cfg.unfreeze_at + 1

    def start_epoch(self, epoch: int) -> None:
        self.epoch = epoch
        if self.just_unfrozen:
            set_top_trainable(self.model, self.stages, self.cfg.unfreeze)
            self.model.train()
            if self.cfg.bn_mode == "eval":
                bn_eval(self.model)

    def end_epoch(self, val_acc: float) -> None:
        if self.epoch == self.cfg.unfreeze_at:
            self.around = [val_acc]
        elif self.just_unfrozen:
            self.around.append(val_acc)

    def after_step(self, loss: float) -> None:
        self.step_losses.append(loss)
        if self.epoch == self.cfg.unfreeze_at:
            self.before_losses.append(loss)
        elif self.just_unfrozen:
            self.after_losses.append(loss)
            if len(self.after_losses) <= PROBE_STEPS:
                self.around.append(self.probe())
                self.model.train()
                if self.cfg.bn_mode == "eval":
                    bn_eval(self.model)

    def metrics(self) -> dict[str, float]:
        nan = float("nan")
        if not self.around or not self.after_losses:
            return {"unfreeze_drop": nan, "unfreeze_loss_spike": nan, "pre_unfreeze_val_acc": nan,
                    "unfreeze_loss_log_ratio": nan}
        before = sum(self.before_losses) / len(self.before_losses) if self.before_losses else nan
        return {"unfreeze_drop": self.around[0] - min(self.around[1:] or self.around),
                "unfreeze_loss_spike": max(self.after_losses) - before,
                "pre_unfreeze_val_acc": self.around[0],
                "unfreeze_loss_log_ratio": log_ratio(self.after_losses[0], before)}

    def history(self) -> dict[str, list[float]]:
        return {"around_unfreeze_val_acc": self.around, "step_loss": self.step_losses}


def log_ratio(after: float, before: float, floor: float = 1e-6) -> float:
    """log10(after / before) of two losses: a jump the t-test reads on a log scale, where one huge value
    (a loss of 300 against 0.3) counts as three orders of magnitude, not as a mean-wrecking outlier."""
    if not (math.isfinite(after) and math.isfinite(before)):
        return float("nan")
    return math.log10(max(after, floor) / max(before, floor))


def setup(cfg: Settings, model: Any, opt: Any, head_params: list[Any], probe: Callable[[], float],
          ) -> tuple[Any, Unfreezer | None]:
    """(optimizer, Unfreezer or None) for an arm with `lr_decay_per_stage` and/or `unfreeze_at`."""
    stages = list(model.backbone.stages) if hasattr(model, "backbone") else list(getattr(model, "stages", []))
    if cfg.lr_decay_per_stage is not None:
        trainable = [s for s in stages if any(p.requires_grad for p in s.parameters())]
        groups = [{"params": head_params, "lr": cfg.lr},
                  *stage_groups(trainable, cfg.backbone_lr or cfg.lr, cfg.lr_decay_per_stage)]
        opt = type(opt)(groups, **opt.defaults)
    unfreezer = Unfreezer(cfg, model, stages, probe) if cfg.unfreeze_at is not None else None
    return opt, unfreezer


# ---------------------------------------------------------------- plot


def _mean(runs: list[list[float]]) -> np.ndarray | None:
    runs = [r for r in runs if r]
    if not runs:
        return None
    n = min(len(r) for r in runs)
    return np.array([r[:n] for r in runs], dtype=float).mean(0)


def plot(result: LabResult, out_dir: Path, plt: ModuleType) -> list[Path]:
    """`unfreezing.png` (arms with `unfreeze_at`): validation accuracy per epoch (a dotted line marks the
    unfreezing), validation accuracy after each of the first steps after unfreezing (step 0 = just before),
    and the training loss per step."""
    details = {a: d.model_dump() for a, d in result.arm_details.items()}
    arms = [a for a in result.arms if details.get(a, {}).get("config", {}).get("unfreeze_at")]
    if not arms:
        return []
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    ats: set[int] = set()
    for i, arm in enumerate(result.arms):
        hist = details[arm].get("history", {}).values()
        color = colors[i % len(colors)]
        va = _mean([h.get("val_acc", []) for h in hist])
        if va is not None:
            axes[0].plot(np.arange(1, len(va) + 1), va * 100, marker="o", ms=3, color=color, label=arm)
        if arm not in arms:
            continue
        ats.add(details[arm]["config"]["unfreeze_at"])
        around = _mean([h.get("around_unfreeze_val_acc", []) for h in hist])
        if around is not None:
            axes[1].plot(np.arange(len(around)), around * 100, marker=".", color=color, label=arm)
        losses = [h.get("step_loss", []) for h in hist]
        loss = _mean(losses)
        if loss is not None:
            steps_per_epoch = len(loss) / details[arm]["config"]["epochs"]
            axes[2].plot(np.arange(1, len(loss) + 1) / steps_per_epoch, loss, lw=1, color=color, label=arm)
    for at in sorted(ats):  # one dotted line per unfreezing moment (arms may unfreeze after different epochs)
        for ax, x in ((axes[0], at + 0.5), (axes[2], at)):
            ax.axvline(x, ls=":", color="k", lw=1)
            ax.text(x, ax.get_ylim()[1], f" unfreeze after epoch {at}", va="top", fontsize=7, rotation=90)
    axes[0].set(title="validation accuracy per epoch", xlabel="epoch", ylabel="accuracy (%)")
    axes[1].set(title="validation accuracy right after unfreezing\n(step 0 = just before)", xlabel="training step after unfreezing",
                ylabel="accuracy (%)")
    axes[2].set(title="training loss per step", xlabel="epoch", ylabel="cross-entropy (batch)")
    for ax in axes:
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    axes[1].legend(fontsize=7)
    fig.suptitle(f"{result.title or result.lab}: what happens at the moment the backbone is unfrozen "
                 f"(mean of {len(result.seeds)} seeds)", fontsize=11)
    path = save_figure(fig, out_dir, "unfreezing.png")
    return [path]
