"""Training one arm for one seed: a head on cached frozen features, or a (partly) unfrozen network.

`train_arm(...)` is a generator: it yields `EpochEnd` events while training and returns the seed's
final metrics (`SeedResult`). Frozen arms without augmentation train only the head on features that
`features.py` computed once; everything else runs the backbone every step (channels-last).

Honesty rules kept here: the training subset and the initialisation are fixed by the seed; only the
validation split drives choices (`select: best_val`, a search's best trial); the test split is
evaluated once, at the end, and only reported.
"""

from __future__ import annotations

import copy
import itertools
import math
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from tutor.lab import plainnet, probes, stability
from tutor.lab import prototypes, schedules  # few-shot prototypes; gradual unfreezing, BN mode, per-stage LRs
from tutor.lab import imbalance  # class_weight, sampler; balanced_acc, minority_recall, confusion matrices
from tutor.lab import penalties  # l1 / l2 penalties in the loss, weight sparsity, early stopping
from tutor.lab.errors import LabError
from tutor.lab.events import EpochEnd
from tutor.lab.spec import BATCH_AUGMENTATIONS, ArmConfig

EVAL_BATCH = 512
CURVE_TRAIN_IMAGES = 200  # per-epoch training accuracy is measured on at most this many training images


# ---------------------------------------------------------------- data handed to an arm


@dataclass
class Split:
    x: torch.Tensor  # images (N,1,S,S) or features (N,D), on the training device
    y: torch.Tensor


@dataclass
class ArmData:
    """What the trainable part of the model sees. mode "head": x are pooled frozen features (only the head
    trains); "top": x are the activations after the frozen lower stages (the top stages and the head
    train); "full": x are images (augmentation, or fine-tuning from the first stage)."""

    train: Split
    val: Split
    test: Split
    num_classes: int
    mode: str = "full"
    train_eval: Split | None = None  # up to CURVE_TRAIN_IMAGES training images for the per-epoch curves
    # An augmented arm trains on images, but its frozen lower stages give the same activations for
    # un-augmented images every time: evaluation then runs only the trainable top on cached activations.
    eval_frozen: int | None = None  # stages already applied in the eval_* splits (None: evaluate on images)
    eval_train: Split | None = None
    eval_val: Split | None = None
    eval_test: Split | None = None
    eval_curve: Split | None = None

    @property
    def features(self) -> bool:
        return self.mode == "head"


@dataclass
class SeedResult:
    metrics: dict[str, float]
    history: dict[str, list[float]]
    chosen: dict[str, Any] | None = None


# ---------------------------------------------------------------- models


