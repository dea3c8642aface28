"""Class imbalance: a class-weighted loss, a class-balanced sampler, and the metrics that see the rare class.

With a rare class, plain accuracy rewards answering the common class. The arm settings
`class_weight: balanced` (every class contributes equally to the loss: scikit-learn's "balanced" weights,
n_samples / (n_classes x count), from the arm's own training labels) and `sampler: balanced`
(torch.utils.data.WeightedRandomSampler: each epoch draws as many images as the training set has, with
replacement, every class equally likely) are the two usual remedies. `balanced_acc` (mean recall over
classes, sklearn.metrics.balanced_accuracy_score), `minority_recall` (recall of the class that is rarest
in the arm's training labels) and the confusion matrix judge them; accuracy alone cannot. Both read the
predicted classes, so both move with the decision threshold; `minority_auc` (the minority class's ROC AUC
from the predicted probabilities, sklearn.metrics.roc_auc_score) reads none, so it tells whether a remedy made
the classes easier to tell apart or only moved the threshold along the same trade-off.

`minority_share: F` draws the arm's `train_size` images so that the rarest class of the training pool is a share F
of them (the rest stratified over the other classes), fixed by the seed: a rare minority that resampling must repeat
many times an epoch. `minority_train_recall` and `minority_gap` (its training recall minus its validation recall)
then show whether the few rare images were memorised.
"""

from __future__ import annotations

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
    "balanced_acc": "balanced accuracy on the validation split: recall averaged over the classes "
                    "(sklearn balanced_accuracy_score; always answering one class scores 1 / classes), 0-1",
    "minority_recall": "recall of the minority class (the rarest in the arm's training labels) on the validation "
                       "split: the fraction of its images the model finds, 0-1",
    "test_balanced_acc": "balanced accuracy on the test split (reported only), 0-1",
    "test_minority_recall": "recall of the minority class on the test split (reported only), 0-1",
    "majority_acc": "validation accuracy of always answering the majority class (the commonest in the arm's training "
                    "labels): the trivial baseline plain accuracy must be read against, 0-1",
    "minority_auc": "ROC AUC of the minority class on the validation split: the chance that one of its images gets a "
                    "higher predicted probability of that class than an image of another class (sklearn "
                    "roc_auc_score, one class against the rest). It reads no decision threshold, so it measures how "
                    "well the classes are told apart, not where the threshold sits: 0.5 = chance, 1 = perfect, 0-1",
    "test_minority_auc": "ROC AUC of the minority class on the test split (reported only), 0-1",
    "minority_train_recall": "recall of the minority class on the arm's own training images (as labelled for "
                             "training), 0-1",
    "minority_gap": "minority_train_recall - minority_recall: how much better the model finds the minority's "
                    "training images than its validation images (memorising the few rare images), -1 to 1",
}
COLUMNS = {"balanced_acc": "bal. %", "minority_recall": "min. recall %", "test_balanced_acc": "test bal. %",
           "test_minority_recall": "test min. recall %", "majority_acc": "majority %", "minority_auc": "min. AUC %",
           "test_minority_auc": "test min. AUC %", "minority_train_recall": "min. train recall %",
           "minority_gap": "min. gap %"}
UNITS = {"minority_auc": "%", "test_minority_auc": "%", "minority_gap": "%"}  # the other fractions are read as % by their names


class Settings(CoreSettings):
    class_weight: Literal["none", "balanced"] = "none"
    sampler: Literal["shuffle", "balanced"] = "shuffle"
    minority_share: Annotated[float, Field(gt=0, lt=1)] | None = None  # the rarest class's share of train_size


class ImbalanceKind(Kind[Settings]):
    name = "imbalance"
    settings = Settings
    metrics = METRICS
    units = UNITS
    columns = COLUMNS

    def check(self, cfg: Settings, traits: Traits) -> str | None:
        if cfg.minority_share is not None and cfg.train_size is None:
            return "minority_share needs train_size (the number of training images the share is of)"
        return None

    def describe(self, cfg: Settings) -> list[str]:
        parts = [f"rarest class {cfg.minority_share * 100:.3g} % of training images"] if cfg.minority_share else []
        if cfg.class_weight == "balanced":
            parts.append("class-weighted loss")
        if cfg.sampler == "balanced":
            parts.append("class-balanced sampling")
        return parts

    def train_indices(self, cfg: Settings, pool: np.ndarray, y: np.ndarray, num_classes: int,
                      seed: int) -> np.ndarray | None:
        if cfg.minority_share is None or cfg.train_size is None:
            return None
        return rare_draw(pool, y, num_classes, cfg.train_size, cfg.minority_share, seed)

    def callbacks(self, cfg: Settings, traits: Traits) -> list[Callback]:
        return [Imbalance(cfg)]  # the metrics are reported for every trained arm

    def plot(self, result: LabResult, out_dir: Path, plt: ModuleType) -> list[Path]:
        return plot(result, out_dir, plt)


