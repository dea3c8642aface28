"""Explicit weight penalties (L1, L2, elastic net), weight sparsity, and early stopping.

Why a module of its own: `weight_decay` in the optimiser is *decoupled* for AdamW and folded into Adam's
adaptive step for Adam; the regularisation lab needs the textbook version too, a penalty added to the
loss (`l1`, `l2` arm settings), so that L2-in-the-loss and decoupled decay can be compared, and L1's
sparsity measured against L2's.

- `penalised(params)`: the weights a penalty acts on: the optimiser's tensors with two or more dimensions
  (convolution kernels and linear weights). Biases and batch-norm scales/shifts are left alone, as usual.
- `weight_penalty(params, l1, l2)` = l1 * sum|w| + l2 * sum w^2, summed over every penalised weight
  (not averaged: lambda is per weight, as in lasso/ridge). Its gradient is l1 * sign(w) + 2 * l2 * w.
- `sparsity(params)`: fraction of penalised weights with |w| < SPARSE_THRESHOLD (1e-3, absolute);
  `rel_sparsity(params)`: the same below REL_SPARSE_THRESHOLD (1e-3) x the largest |w| of each weight's own
  tensor, so that weights which are all uniformly small (L2) do not count as zeros, only those far below
  their tensor's scale (L1's exact zeros).
- `EarlyStopping`: stop when the validation loss has not improved for `patience` epochs; keep a copy of
  the best epoch's weights so that the caller can restore them. `early_stopping_val: N` watches only N
  validation images (a subsample drawn by the seed), the small validation split of the
  early-stopping question; `stop_regret_acc` measures, on the test split (reported, never used to choose),
  how much the chosen epoch missed the best one by. `early_stopping_full: true` trains every epoch past the
  stop (choosing as if it had stopped, restoring that epoch), so `stop_regret_full` can measure the choice
  against the best test epoch of the whole trajectory: an arm that stops earlier has as much to regret.
  `early_stopping_draws: R` (with `early_stopping_full`) replays early stopping on R bootstrap draws of the
  validation split (as many images as it watches, drawn with replacement from the whole split) over the
  same trained trajectory: `stop_gain_sd` is how much the restored epoch's test accuracy varies with the
  validation images drawn (the run-to-run spread a small split brings, with the training itself held fixed),
  `stop_regret_draws` the mean regret over those draws.
- `batch_norm: false`: the backbone's batch-norm layers replaced by identities, for a network trained from
  scratch (the regularisation lab's batch norm x weight decay 2 x 2); `conv_norm` and `weight_norm` report
  the size of the trained weights, which is what weight decay acts on. `decay: weights` keeps
  `weight_decay` off biases and batch-norm parameters.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from tutor.lab.kinds.base import Kind, Traits
from tutor.lab.spec.settings import CoreSettings
from tutor.lab.training.callback import Callback

if TYPE_CHECKING:
    from torch import nn

METRICS = {
    "sparsity": "fraction of the trained weights (conv kernels and linear weights, not biases or norm parameters) "
                "whose magnitude is below 0.001 at the end, 0-1",
    "rel_sparsity": "fraction of the trained weights (conv kernels and linear weights) whose magnitude is below 0.001 "
                    "x the largest magnitude in their own tensor at the end, 0-1 (scale-free: uniformly small weights "
                    "are not zeros)",
    "stopped_epoch": "arms with early_stopping: the epoch training stopped at (= epochs when the patience never ran out)",
    "stop_regret_acc": "arms with early_stopping: test accuracy of the best epoch it ran minus that of the epoch it restored, "
                       "0-1 (how far validation's choice missed; test only measures it, never chooses)",
    "stop_regret_full": "arms with early_stopping_full: test accuracy of the best epoch of the whole trajectory (every "
                        "epoch trained) minus that of the epoch early stopping restored, 0-1",
    "stop_gain_sd": "arms with early_stopping_draws: standard deviation, over bootstrap draws of the watched validation "
                   "images, of the test accuracy of the epoch early stopping would restore on the same trajectory, 0-1",
    "stop_regret_draws": "arms with early_stopping_draws: the mean, over those draws, of the whole trajectory's best test "
                         "accuracy minus that of the epoch restored, 0-1",
    "weight_norm": "L2 norm of the trained weights (conv kernels and linear weights, not biases or norm parameters) at the end",
    "conv_norm": "L2 norm of the trained convolution kernels at the end (arms that train backbone stages)",
}
UNITS = {"stopped_epoch": "count", "stop_regret_acc": "%", "rel_sparsity": "%", "stop_regret_full": "%",
         "stop_gain_sd": "%", "stop_regret_draws": "%"}


class Settings(CoreSettings):
    # (`l1` and `l2`, the penalties in the loss, are core settings: a search may try them)
    early_stopping: Annotated[int, Field(ge=1, le=1000)] | None = None  # patience (epochs) on validation loss
    early_stopping_val: Annotated[int, Field(ge=2)] | None = None  # watch only this many validation images
    early_stopping_full: bool = False  # train every epoch past the stop (the choice as if stopped): stop_regret_full
    early_stopping_draws: Annotated[int, Field(ge=2, le=1000)] | None = None  # bootstrap replays: stop_gain_sd
    batch_norm: bool = True  # false: the backbone's batch norm replaced by identities (networks trained from scratch)
    decay: Literal["all", "weights"] = "all"  # what weight_decay acts on: every parameter, or only conv/linear weights


class PenaltiesKind(Kind[Settings]):
    name = "penalties"
    settings = Settings
    metrics = METRICS
    units = UNITS

    def check(self, cfg: Settings, traits: Traits) -> str | None:
        if cfg.early_stopping is not None and (cfg.select != "last" or traits.trainers):  # a search, prototypes
            return ("early_stopping restores the best epoch on validation loss itself: no select: best_val, "
                    "search or method: prototype with it")
        if cfg.early_stopping_val is not None and cfg.early_stopping is None:
            return "early_stopping_val sets how many validation images early stopping watches: it needs early_stopping"
        if cfg.early_stopping_full and cfg.early_stopping is None:
            return "early_stopping_full trains past early stopping's choice: it needs early_stopping"
        if cfg.early_stopping_draws is not None and not cfg.early_stopping_full:
            return ("early_stopping_draws replays early stopping over the whole trained trajectory: it needs "
                    "early_stopping_full")
        if not cfg.batch_norm and (cfg.backbone != "random" or cfg.unfreeze != "all"):
            return ("batch_norm: false removes the backbone's batch norm: only for a network trained from scratch "
                    "(backbone: random, unfreeze: all), whose weights never relied on it")
        return None

    def describe(self, cfg: Settings) -> list[str]:
        parts = []
        if cfg.l1 or cfg.l2:
            parts.append(" + ".join(f"{k} {v:g}" for k, v in (("L1", cfg.l1), ("L2", cfg.l2)) if v) + " penalty")
        if cfg.early_stopping is not None:
            watch = f", watching {cfg.early_stopping_val} validation images" if cfg.early_stopping_val else ""
            full = ", every epoch trained" if cfg.early_stopping_full else ""
            parts.append(f"early stopping (patience {cfg.early_stopping}{watch}{full})")
        if not cfg.batch_norm:
            parts.append("no batch norm")
        if cfg.decay == "weights" and cfg.weight_decay:
            parts.append("decay on weights only")
        return parts

    def feature_key(self, cfg: Settings) -> dict[str, object]:
        return {} if cfg.batch_norm else {"batch_norm": False}

    def adapt_backbone(self, cfg: Settings, net: nn.Module) -> nn.Module:
        return without_batch_norm(net) if not cfg.batch_norm else net

    def callbacks(self, cfg: Settings, traits: Traits) -> list[Callback]:
        return [Penalties(cfg)]  # sparsity is reported for every trained arm


def without_batch_norm(net: nn.Module) -> nn.Module:
    """A copy of the backbone whose BatchNorm2d layers are identities, re-initialised so that it still trains
    (Fixup-style: He initialisation, and the last convolution of every residual branch at zero, so that each
    block starts as its shortcut; PyTorch's default initialisation without batch norm shrinks the signal about
    2.5-fold a convolution, and the network stays at the majority class)."""
    import copy as copy_

    from torch import nn

    net = copy_.deepcopy(net)
    for module in list(net.modules()):
        for name, child in list(module.named_children()):
            if isinstance(child, nn.BatchNorm2d):
                setattr(module, name, nn.Identity())
    for module in net.modules():
        if isinstance(module, nn.Conv2d):
            nn.init.kaiming_normal_(module.weight, mode="fan_in", nonlinearity="relu")
    for module in net.modules():
        last = getattr(module, "conv2", None)
        if isinstance(last, nn.Conv2d):
            nn.init.zeros_(last.weight)
    return net


class Penalties(Callback):
    """The penalty in the loss, early stopping on validation loss, and the sparsity of the trained weights."""

    def __init__(self, cfg: Settings):
        self.cfg = cfg

    def before_fit(self, learn: Any) -> None:
        cfg = self.cfg
        if cfg.decay == "weights" and cfg.weight_decay:
            learn.opt = weights_only_decay(learn.opt)
        self.params = penalised(learn.head_params + learn.bb_params) if (cfg.l1 or cfg.l2) else []
        self.stopper = EarlyStopping(cfg.early_stopping) if cfg.early_stopping is not None else None
        self.watch = watched_split(learn.e_val, cfg.early_stopping_val, learn.seed) if self.stopper else None
        self.test_accs: list[float] = []
        self.val_losses: list[Any] = []  # per epoch, every validation image's loss (for early_stopping_draws)

    def after_loss(self, learn: Any) -> None:
        if self.params:  # explicit L1 / L2 / elastic-net penalty: part of the loss the optimiser sees
            learn.loss = learn.loss + weight_penalty(self.params, self.cfg.l1, self.cfg.l2)

    def after_epoch(self, learn: Any) -> None:
        if self.stopper is None:
            return
        from tutor.lab.training.evaluate import evaluate

        watched = learn.epoch_result["val_loss"] if self.watch is None else evaluate(learn.eval_model, self.watch)[1]
        self.test_accs.append(evaluate(learn.eval_model, learn.e_test)[0])  # measured only: never chooses
        if self.cfg.early_stopping_draws:
            self.val_losses.append(image_losses(learn.eval_model, learn.e_val))
        if self.stopper.stopped_epoch is None and self.stopper.update(learn.epoch, watched, learn.model):
            # validation loss has not improved for `early_stopping` epochs: stop, or (early_stopping_full)
            # train on with the choice frozen, to know the rest of the test trajectory
            learn.stop = not self.cfg.early_stopping_full

    def after_fit(self, learn: Any) -> None:
        if self.stopper is not None and self.stopper.best_state is not None:  # the lowest-validation-loss epoch
            learn.model.load_state_dict(self.stopper.best_state)
            learn.chosen_epoch = self.stopper.best_epoch

    def after_metrics(self, learn: Any) -> None:
        trained = penalised(learn.head_params + learn.bb_params)
        learn.metrics["sparsity"] = sparsity(trained)
        learn.metrics["rel_sparsity"] = rel_sparsity(trained)
        learn.metrics["weight_norm"] = l2_norm(trained)
        convs = [p for p in penalised(learn.bb_params) if p.dim() == 4]
        if convs:
            learn.metrics["conv_norm"] = l2_norm(convs)
        if self.stopper is not None:
            ran = self.stopper.stopped_epoch or len(learn.hist["val_acc"])  # the epochs it would have run
            learn.metrics["stopped_epoch"] = float(ran)
            if self.test_accs and self.stopper.best_epoch:
                chosen = self.test_accs[self.stopper.best_epoch - 1]
                learn.metrics["stop_regret_acc"] = max(self.test_accs[:ran]) - chosen
                if self.cfg.early_stopping_full:
                    learn.metrics["stop_regret_full"] = max(self.test_accs) - chosen
            if self.val_losses:
                learn.metrics.update(replayed_stops(self.val_losses, self.test_accs, self.cfg, learn.seed))


def weights_only_decay(opt: Any) -> Any:
    """The same optimiser with weight decay on conv kernels and linear weights only: biases and batch-norm
    scales and shifts in groups of their own without decay (the usual practice; decaying a batch-norm scale
    changes what the network computes, decaying the convolution before it does not)."""
    groups = []
    for group in opt.param_groups:
        rest = {k: v for k, v in group.items() if k != "params"}
        weights = penalised(group["params"])
        others = [p for p in group["params"] if all(p is not w for w in weights)]
        groups.append({**rest, "params": weights})
        if others:
            groups.append({**rest, "params": others, "weight_decay": 0.0})
    return type(opt)(groups, lr=opt.defaults["lr"])  # every group carries its own settings


def watched_split(val: Any, n: int | None, seed: int) -> Any:
    """The validation images early stopping watches: all of them, or `n` drawn with the seed (None: all)."""
    if n is None or n >= len(val.y):
        return None
    import torch

    from tutor.lab.training.arm import Split

    idx = torch.randperm(len(val.y), generator=torch.Generator().manual_seed(seed))[:n].to(val.y.device)
    return Split(val.x[idx], val.y[idx])


def image_losses(model: Any, split: Any) -> Any:
    """Every image's cross-entropy in `split` (a float64 numpy array), the model in eval mode."""
    import torch
    from torch.nn import functional as F

    from tutor.lab.models.build import EVAL_BATCH, to_cl

    was_training = model.training
    model.eval()
    with torch.inference_mode():
        out = [F.cross_entropy(model(to_cl(split.x[i:i + EVAL_BATCH])).float(), split.y[i:i + EVAL_BATCH],
                               reduction="none").cpu() for i in range(0, len(split.y), EVAL_BATCH)]
    model.train(was_training)
    return torch.cat(out).double().numpy()