class Head(nn.Module):
    """Optional fixed standardisation, then [dropout, linear, (batch norm), relu]* and a final dropout + linear.

    `norm=True` (ArmConfig.head_norm) puts a BatchNorm1d before each hidden layer's activation; a head
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


class _TopView(nn.Module):
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


def make_head(cfg: ArmConfig, in_dim: int, num_classes: int, source_head: nn.Linear | None,
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


def _trainable_backbone_params(backbone: nn.Module, unfreeze: int | str) -> list[nn.Parameter]:
    """Train the top `unfreeze` stages (0: none, "all": every stage); frozen stages keep their BN statistics."""
    if hasattr(backbone, "set_trainable"):
        n = len(backbone.stages)
        backbone.set_trainable("all" if unfreeze == "all" else min(int(unfreeze), n))
    else:  # pragma: no cover - any plain module: all or nothing
        for p in backbone.parameters():
            p.requires_grad_(unfreeze != 0)
    return [p for p in backbone.parameters() if p.requires_grad]


# ---------------------------------------------------------------- augmentation


def make_augment(cfg: ArmConfig, size: int) -> Callable[[torch.Tensor], torch.Tensor] | None:
    """Per-image random augmentation built from torchvision.transforms.v2 (whitelisted names only)."""
    if not cfg.augment:
        return None
    from torchvision.transforms import v2

    steps: list[Any] = []
    for name, value in cfg.augment:
        if name == "hflip":
            steps.append(v2.RandomHorizontalFlip(p=value))
        elif name == "vflip":
            steps.append(v2.RandomVerticalFlip(p=value))
        elif name == "transpose":
            steps.append(v2.RandomApply([v2.Lambda(lambda t: t.transpose(-1, -2))], p=value))
        elif name == "rotate90":
            steps.append(v2.RandomChoice([v2.Lambda(lambda t, k=k: torch.rot90(t, k, (-2, -1))) for k in range(4)]))
        elif name == "shift":
            steps.append(v2.RandomCrop(size, padding=int(value), padding_mode="reflect"))
        elif name == "rotate":
            steps.append(v2.RandomRotation(value))
        elif name == "brightness":
            steps.append(v2.ColorJitter(brightness=value))
        elif name == "contrast":
            steps.append(v2.ColorJitter(contrast=value))
        elif name == "crop":
            steps.append(v2.RandomResizedCrop(size, scale=(value, 1.0), antialias=True))
        elif name == "noise":
            steps.append(v2.GaussianNoise(mean=0.0, sigma=value, clip=True))
        elif name == "cutout":
            steps.append(v2.Lambda(lambda t, f=value: cutout(t, f)))
        elif name == "erasing":
            steps.append(v2.RandomErasing(p=value, scale=(0.02, 0.33), ratio=(0.3, 3.3), value="random"))
        # mixup / cutmix need the batch's labels: make_batch_mix applies them in the training loop
    if not steps:
        return None
    compose = v2.Compose(steps)

    def apply(batch: torch.Tensor) -> torch.Tensor:
        return torch.stack([compose(img) for img in batch])

    return apply


def cutout(img: torch.Tensor, frac: float) -> torch.Tensor:
    """Cutout (DeVries & Taylor 2017): a square of side `frac` x the image side, centred anywhere on the image
    (so it may be clipped at the border), set to the image's mean. Always applied; its size never varies."""
    h, w = img.shape[-2:]
    side = max(1, round(frac * min(h, w)))
    cy, cx = int(torch.randint(h, (1,))), int(torch.randint(w, (1,)))
    y0, y1 = max(0, cy - side // 2), min(h, cy - side // 2 + side)
    x0, x1 = max(0, cx - side // 2), min(w, cx - side // 2 + side)
    out = img.clone()
    out[..., y0:y1, x0:x1] = img.mean()
    return out


def make_batch_mix(cfg: ArmConfig, num_classes: int) -> Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]] | None:
    """Mixup / CutMix (torchvision.transforms.v2) on a whole batch: (images, int labels) -> (mixed images, soft
    labels of shape (N, classes) whose rows sum to 1). With both named, each batch uses one of them at random."""
    names = {name: value for name, value in cfg.augment if name in BATCH_AUGMENTATIONS}
    if not names:
        return None
    from torchvision.transforms import v2

    mixers = []
    if "mixup" in names:
        mixers.append(v2.MixUp(alpha=names["mixup"], num_classes=num_classes))
    if "cutmix" in names:
        mixers.append(v2.CutMix(alpha=names["cutmix"], num_classes=num_classes))
    return mixers[0] if len(mixers) == 1 else v2.RandomChoice(mixers)


# ---------------------------------------------------------------- loops


def _to_cl(x: torch.Tensor) -> torch.Tensor:
    return x.contiguous(memory_format=torch.channels_last) if x.dim() == 4 else x


def evaluate(model: nn.Module, split: Split) -> tuple[float, float]:
    """(accuracy, mean cross-entropy) in eval mode."""
    acc, loss, _ = evaluate_with_predictions(model, split)
    return acc, loss


@torch.inference_mode()
def evaluate_with_predictions(model: nn.Module, split: Split) -> tuple[float, float, np.ndarray]:
    """(accuracy, mean cross-entropy, predicted classes) in eval mode: one pass serves the metrics that need
    the predictions themselves (balanced accuracy, confusion matrices)."""
    was_training = model.training
    model.eval()
    correct, loss, n, preds = 0, 0.0, len(split.y), []
    for start in range(0, n, EVAL_BATCH):
        xb = _to_cl(split.x[start:start + EVAL_BATCH])
        yb = split.y[start:start + EVAL_BATCH]
        logits = model(xb).float()
        loss += F.cross_entropy(logits, yb, reduction="sum").item()
        pred = logits.argmax(1)
        correct += (pred == yb).sum().item()
        preds.append(pred.cpu())
    model.train(was_training)
    return correct / max(n, 1), loss / max(n, 1), torch.cat(preds).numpy() if preds else np.zeros(0, dtype=np.int64)


