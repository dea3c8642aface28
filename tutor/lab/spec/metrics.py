"""The metrics a claim or a `show:` list may name: the standard ones every trained arm reports, and those
each kind of experiment adds (its `metrics`, tutor/lab/kinds/, handed in through `registry.kinds()`).
Torch-free; written into result.json as `metrics_help`.
"""

from __future__ import annotations

from tutor.lab.spec.registry import kinds

STANDARD: dict[str, str] = {
    "train_acc": "accuracy on the arm's own training images (evaluation mode, no augmentation), 0-1",
    "val_acc": "accuracy on the validation split, 0-1",
    "test_acc": "accuracy on the test split (reported only; never used for any choice), 0-1",
    "train_loss": "cross-entropy on the training images",
    "val_loss": "cross-entropy on the validation split",
    "test_loss": "cross-entropy on the test split",
    "gap": "train_acc - val_acc (how much the model fits its own images better than new ones)",
    "first_epoch_val_acc": "validation accuracy after the first epoch",
    "first_epoch_train_acc": "training accuracy after the first epoch",
    "best_val_acc": "best validation accuracy over the epochs",
    "seconds": "wall-clock seconds the arm took for one seed",
    "train_images": "how many training images the arm used",
    "images_seen": "training images x epochs (x trials for a search): the arm's training budget",
}


def metric_help() -> dict[str, str]:
    """Every metric a claim may name -> what it measures: the standard ones, then each kind's in order."""
    return {**STANDARD, **kinds().metrics()}