def replayed_stops(val_losses: list[Any], test_accs: list[float], cfg: Settings, seed: int) -> dict[str, float]:
    """Early stopping replayed on `cfg.early_stopping_draws` bootstrap draws of the validation images (as many as
    it watches, with replacement) over one trained trajectory: the spread of the restored epoch's test accuracy
    (`stop_gain_sd`, ddof 1) and its mean regret against the trajectory's best test epoch (`stop_regret_draws`)."""
    import numpy as np

    losses = np.stack(val_losses)  # epochs x validation images
    n = cfg.early_stopping_val or losses.shape[1]
    rng = np.random.default_rng(seed)
    gains = []
    for _ in range(cfg.early_stopping_draws or 0):
        curve = losses[:, rng.integers(0, losses.shape[1], size=n)].mean(axis=1)
        stopper = EarlyStopping(cfg.early_stopping or 1)
        for epoch, loss in enumerate(curve, start=1):
            if stopper.update(epoch, float(loss)):
                break
        gains.append(test_accs[max(stopper.best_epoch, 1) - 1])  # no finite loss at all: the first epoch
    return {"stop_gain_sd": float(np.std(gains, ddof=1)), "stop_regret_draws": max(test_accs) - float(np.mean(gains))}


def l2_norm(params: list[Any]) -> float:
    """The L2 norm of all of `params` taken together (0 for none)."""
    import torch

    with torch.no_grad():
        return float(sum(float(p.detach().float().pow(2).sum()) for p in params) ** 0.5)



