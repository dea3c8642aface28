"""Confusion matrices (labs that show `balanced_acc` or `minority_recall`): `confusion.png` puts every arm
side by side for comparison, and `confusion-ARM.png` holds each arm's matrix alone, larger.

Accuracy hides which class the errors fall on; the matrix shows it. Each panel sums the validation
confusion matrices of the arm's seeds (rows: what the images really are, columns: what the model said)
and writes every cell's count and its share of the row, so the diagonal cell of the rare class reads
directly as its recall.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from tutor.lab.plots import save_figure

TRIGGERS = ("balanced_acc", "minority_recall", "test_balanced_acc", "test_minority_recall")


def summed_confusion(history: dict[str, dict[str, Any]]) -> np.ndarray | None:
    """The validation confusion matrices of every seed, summed (None when no seed recorded one)."""
    mats = [np.asarray(h["val_confusion"]) for h in history.values() if h.get("val_confusion")]
    return np.sum(mats, axis=0) if mats else None


def write_confusion_plot(result: dict[str, Any], out_dir: Path, plt) -> list[Path]:
    if not any(m in result.get("show", []) for m in TRIGGERS):
        return []
    details = result.get("arm_details", {})
    mats = {a: summed_confusion(details.get(a, {}).get("history", {})) for a in result.get("arms", {})}
    mats = {a: m for a, m in mats.items() if m is not None}
    if not mats:
        return []
    k = next(iter(mats.values())).shape[0]
    classes = result.get("dataset", {}).get("classes") or [str(i) for i in range(k)]
    if len(classes) != k:
        classes = [str(i) for i in range(k)]
    seeds = len(result.get("seeds", []))
    cols = min(3, len(mats))
    rows = (len(mats) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(3.9 * cols, 3.6 * rows + 1.0), squeeze=False)
    for ax, (arm, m) in zip(axes.flat, mats.items()):
        _panel(ax, arm, m, classes)
    for ax in list(axes.flat)[len(mats):]:
        ax.set_visible(False)
    fig.suptitle(f"{result.get('title', result['lab'])}\nwhat the validation images really are (rows) and what each "
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
