"""Training that may blow up: a NaN or infinite loss is an outcome to record, not a crash.

The training loop stops an arm's seed at the first non-finite training loss, marks it `diverged`, and records
its losses as `LOSS_CAP` (far above any loss a working 10-class model has: chance is ln 10 = 2.3), so
the claims can still compare means over seeds. `max_rise` measures loss spikes.
"""

from __future__ import annotations

import math
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any

import numpy as np
from pydantic import Field

from tutor.lab.kinds.base import Kind, Traits
from tutor.lab.report.plots import geomean, save_figure, seed_runs
from tutor.lab.result import LabResult
from tutor.lab.spec.settings import CoreSettings
from tutor.lab.training.callback import Callback

METRICS = {
    "diverged": "plain nets and clip_grad arms: 1 when the training loss became NaN or infinite (training stopped), else 0; "
                "its mean over seeds is the fraction of diverged seeds",
    "final_loss": "plain nets and clip_grad arms: mean training loss over the last epoch's steps (a diverged run counts as 100)",
    "max_loss_spike": "plain nets and clip_grad arms: largest rise of the training loss (means of 10 steps) above its lowest value "
                      "so far (a diverged run counts as 100)",
    "epochs_to_target": "plain nets with `target_acc`: first epoch whose validation accuracy reaches the target "
                        "(epochs + 1 when it never does)",
    "epochs_to_train_target": "arms with `train_target_acc`: first epoch whose training accuracy (evaluation mode, "
                              "at most 200 training images) reaches the target (epochs + 1 when it never does)",
    "clipped_frac": "plain nets and clip_grad arms: fraction of steps where gradient clipping shortened the gradient (0 without clip_grad)",
    "mean_step": "plain nets and clip_grad arms: length of one update (L2 norm of the change of every trained weight "
                 "in one optimiser step), averaged over the steps (a diverged run: over the steps before it)",
    "first_epoch_step": "plain nets and clip_grad arms: the same, averaged over the first epoch's steps only, where "
                        "the gradient has changed least",
}

UNITS = {"epochs_to_train_target": "count"}


class Settings(CoreSettings):
    clip_grad: Annotated[float, Field(gt=0.0)] | None = None  # clip_grad_norm_ threshold (None: no clipping)
    target_acc: Annotated[float, Field(gt=0.0, le=1.0)] | None = None  # for the epochs_to_target metric
    train_target_acc: Annotated[float, Field(gt=0.0, le=1.0)] | None = None  # for epochs_to_train_target (any arm)


class StabilityKind(Kind[Settings]):
    name = "stability"
    settings = Settings
    metrics = METRICS
    units = UNITS

    def callbacks(self, cfg: Settings, traits: Traits) -> list[Callback]:
        # a network trained without a backbone (a plain net, from scratch) may blow up: always watched
        watched = [Stability(cfg)] if not traits.uses_backbone or cfg.clip_grad is not None else []
        return watched + ([TrainTarget(cfg.train_target_acc, cfg.epochs)] if cfg.train_target_acc is not None else [])

    def plot(self, result: LabResult, out_dir: Path, plt: ModuleType) -> list[Path]:
        return plot(result, out_dir, plt)


class Stability(Callback):
    """Records every step's loss, stops stepping at the first non-finite one, clips gradients, caps the losses."""

    def __init__(self, cfg: Settings):
        self.cfg = cfg

    def before_fit(self, learn: Any) -> None:
        self.step_losses: list[float] = []
        self.epoch_losses: list[float] = []
        self.clipped, self.diverged = 0, False
        self.step_lengths: list[float] = []
        self.first_epoch_steps: int | None = None  # set when the second epoch starts (None: one epoch only)
        self.params = [p for g in learn.opt.param_groups for p in g["params"]]

    def before_epoch(self, learn: Any) -> None:
        self.first_step = len(self.step_losses)
        if learn.epoch == 2:
            self.first_epoch_steps = len(self.step_lengths)

    def after_loss(self, learn: Any) -> None:
        self.step_losses.append(learn.loss.item())
        if not math.isfinite(self.step_losses[-1]):
            self.diverged = learn.halted = True

    def after_backward(self, learn: Any) -> None:
        clip = self.cfg.clip_grad
        if clip is not None:
            import torch

            self.clipped += int(float(torch.nn.utils.clip_grad_norm_(learn.model.parameters(), clip)) > clip)

    def before_step(self, learn: Any) -> None:
        self.before = [p.detach().clone() for p in self.params]

    def after_step(self, learn: Any) -> None:
        import torch

        with torch.no_grad():
            sq = sum(float((p - b).float().pow(2).sum()) for p, b in zip(self.params, self.before))
        self.step_lengths.append(math.sqrt(sq))

    def after_eval(self, learn: Any) -> None:
        r = learn.epoch_result
        r["train_loss"], r["val_loss"] = capped(r["train_loss"]), capped(r["val_loss"])
        ep = [capped(v) for v in self.step_losses[self.first_step:]]
        self.epoch_losses.append(LOSS_CAP if self.diverged else (sum(ep) / len(ep) if ep else self.epoch_losses[-1]))

    def after_metrics(self, learn: Any) -> None:
        """Divergence, spikes and speed."""
        metrics, cfg = learn.metrics, self.cfg
        for k in ("train_loss", "val_loss", "test_loss"):
            metrics[k] = capped(metrics[k])
        metrics.update(diverged=float(self.diverged), clipped_frac=self.clipped / max(learn.step, 1),
                       final_loss=LOSS_CAP if self.diverged else self.epoch_losses[-1],
                       max_loss_spike=LOSS_CAP if self.diverged else max_rise(self.step_losses),
                       mean_step=mean_finite(self.step_lengths),
                       first_epoch_step=mean_finite(self.step_lengths[:self.first_epoch_steps]))
        if cfg.target_acc is not None:
            metrics["epochs_to_target"] = epochs_to_target(learn.hist["val_acc"], cfg.target_acc, cfg.epochs)
        learn.hist["batch_loss"] = self.epoch_losses


