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

from collections.abc import Callable

from torch import nn

PROBE_STEPS = 25  # validation accuracy is measured after each of at most this many steps after unfreezing


def bn_eval(model: nn.Module) -> None:
    """Put every batch-norm layer in eval mode: running statistics are used and never updated."""
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.eval()


def stage_groups(stages: list[nn.Module], lr: float, decay: float | None) -> list[dict]:
    """One optimizer group per stage (low -> high in `stages`), the top at `lr`, each lower one `decay` times less."""
    groups = []
    n = len(stages)
    for i, stage in enumerate(stages):
        params = list(stage.parameters())
        if params:
            groups.append({"params": params, "lr": lr * (decay if decay is not None else 1.0) ** (n - 1 - i)})
    return groups


def set_top_trainable(model: nn.Module, stages: list[nn.Module], top: int | str) -> None:
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

    def __init__(self, cfg, model: nn.Module, stages: list[nn.Module], probe: Callable[[], float]):
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
            return {"unfreeze_drop": nan, "unfreeze_loss_spike": nan, "pre_unfreeze_val_acc": nan}
        before = sum(self.before_losses) / len(self.before_losses) if self.before_losses else nan
        return {"unfreeze_drop": self.around[0] - min(self.around[1:] or self.around),
                "unfreeze_loss_spike": max(self.after_losses) - before,
                "pre_unfreeze_val_acc": self.around[0]}

    def history(self) -> dict[str, list[float]]:
        return {"around_unfreeze_val_acc": self.around, "step_loss": self.step_losses}


def setup(cfg, model: nn.Module, opt, head_params: list[nn.Parameter], probe: Callable[[], float]):
    """(optimizer, Unfreezer or None) for an arm with `lr_decay_per_stage` and/or `unfreeze_at`."""
    stages = list(model.backbone.stages) if hasattr(model, "backbone") else list(getattr(model, "stages", []))
    if cfg.lr_decay_per_stage is not None:
        trainable = [s for s in stages if any(p.requires_grad for p in s.parameters())]
        groups = [{"params": head_params, "lr": cfg.lr},
                  *stage_groups(trainable, cfg.backbone_lr or cfg.lr, cfg.lr_decay_per_stage)]
        opt = type(opt)(groups, **opt.defaults)
    unfreezer = Unfreezer(cfg, model, stages, probe) if cfg.unfreeze_at is not None else None
    return opt, unfreezer