class Imbalance(Callback):
    """The class-weighted loss, the class-balanced sample order, and the metrics that see the rare class."""

    def __init__(self, cfg: Settings):
        self.cfg = cfg

    def before_fit(self, learn: Any) -> None:
        if self.cfg.class_weight == "balanced":
            learn.loss_weight = class_weights(learn.data.train.y, learn.data.num_classes)

    def before_epoch(self, learn: Any) -> None:
        if self.cfg.sampler == "balanced":  # WeightedRandomSampler: every class equally likely per draw
            learn.order = balanced_order(learn.data.train.y, learn.generator).to(learn.data.train.y.device)

    def after_metrics(self, learn: Any) -> None:
        """balanced_acc / minority_recall / minority_auc on validation and test, and the validation confusion
        matrix, from the predictions and probabilities of the final evaluation."""
        data = learn.data
        minority = minority_class(data.train.y, data.num_classes)
        majority = int(np.bincount(data.train.y.cpu().numpy(), minlength=data.num_classes).argmax())
        learn.metrics["majority_acc"] = float((learn.e_val.y.cpu().numpy() == majority).mean())
        splits = (("", learn.e_val, learn.val_pred, learn.val_scores),
                  ("test_", learn.e_test, learn.test_pred, learn.test_scores))
        for prefix, split, y_pred, scores in splits:
            y_true = split.y.cpu().numpy()
            learn.metrics.update(split_metrics(y_true, y_pred, minority, prefix))
            if len(y_true):
                learn.metrics[f"{prefix}minority_auc"] = minority_auc(y_true, scores, minority)
            if not prefix:
                learn.hist["val_confusion"] = confusion(y_true, y_pred, data.num_classes)
        if len(learn.e_train.y) and "minority_recall" in learn.metrics:
            train = split_metrics(learn.e_train.y.cpu().numpy(), learn.train_pred, minority)["minority_recall"]
            learn.metrics["minority_train_recall"] = train
            learn.metrics["minority_gap"] = train - learn.metrics["minority_recall"]


def minority_class(y: Any, num_classes: int) -> int:
    """The class with the fewest training labels among those present (ties: the lowest index)."""
    import torch

    counts = np.bincount(np.asarray(torch.as_tensor(y).cpu()), minlength=num_classes).astype(float)
    counts[counts == 0] = np.inf
    return int(np.argmin(counts))


RARE_SALT = 0x5A4E  # the rare draw's own random stream, apart from the core draw's


def rare_draw(pool: np.ndarray, y: np.ndarray, num_classes: int, n: int, share: float, seed: int) -> np.ndarray:
    """`n` training images (sorted dataset indices) from `pool`, round(share x n) of them (at least one) from the
    pool's rarest class, the rest stratified over the other classes in proportion to the pool; fixed by the seed, so
    arms with the same setting train on the same images. LabError when the pool cannot give them or the drawn
    minority would not stay the rarest class."""
    from tutor.lab.data.datasets import sample
    from tutor.lab.errors import LabError

    pool = np.asarray(pool, dtype=np.int64)
    labels = np.asarray(y)[pool]
    minority = minority_class(labels, num_classes)
    m = max(1, int(np.floor(share * n + 0.5)))
    rare, rest = pool[labels == minority], pool[labels != minority]
    if m > len(rare):
        raise LabError(f"minority_share {share:g} of {n} images asks for {m} images of the rarest class (class "
                       f"{minority}), but the training pool has only {len(rare)}")
    if n - m > len(rest):
        raise LabError(f"minority_share {share:g} of {n} images asks for {n - m} images of the other classes, but "
                       f"the training pool has only {len(rest)}")
    others = sample(rest, y, n=n - m, seed=seed) if n > m else rest[:0]
    counts = np.bincount(np.asarray(y)[others], minlength=num_classes)
    if len(others) == 0 or m >= counts[counts > 0].min():
        raise LabError(f"minority_share {share:g} of {n} images gives the rarest class (class {minority}) {m} images, "
                       f"no longer fewer than every other class: use a smaller share")
    rng = np.random.default_rng([seed, RARE_SALT])
    return np.sort(np.concatenate([rare[rng.permutation(len(rare))[:m]], others]))


def class_weights(y: Any, num_classes: int) -> Any:
    """Per-class loss weights, sklearn's compute_class_weight("balanced") on the training labels (absent classes: 1)."""
    import torch
    from sklearn.utils.class_weight import compute_class_weight

    labels = np.asarray(y.cpu())
    present = np.unique(labels)
    w = np.ones(num_classes, dtype=np.float32)
    w[present] = compute_class_weight("balanced", classes=present, y=labels)
    return torch.tensor(w, device=y.device)


def balanced_order(y: Any, generator: Any) -> Any:
    """One epoch's training indices from WeightedRandomSampler: len(y) draws with replacement, each class
    drawn equally often on average (weight of an image = 1 / its class's count)."""
    import torch
    from torch.utils.data import WeightedRandomSampler

    labels = y.cpu()
    counts = torch.bincount(labels).double()
    weights = 1.0 / counts[labels]
    sampler = WeightedRandomSampler(weights, num_samples=len(labels), replacement=True, generator=generator)
    return torch.tensor(list(sampler), dtype=torch.long)