SPARSE_THRESHOLD = 1e-3  # |w| below this counts as zero for `sparsity`
REL_SPARSE_THRESHOLD = 1e-3  # |w| below this x its tensor's largest |w| counts as zero for `rel_sparsity`


def penalised(params: Iterable[Any]) -> list[Any]:
    """The weight tensors among `params` (conv kernels, linear weights); biases and norm parameters excluded. Each once."""
    seen: dict[int, Any] = {}
    for p in params:
        if p.dim() >= 2:
            seen.setdefault(id(p), p)
    return list(seen.values())


def weight_penalty(params: list[Any], l1: float = 0.0, l2: float = 0.0) -> Any:
    """l1 * sum|w| + l2 * sum w^2 over `params` (a 0-dim tensor on their device; 0 when both are 0)."""
    import torch

    total = torch.zeros((), device=params[0].device if params else None)
    for p in params:
        if l1:
            total = total + l1 * p.abs().sum()
        if l2:
            total = total + l2 * p.pow(2).sum()
    return total


def sparsity(params: list[Any], threshold: float = SPARSE_THRESHOLD) -> float:
    """Fraction of the weights in `params` whose magnitude is below `threshold` (0-1)."""
    import torch

    total = sum(p.numel() for p in params)
    if total == 0:
        return 0.0
    with torch.no_grad():
        small = sum(int((p.detach().abs() < threshold).sum()) for p in params)
    return small / total