class TrainTarget(Callback):
    """How fast an arm fits its training images: the first epoch whose training accuracy reaches a target."""

    def __init__(self, target: float, epochs: int):
        self.target, self.epochs = target, epochs

    def after_metrics(self, learn: Any) -> None:
        learn.metrics["epochs_to_train_target"] = epochs_to_target(learn.hist["train_acc"], self.target, self.epochs)


LOSS_CAP = 100.0  # the loss recorded for a diverged run (and the cap on any recorded loss)
SPIKE_WINDOW = 10  # steps averaged before looking for spikes (single batches are noisy)


def mean_finite(values: list[float]) -> float:
    """Mean of the finite values (NaN when there are none)."""
    kept = [v for v in values if math.isfinite(v)]
    return sum(kept) / len(kept) if kept else float("nan")


def capped(loss: float) -> float:
    """A loss as recorded: non-finite or huge values become LOSS_CAP."""
    return loss if math.isfinite(loss) and loss < LOSS_CAP else LOSS_CAP


def max_rise(step_losses: list[float], window: int = SPIKE_WINDOW) -> float:
    """The largest rise of the training loss above its lowest value so far, on means of `window` steps
    (capped losses; 0 when the loss only falls)."""
    if not step_losses:
        return 0.0
    values = np.array([capped(v) for v in step_losses], dtype=float)
    n = max(1, len(values) // window)
    means = np.array([chunk.mean() for chunk in np.array_split(values, n)])
    best = np.minimum.accumulate(means)
    return float(min(LOSS_CAP, max(0.0, (means[1:] - best[:-1]).max(initial=0.0))))


def epochs_to_target(val_accs: list[float], target: float, epochs: int) -> float:
    """The first epoch (1-based) whose accuracy (validation, or training for epochs_to_train_target) reaches
    `target`; epochs + 1 when none does."""
    for i, acc in enumerate(val_accs, start=1):
        if acc >= target:
            return float(i)
    return float(epochs + 1)


def plot(result: LabResult, out_dir: Path, plt: ModuleType) -> list[Path]:
    """`loss.png`: per arm, the training loss per epoch (mean of the batch losses) on a log scale; a diverged
    seed is drawn at the recorded cap and counted in the legend."""
    details = {a: d.history for a, d in result.arm_details.items()}  # arm -> its per-seed curves
    arms = [a for a in result.arms if a in details]
    title = (result.title or result.lab)
    n_seeds = len(result.seeds)
    colors = plt.get_cmap("tab10")
    if not any(seed_runs(details[a], "batch_loss") is not None for a in arms):
        return []
    fig, ax = plt.subplots(figsize=(8, 4.8))
    for i, arm in enumerate(arms):
        data = seed_runs(details[arm], "batch_loss")
        if data is None:
            continue
        diverged = stats.per_seed if (stats := result.metric(arm, "diverged")) is not None else []
        n_div = sum(1 for v in diverged if v and v > 0)
        epochs = np.arange(1, data.shape[1] + 1)
        label = arm + (f" ({n_div} of {len(diverged)} seeds diverged)" if n_div else "")
        ax.plot(epochs, geomean(data), marker="o" if data.shape[1] < 16 else None, ms=3, color=colors(i % 10),
                label=label)
        if len(data) > 1:
            ax.fill_between(epochs, np.nanmin(data, 0), np.nanmax(data, 0), color=colors(i % 10), alpha=0.15, lw=0)
    ax.set_yscale("log")
    classes = result.dataset.get("classes") or []
    if len(classes) > 1:  # the loss of a model that guesses uniformly
        ax.axhline(math.log(len(classes)), color="grey", ls=":", lw=1)
        ax.annotate(f"chance (ln {len(classes)})", (1, math.log(len(classes))), fontsize=8, color="grey", va="bottom")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss (mean over the epoch's batches)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    ax.set_title(f"{title}\ntraining loss per epoch (log scale; a diverged run is drawn at 100)\n"
                 f"(geometric mean of {n_seeds} seeds, shaded: lowest to highest seed)", fontsize=10)
    return [save_figure(fig, out_dir, "loss.png")]