def split_metrics(y_true: np.ndarray, y_pred: np.ndarray, minority: int, prefix: str = "") -> dict[str, float]:
    """balanced_acc and minority_recall of one split's predictions (prefix "test_" for the test split)."""
    from sklearn.metrics import balanced_accuracy_score, recall_score

    if len(y_true) == 0:
        return {}
    import warnings

    with warnings.catch_warnings():  # a class absent from a small split: sklearn warns, the score stays defined
        warnings.simplefilter("ignore")
        bal = balanced_accuracy_score(y_true, y_pred)
        rec = recall_score(y_true, y_pred, labels=[minority], average="macro", zero_division=0.0)
    return {f"{prefix}balanced_acc": float(bal), f"{prefix}minority_recall": float(rec)}


def minority_auc(y_true: np.ndarray, scores: np.ndarray, minority: int) -> float:
    """ROC AUC of the minority class against the rest, from each image's predicted probability of that class
    (sklearn roc_auc_score; NaN where it is undefined: the split holds only one side, or the run diverged and its
    scores are not finite)."""
    from sklearn.metrics import roc_auc_score

    positive = np.asarray(y_true) == minority
    column = np.asarray(scores)[:, minority]
    if positive.all() or not positive.any() or not np.isfinite(column).all():
        return float("nan")
    return float(roc_auc_score(positive, column))


def confusion(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int) -> list[list[int]]:
    """Confusion matrix as nested lists (rows: true class, columns: predicted class)."""
    from sklearn.metrics import confusion_matrix

    return confusion_matrix(y_true, y_pred, labels=list(range(num_classes))).tolist()


# ---------------------------------------------------------------- plot

TRIGGERS = ("balanced_acc", "minority_recall", "test_balanced_acc", "test_minority_recall", "minority_auc",
            "test_minority_auc")


def summed_confusion(history: dict[str, dict[str, Any]]) -> np.ndarray | None:
    """The validation confusion matrices of every seed, summed (None when no seed recorded one)."""
    mats = [np.asarray(h["val_confusion"]) for h in history.values() if h.get("val_confusion")]
    return np.sum(mats, axis=0) if mats else None


def plot(result: LabResult, out_dir: Path, plt: ModuleType) -> list[Path]:
    """`confusion.png` (every arm side by side) and `confusion-ARM.png` (each alone, larger): labs that show
    balanced_acc or minority_recall. Each panel sums the validation confusion matrices of the arm's seeds and
    writes every cell's count and its share of the row (on the diagonal: that class's recall)."""
    if not any(m in result.show for m in TRIGGERS):
        return []
    details = result.arm_details
    mats = {a: summed_confusion(details[a].history if a in details else {}) for a in result.arms}
    mats = {a: m for a, m in mats.items() if m is not None}
    if not mats:
        return []
    k = next(iter(mats.values())).shape[0]
    classes = result.dataset.get("classes") or [str(i) for i in range(k)]
    if len(classes) != k:
        classes = [str(i) for i in range(k)]
    seeds = len(result.seeds)
    cols = min(3, len(mats))
    rows = (len(mats) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(3.9 * cols, 3.6 * rows + 1.0), squeeze=False)
    for ax, (arm, m) in zip(axes.flat, mats.items()):
        _panel(ax, arm, m, classes)
    for ax in list(axes.flat)[len(mats):]:
        ax.set_visible(False)
    fig.suptitle(f"{result.title or result.lab}\nwhat the validation images really are (rows) and what each "
                 f"model said (columns), counts summed over {seeds} seeds;\nthe diagonal is "
                 f"right, the % is the share of the row (on the diagonal: that class's recall)", fontsize=10)
    files = [save_figure(fig, out_dir, "confusion.png")]
    for arm, m in mats.items():
        fig, ax = plt.subplots(figsize=(4.6, 4.6))
        _panel(ax, arm, m, classes)
        fig.suptitle(f"{arm}: validation images, counts summed over {seeds} seeds\n(rows: what they really are; "
                     f"columns: what the model said)", fontsize=9)
        files.append(save_figure(fig, out_dir, f"confusion-{arm}.png"))
    return files


def _panel(ax, arm: str, m: np.ndarray, classes: list[str]) -> None:
    k = m.shape[0]
    share = m / np.maximum(m.sum(1, keepdims=True), 1)
    ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for i in range(k):
        for j in range(k):
            ax.text(j, i, f"{m[i, j]}\n{100 * share[i, j]:.0f}% of row", ha="center", va="center", fontsize=8,
                    color="white" if share[i, j] > 0.6 else "black")
    ax.set_xticks(range(k), [f"said {c}" for c in classes], fontsize=8)
    ax.set_yticks(range(k), [f"really {c}" for c in classes], fontsize=8)
    recall = [share[i, i] for i in range(k)]
    ax.set_title(f"{arm}\nrecall per class: " + ", ".join(f"{c} {100 * r:.0f}%" for c, r in zip(classes, recall)),
                 fontsize=9)