def rel_sparsity(params: list[Any], ratio: float = REL_SPARSE_THRESHOLD) -> float:
    """Fraction of the weights in `params` whose magnitude is below `ratio` x the largest magnitude in their own
    tensor (0-1): scale-free, so a tensor whose weights all shrank alike has none (an all-zero tensor: all)."""
    import torch

    total = sum(p.numel() for p in params)
    if total == 0:
        return 0.0
    with torch.no_grad():
        small = 0
        for p in params:
            w = p.detach().abs()
            top = float(w.max()) if w.numel() else 0.0
            small += int((w < ratio * top).sum()) if top > 0 else w.numel()
    return small / total


class EarlyStopping:
    """Stop once the validation loss has not improved (by more than `min_delta`) for `patience` epochs.

    Call `update(epoch, val_loss, model)` after every epoch; it returns True when training should stop.
    `best_state` / `best_epoch` are the weights and epoch of the lowest validation loss so far.
    """

    def __init__(self, patience: int, min_delta: float = 0.0):
        if patience < 1:
            raise ValueError("patience must be at least 1 epoch")
        self.patience, self.min_delta = patience, min_delta
        self.best_loss = float("inf")
        self.best_epoch = 0
        self.best_state: dict[str, Any] | None = None
        self.bad_epochs = 0
        self.stopped_epoch: int | None = None

    def update(self, epoch: int, val_loss: float, model: Any = None) -> bool:
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.bad_epochs = val_loss, epoch, 0
            if model is not None:
                self.best_state = copy.deepcopy(model.state_dict())
            return False
        self.bad_epochs += 1
        if self.bad_epochs >= self.patience:
            self.stopped_epoch = epoch
            return True
        return False
