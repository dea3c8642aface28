"""Evaluation in eval mode, without gradients: accuracy, mean cross-entropy, the predicted classes and the
class probabilities (for threshold-free metrics such as a class's ROC AUC)."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from tutor.lab.models.build import EVAL_BATCH, to_cl
from tutor.lab.training.arm import Split


def evaluate(model: nn.Module, split: Split) -> tuple[float, float]:
    """(accuracy, mean cross-entropy) in eval mode."""
    acc, loss, _ = evaluate_with_predictions(model, split)
    return acc, loss


def evaluate_with_predictions(model: nn.Module, split: Split) -> tuple[float, float, np.ndarray]:
    """(accuracy, mean cross-entropy, predicted classes) in eval mode: one pass serves the metrics that need
    the predictions themselves (balanced accuracy, confusion matrices)."""
    acc, loss, pred, _ = evaluate_with_scores(model, split)
    return acc, loss, pred


@torch.inference_mode()
def evaluate_with_scores(model: nn.Module, split: Split) -> tuple[float, float, np.ndarray, np.ndarray]:
    """(accuracy, mean cross-entropy, predicted classes, softmax probabilities of shape (n, classes)) in eval
    mode: the probabilities serve the metrics that read no threshold (a class's ROC AUC)."""
    was_training = model.training
    model.eval()
    correct, loss, n, preds, probs = 0, 0.0, len(split.y), [], []
    for start in range(0, n, EVAL_BATCH):
        xb = to_cl(split.x[start:start + EVAL_BATCH])
        yb = split.y[start:start + EVAL_BATCH]
        logits = model(xb).float()
        loss += F.cross_entropy(logits, yb, reduction="sum").item()
        pred = logits.argmax(1)
        correct += (pred == yb).sum().item()
        preds.append(pred.cpu())
        probs.append(logits.softmax(1).cpu())
    model.train(was_training)
    if not preds:
        return correct / max(n, 1), loss / max(n, 1), np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
    return correct / n, loss / n, torch.cat(preds).numpy(), torch.cat(probs).numpy()
