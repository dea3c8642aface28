"""Class imbalance: a class-weighted loss, a class-balanced sampler, and the metrics that see the rare class.

With a rare class, plain accuracy rewards answering the common class. The arm settings
`class_weight: balanced` (every class contributes equally to the loss: scikit-learn's "balanced" weights,
n_samples / (n_classes x count), from the arm's own training labels) and `sampler: balanced`
(torch.utils.data.WeightedRandomSampler: each epoch draws as many images as the training set has, with
replacement, every class equally likely) are the two usual remedies. `balanced_acc` (mean recall over
classes, sklearn.metrics.balanced_accuracy_score), `minority_recall` (recall of the class that is rarest
in the arm's training labels) and the confusion matrix judge them; accuracy alone cannot.
"""

from __future__ import annotations

import numpy as np
import torch


def minority_class(y: torch.Tensor | np.ndarray, num_classes: int) -> int:
    """The class with the fewest training labels among those present (ties: the lowest index)."""
    counts = np.bincount(np.asarray(torch.as_tensor(y).cpu()), minlength=num_classes).astype(float)
    counts[counts == 0] = np.inf
    return int(np.argmin(counts))


def class_weights(y: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Per-class loss weights, sklearn's compute_class_weight("balanced") on the training labels (absent classes: 1)."""
    from sklearn.utils.class_weight import compute_class_weight

    labels = np.asarray(y.cpu())
    present = np.unique(labels)
    w = np.ones(num_classes, dtype=np.float32)
    w[present] = compute_class_weight("balanced", classes=present, y=labels)
    return torch.tensor(w, device=y.device)


def balanced_order(y: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """One epoch's training indices from WeightedRandomSampler: len(y) draws with replacement, each class
    drawn equally often on average (weight of an image = 1 / its class's count)."""
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


def confusion(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int) -> list[list[int]]:
    """Confusion matrix as nested lists (rows: true class, columns: predicted class)."""
    from sklearn.metrics import confusion_matrix

    return confusion_matrix(y_true, y_pred, labels=list(range(num_classes))).tolist()

