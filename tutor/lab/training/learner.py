"""Training one configuration for one seed: a short loop that fires events (callback.py); every feature
beyond plain minibatch training (penalties, imbalance, schedules, stability probes ...) is a callback that
a kind of experiment (tutor/lab/kinds/) brings.

`Learner(...).fit()` is a generator: it yields `EpochEnd` events while training and returns the seed's
final metrics (`SeedResult`). Frozen arms without augmentation train only the head on features that
data/features.py computed once; everything else runs the backbone every step (channels-last).

Honesty rules kept here: the training subset and the initialisation are fixed by the seed; only the
validation split drives choices (`select: best_val`, a search's best trial); the test split is
evaluated once, at the end, and only reported.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from tutor.lab.events import EpochEnd
from tutor.lab.models.build import build_arm_model, to_cl
from tutor.lab.models.heads import Net, TopView
from tutor.lab.spec.settings import CoreSettings
from tutor.lab.training.arm import ArmData, ModelParts, SeedResult, Split
from tutor.lab.training.callback import Callback
from tutor.lab.training.callbacks import core_callbacks
from tutor.lab.training.evaluate import evaluate, evaluate_with_predictions, evaluate_with_scores
from tutor.lab.training.precision import autocast, choose

ModelBuilder = Callable[[Any, ArmData, ModelParts, torch.device], Any]


def make_optimizer(cfg: CoreSettings, head_params: list[nn.Parameter], backbone_params: list[nn.Parameter]) -> torch.optim.Optimizer:
    groups = [{"params": head_params, "lr": cfg.lr}]
    if backbone_params:
        groups.append({"params": backbone_params, "lr": cfg.backbone_lr or cfg.lr})
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(groups, lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)
    if cfg.optimizer == "adamw":
        return torch.optim.AdamW(groups, lr=cfg.lr, weight_decay=cfg.weight_decay)
    return torch.optim.Adam(groups, lr=cfg.lr, weight_decay=cfg.weight_decay)


class Learner:
    """One configuration, one seed. Callbacks read and change its state; see callback.py for the events."""

    def __init__(self, cfg: CoreSettings, data: ArmData, parts: ModelParts, *, seed: int, device: torch.device, arm: str,
                 callbacks: Sequence[Callback] = (), build_model: ModelBuilder | None = None,
                 epoch_offset: int = 0, total_epochs: int | None = None, trial: int | None = None):
        self.cfg, self.data, self.parts, self.seed, self.device, self.arm = cfg, data, parts, seed, device, arm
        self.callbacks = [*core_callbacks(cfg), *callbacks]
        self.build_model = build_model
        self.epoch_offset, self.total_epochs, self.trial = epoch_offset, total_epochs or cfg.epochs, trial
        self.loss_weight: torch.Tensor | None = None
        self.order: torch.Tensor | None = None
        self.step, self.epoch, self.halted, self.stop = 0, 0, False, False
        self.hist: dict[str, list[Any]] = {"train_acc": [], "train_loss": [], "val_acc": [], "val_loss": []}
        self.metrics: dict[str, float] = {}
        self.precision = choose(device.type, data.mode)  # "bf16": forward passes under bfloat16 autocast

    def autocast(self) -> Any:
        """The context every forward pass of this arm runs in (precision.py)."""
        return autocast(self.device.type, self.precision)

    def fire(self, event: str) -> None:
        for cb in self.callbacks:
            getattr(cb, event)(self)

    @property
    def n_train(self) -> int:
        return len(self.data.train.y)

    def evaluate_val(self) -> float:
        """Validation accuracy now (a probe callbacks may take between steps)."""
        with self.autocast():
            return evaluate(self.eval_model, self.e_val)[0]

    def fit(self) -> Iterator[EpochEnd]:
        """Yields EpochEnd; returns SeedResult (test evaluated once, at the end)."""
        t0 = time.perf_counter()
        torch.manual_seed(self.seed)
        random.seed(self.seed)
        built = self.build_model(self.cfg, self.data, self.parts, self.device) if self.build_model else None
        if built is None:
            built = build_arm_model(self.cfg, self.data, self.parts, self.seed, self.device)
        self.model, self.head_params, self.bb_params = built
        self.opt = make_optimizer(self.cfg, self.head_params, self.bb_params)
        self._eval_splits()
        self.generator = torch.Generator().manual_seed(self.seed)
        self.fire("before_fit")
        for epoch in range(1, self.cfg.epochs + 1):
            yield from self._epoch(epoch)
            if self.stop:
                break
        self.chosen_epoch = len(self.hist["val_acc"])
        self.fire("after_fit")
        self._final_metrics(t0)
        self.fire("after_metrics")
        return SeedResult(self.metrics, self.hist)

    def _eval_splits(self) -> None:
        """What the per-epoch and final evaluations run on: the model itself, or its trainable top on cached
        lower-stage activations (an augmented arm with frozen lower stages)."""
        data = self.data
        self.eval_model, self.e_train, self.e_val, self.e_test = self.model, data.train, data.val, data.test
        self.curve_train: Split = data.train_eval or data.train
        if data.eval_frozen is not None and isinstance(self.model, Net):
            self.eval_model = TopView(self.model, data.eval_frozen)
            self.e_train, self.e_val, self.e_test = data.eval_train, data.eval_val, data.eval_test
            self.curve_train = data.eval_curve or data.eval_train

    def _epoch(self, epoch: int) -> Iterator[EpochEnd]:
        self.epoch = epoch
        self.model.train()  # the backbone keeps its frozen stages in eval mode (batch-norm statistics kept)
        self.order = None
        self.fire("before_epoch")
        if self.order is None:
            self.order = torch.randperm(self.n_train, generator=self.generator).to(self.data.train.y.device)
        self._batches()
        with self.autocast():
            tr_acc, tr_loss = evaluate(self.eval_model, self.curve_train)
            va_acc, va_loss = evaluate(self.eval_model, self.e_val)
        self.epoch_result = {"train_acc": tr_acc, "train_loss": tr_loss, "val_acc": va_acc, "val_loss": va_loss}
        self.fire("after_eval")
        for k, v in self.epoch_result.items():
            self.hist[k].append(v)
        self.fire("after_epoch")
        r = self.epoch_result
        yield EpochEnd(arm=self.arm, seed=self.seed, epoch=self.epoch_offset + epoch, epochs=self.total_epochs,
                       train_acc=r["train_acc"], train_loss=r["train_loss"], val_acc=r["val_acc"],
                       val_loss=r["val_loss"], trial=self.trial)

    def _batches(self) -> None:
        n, bs = self.n_train, self.cfg.batch_size
        for start in range(0, n, bs):
            if self.halted:
                break  # e.g. a NaN loss: the remaining epochs only repeat the evaluation
            idx = self.order[start:start + bs]
            if len(idx) < 2 and n >= 2:
                continue  # a batch of one breaks batch norm
            self.xb, self.yb = self.data.train.x[idx], self.data.train.y[idx]
            self.target = self.yb
            self.fire("before_batch")
            with self.autocast():
                logits = self.model(to_cl(self.xb))
            self.loss = F.cross_entropy(logits.float(), self.target, weight=self.loss_weight)
            self.fire("after_loss")
            if self.halted:
                break
            self.opt.zero_grad(set_to_none=True)
            self.loss.backward()
            self.fire("after_backward")
            self.fire("before_step")
            self.opt.step()
            self.step += 1
            self.fire("after_step")

    def _final_metrics(self, t0: float) -> None:
        with self.autocast():
            tr_acc, tr_loss, self.train_pred = evaluate_with_predictions(self.eval_model, self.e_train)
            va_acc, va_loss, self.val_pred, self.val_scores = evaluate_with_scores(self.eval_model, self.e_val)
            te_acc, te_loss, self.test_pred, self.test_scores = evaluate_with_scores(self.eval_model, self.e_test)
        hist, n = self.hist, self.n_train
        self.metrics = {
            "train_acc": tr_acc, "train_loss": tr_loss, "val_acc": va_acc, "val_loss": va_loss,
            "test_acc": te_acc, "test_loss": te_loss, "gap": tr_acc - va_acc,
            "first_epoch_val_acc": hist["val_acc"][0], "first_epoch_train_acc": hist["train_acc"][0],
            "best_val_acc": max(hist["val_acc"]), "train_images": float(n),
            "images_seen": float(n * len(hist["val_acc"])), "chosen_epoch": float(self.chosen_epoch),
            "seconds": time.perf_counter() - t0,
        }


def fit(cfg: CoreSettings, data: ArmData, parts: ModelParts, **kwargs: Any) -> Iterator[EpochEnd]:
    """Train one configuration (see Learner); yields EpochEnd, returns SeedResult."""
    return (yield from Learner(cfg, data, parts, **kwargs).fit())