def _optimizer(cfg: ArmConfig, head_params: list[nn.Parameter], backbone_params: list[nn.Parameter]) -> torch.optim.Optimizer:
    groups = [{"params": head_params, "lr": cfg.lr}]
    if backbone_params:
        groups.append({"params": backbone_params, "lr": cfg.backbone_lr or cfg.lr})
    if cfg.optimizer == "sgd":
        return torch.optim.SGD(groups, lr=cfg.lr, momentum=cfg.momentum, weight_decay=cfg.weight_decay)
    if cfg.optimizer == "adamw":
        return torch.optim.AdamW(groups, lr=cfg.lr, weight_decay=cfg.weight_decay)
    return torch.optim.Adam(groups, lr=cfg.lr, weight_decay=cfg.weight_decay)


@dataclass
class ModelParts:
    """What a run needs to build its model: a fresh copy is made for every seed and trial."""

    make_backbone: Callable[[], nn.Module] | None  # a fresh backbone (mode "full"), else None
    feature_dim: int
    source_head: nn.Linear | None
    image_size: int = 64
    extra: dict[str, Any] = field(default_factory=dict)


def _fit(cfg: ArmConfig, data: ArmData, parts: ModelParts, *, seed: int, device: torch.device, arm: str,
         epoch_offset: int, total_epochs: int, trial: int | None) -> Iterator[EpochEnd]:
    """Train one configuration; yields EpochEnd; returns SeedResult (test evaluated once, at the end)."""
    t0 = time.perf_counter()
    torch.manual_seed(seed)
    random.seed(seed)
    standardize = cfg.standardize if cfg.standardize is not None else (cfg.frozen and cfg.output_layer == "fresh")
    backbone = None
    plain = cfg.model == "plain"  # a plain network from scratch (plainnet.py); probes and stability metrics
    if plain:
        model = plainnet.build(cfg, data.train.x[0].numel(), data.num_classes).to(device)
        head_params, bb_params = list(model.parameters()), []
    elif data.features:
        std_from = data.train.x if standardize else None
        model: nn.Module = make_head(cfg, parts.feature_dim, data.num_classes, parts.source_head, std_from).to(device)
        head_params, bb_params = list(model.parameters()), []
    elif data.mode == "top":
        assert parts.make_backbone is not None
        backbone = parts.make_backbone()
        n_stages = len(backbone.stages)
        top = nn.Sequential(*list(backbone.stages)[n_stages - int(cfg.unfreeze):])
        for p in top.parameters():
            p.requires_grad_(True)
        torch.manual_seed(seed)
        head = make_head(cfg, parts.feature_dim, data.num_classes, parts.source_head, None)
        model = TopNet(top, head).to(device).to(memory_format=torch.channels_last)
        head_params, bb_params = list(head.parameters()), list(top.parameters())
    else:
        assert parts.make_backbone is not None
        backbone = parts.make_backbone()
        bb_params = _trainable_backbone_params(backbone, cfg.unfreeze)
        std_from = None
        if standardize:  # standardise with the (frozen) backbone's features of the training images
            with torch.inference_mode():
                backbone.to(device).eval()
                std_from = torch.cat([backbone(_to_cl(data.train.x[i:i + EVAL_BATCH])).float()
                                      for i in range(0, len(data.train.x), EVAL_BATCH)]).clone()
        torch.manual_seed(seed)
        head = make_head(cfg, parts.feature_dim, data.num_classes, parts.source_head, std_from)
        model = Net(backbone, head).to(device).to(memory_format=torch.channels_last)
        head_params = list(head.parameters())
    opt = _optimizer(cfg, head_params, bb_params)
    pen_params = penalties.penalised(head_params + bb_params) if (cfg.l1 or cfg.l2) else []
    stopper = penalties.EarlyStopping(cfg.early_stopping) if cfg.early_stopping is not None else None
    augment = make_augment(cfg, parts.image_size) if data.mode == "full" else None
    batch_mix = make_batch_mix(cfg, data.num_classes) if data.mode == "full" else None  # soft targets
    eval_model, e_train, e_val, e_test = model, data.train, data.val, data.test
    curve_train = data.train_eval or data.train
    if data.eval_frozen is not None and isinstance(model, Net):
        eval_model = _TopView(model, data.eval_frozen)
        e_train, e_val, e_test = data.eval_train, data.eval_val, data.eval_test
        curve_train = data.eval_curve or data.eval_train
    unfreezer = None  # unfreeze_at / lr_decay_per_stage (schedules.py)
    if (cfg.unfreeze_at is not None or cfg.lr_decay_per_stage is not None) and bb_params:
        opt, unfreezer = schedules.setup(cfg, model, opt, head_params, lambda: evaluate(eval_model, e_val)[0])
    steps_per_epoch = max(1, -(-n_train(data) // cfg.batch_size))
    total_steps = steps_per_epoch * cfg.epochs
    base_lrs = [g["lr"] for g in opt.param_groups]
    step = 0
    gen = torch.Generator().manual_seed(seed)
    n = len(data.train.y)
    loss_weight = imbalance.class_weights(data.train.y, data.num_classes) if cfg.class_weight == "balanced" else None
    hist: dict[str, list[float]] = {"train_acc": [], "train_loss": [], "val_acc": [], "val_loss": []}
    best = (-1.0, None, 0)  # (val_acc, state, epoch)
    track = plain or cfg.clip_grad is not None
    diverged, clipped, step_losses, epoch_losses, probe = False, 0, [], [], {}
    if plain:
        probe_x, probe_y = data.train.x[:256], data.train.y[:256]
        probe["init"] = probes.layer_stats(model, probe_x, probe_y)
    for epoch in range(1, cfg.epochs + 1):
        model.train()  # the backbone keeps its frozen stages in eval mode (batch-norm statistics kept)
        if unfreezer is not None:
            unfreezer.start_epoch(epoch)
        if cfg.bn_mode == "eval":
            schedules.bn_eval(model)
        if cfg.sampler == "balanced":  # WeightedRandomSampler: every class equally likely per draw
            order = imbalance.balanced_order(data.train.y, gen).to(data.train.y.device)
        else:
            order = torch.randperm(n, generator=gen).to(data.train.y.device)
        first_step = len(step_losses)
        for start in range(0, n, cfg.batch_size):
            if diverged:
                break  # a NaN/inf loss stops training; the remaining epochs only repeat the evaluation
            idx = order[start:start + cfg.batch_size]
            if len(idx) < 2 and n >= 2:
                continue  # a batch of one breaks batch norm
            xb, yb = data.train.x[idx], data.train.y[idx]
            if augment is not None:
                xb = augment(xb)
            target = yb
            if batch_mix is not None:  # mixup / cutmix: mixed images, soft (N, classes) targets
                xb, target = batch_mix(xb, yb)
            loss = F.cross_entropy(model(_to_cl(xb)), target, weight=loss_weight)
            if pen_params:  # explicit L1 / L2 / elastic-net penalty: part of the loss the optimiser sees
                loss = loss + penalties.weight_penalty(pen_params, cfg.l1, cfg.l2)
            if track:
                step_losses.append(loss.item())
                if not math.isfinite(step_losses[-1]):
                    diverged = True
                    break
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if cfg.clip_grad is not None:
                clipped += int(float(nn.utils.clip_grad_norm_(model.parameters(), cfg.clip_grad)) > cfg.clip_grad)
            if cfg.schedule == "cosine":
                factor = 0.5 * (1 + math.cos(math.pi * min(step, total_steps) / total_steps))
                for g, base_lr in zip(opt.param_groups, base_lrs):
                    g["lr"] = base_lr * factor
            opt.step()
            step += 1
            if unfreezer is not None:
                unfreezer.after_step(loss.item())
        tr_acc, tr_loss = evaluate(eval_model, curve_train)
        va_acc, va_loss = evaluate(eval_model, e_val)
        if unfreezer is not None:
            unfreezer.end_epoch(va_acc)
        if track:
            tr_loss, va_loss = stability.capped(tr_loss), stability.capped(va_loss)
            ep = [stability.capped(v) for v in step_losses[first_step:]]
            epoch_losses.append(stability.LOSS_CAP if diverged else (sum(ep) / len(ep) if ep else epoch_losses[-1]))
        if plain and epoch == 1:
            probe["epoch1"] = probes.layer_stats(model, probe_x, probe_y)
        for k, v in (("train_acc", tr_acc), ("train_loss", tr_loss), ("val_acc", va_acc), ("val_loss", va_loss)):
            hist[k].append(v)
        if cfg.select == "best_val" and va_acc > best[0]:
            best = (va_acc, copy.deepcopy(model.state_dict()), epoch)
        yield EpochEnd(arm=arm, seed=seed, epoch=epoch_offset + epoch, epochs=total_epochs, train_acc=tr_acc,
                       train_loss=tr_loss, val_acc=va_acc, val_loss=va_loss, trial=trial)
        if stopper is not None and stopper.update(epoch, va_loss, model):
            break  # validation loss has not improved for `early_stopping` epochs
    epochs_run = len(hist["val_acc"])
    chosen_epoch = epochs_run
    if cfg.select == "best_val" and best[1] is not None:
        model.load_state_dict(best[1])
        chosen_epoch = best[2]
    if stopper is not None and stopper.best_state is not None:  # restore the lowest-validation-loss epoch
        model.load_state_dict(stopper.best_state)
        chosen_epoch = stopper.best_epoch
    tr_acc, tr_loss = evaluate(eval_model, e_train)
    va_acc, va_loss, va_pred = evaluate_with_predictions(eval_model, e_val)
    te_acc, te_loss, te_pred = evaluate_with_predictions(eval_model, e_test)
    metrics = {
        "train_acc": tr_acc, "train_loss": tr_loss, "val_acc": va_acc, "val_loss": va_loss,
        "test_acc": te_acc, "test_loss": te_loss, "gap": tr_acc - va_acc,
        "first_epoch_val_acc": hist["val_acc"][0], "first_epoch_train_acc": hist["train_acc"][0],
        "best_val_acc": max(hist["val_acc"]), "train_images": float(n), "images_seen": float(n * epochs_run),
        "chosen_epoch": float(chosen_epoch), "seconds": time.perf_counter() - t0,
        "params": float(count_params(head_params + bb_params)),
        "sparsity": penalties.sparsity(penalties.penalised(head_params + bb_params)),
    }
    _class_metrics(data, (e_val, va_pred), (e_test, te_pred), metrics, hist)
    if stopper is not None:
        metrics["stopped_epoch"] = float(epochs_run)
    if track:
        _stability_metrics(cfg, metrics, hist, diverged, step_losses, epoch_losses, clipped / max(step, 1))
    if plain:
        _plain_metrics(model, metrics, hist, probe)
    if unfreezer is not None:
        metrics.update(unfreezer.metrics())
        hist.update(unfreezer.history())
    return SeedResult(metrics, hist)


def _class_metrics(data: ArmData, val: tuple[Split, np.ndarray], test: tuple[Split, np.ndarray],
                   metrics: dict[str, float], hist: dict[str, Any]) -> None:
    """balanced_acc / minority_recall on validation and test, and the validation confusion matrix (imbalance.py),
    from the predictions of the final evaluation."""
    minority = imbalance.minority_class(data.train.y, data.num_classes)
    for prefix, (split, y_pred) in (("", val), ("test_", test)):
        y_true = split.y.cpu().numpy()
        metrics.update(imbalance.split_metrics(y_true, y_pred, minority, prefix))
        if not prefix:
            hist["val_confusion"] = imbalance.confusion(y_true, y_pred, data.num_classes)


def _stability_metrics(cfg: ArmConfig, metrics: dict[str, float], hist: dict[str, list[float]], diverged: bool,
                       step_losses: list[float], epoch_losses: list[float], clipped_frac: float) -> None:
    """Divergence, spikes and speed (stability.py): arms with a plain net or gradient clipping."""
    for k in ("train_loss", "val_loss", "test_loss"):
        metrics[k] = stability.capped(metrics[k])
    metrics.update(diverged=float(diverged), clipped_frac=clipped_frac,
                   final_loss=stability.LOSS_CAP if diverged else epoch_losses[-1],
                   max_loss_spike=stability.LOSS_CAP if diverged else stability.max_rise(step_losses))
    if cfg.target_acc is not None:
        metrics["epochs_to_target"] = stability.epochs_to_target(hist["val_acc"], cfg.target_acc, cfg.epochs)
    hist["batch_loss"] = epoch_losses


def _plain_metrics(model: nn.Module, metrics: dict[str, float], hist: dict[str, list[float]],
                   probe: dict[str, dict[str, list[float]]]) -> None:
    """Symmetry and per-layer signal scales of a plain net (plainnet.py, probes.py); profiles go in the history."""
    metrics.update(distinct_units=plainnet.mean_distinct_units(model),
                   act_log_ratio=probes.log_ratio(probe["init"]["act_std"]),
                   grad_log_ratio=-probes.log_ratio(probe["init"]["grad_norm"]))
    for when, stats in probe.items():
        hist[f"layer_act_{when}"] = stats["act_std"]
        hist[f"layer_grad_{when}"] = stats["grad_norm"]


def count_params(params: list[nn.Parameter]) -> int:
    """Trainable parameters: what the optimiser updates (head, plus any unfrozen backbone stages), each once."""
    seen: dict[int, int] = {id(p): p.numel() for p in params}
    return sum(seen.values())


def n_train(data: ArmData) -> int:
    return len(data.train.y)


def search_trials(cfg: ArmConfig, seed: int) -> list[dict[str, Any]]:
    """The settings a search tries for a seed: `trials` distinct points of the grid, drawn with the seed."""
    assert cfg.search is not None
    keys = list(cfg.search.space)
    grid = [dict(zip(keys, combo)) for combo in itertools.product(*(cfg.search.space[k] for k in keys))]
    rng = random.Random(seed)
    return rng.sample(grid, min(cfg.search.trials, len(grid)))


def total_epochs(cfg: ArmConfig) -> int:
    if cfg.search is None:
        return cfg.epochs
    grid = math.prod(len(v) for v in cfg.search.space.values())
    return cfg.epochs * min(cfg.search.trials, grid)


def train_arm(cfg: ArmConfig, data: ArmData, parts: ModelParts, *, seed: int, device: torch.device,
              arm: str) -> Iterator[EpochEnd]:
    """Yields EpochEnd; returns the seed's SeedResult (a search reports its best trial on validation)."""
    if cfg.method == "prototype":  # few-shot: nearest class prototype on frozen features, no training
        return (yield from prototypes.run(cfg, data, seed=seed, arm=arm))
    total = total_epochs(cfg)
    if cfg.search is None:
        result = yield from _fit(cfg, data, parts, seed=seed, device=device, arm=arm, epoch_offset=0,
                                 total_epochs=total, trial=None)
        return result
    from tutor.lab.spec import ArmConfig as _Arm

    t0 = time.perf_counter()
    best: tuple[float, SeedResult | None, dict[str, Any]] = (-1.0, None, {})
    seen = 0.0
    base = cfg.model_dump(exclude={"search"})
    for i, params in enumerate(search_trials(cfg, seed)):
        trial_cfg = _Arm.model_validate({**base, **params})
        res = yield from _fit(trial_cfg, data, parts, seed=seed, device=device, arm=arm,
                              epoch_offset=i * cfg.epochs, total_epochs=total, trial=i + 1)
        seen += res.metrics["images_seen"]
        if res.metrics["val_acc"] > best[0]:
            best = (res.metrics["val_acc"], res, params)
    assert best[1] is not None
    metrics = dict(best[1].metrics)
    metrics["images_seen"] = seen
    metrics["seconds"] = time.perf_counter() - t0
    return SeedResult(metrics, best[1].history, chosen=best[2])


def subset(x: torch.Tensor, y: torch.Tensor, idx: np.ndarray, device: torch.device) -> Split:
    t = torch.from_numpy(np.asarray(idx, dtype=np.int64))
    return Split(x[t].to(device), y[t].to(device))
