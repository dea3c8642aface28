"""`learning_curve.png`: training and validation accuracy against training-set size (arms with `curve:`).

Arms that share a `curve` name are one model trained on different amounts of data; each becomes a pair
of lines (training dashed, validation solid) over the number of training images, so the learner sees
the bias-variance picture: a gap that closes as data grows (variance), or two low lines that meet
early and stay low (bias).
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Annotated

import numpy as np
from pydantic import Field

from tutor.lab.kinds.base import Kind
from tutor.lab.report.plots import log_ticks, save_figure, train_val_lines
from tutor.lab.result import LabResult
from tutor.lab.spec.settings import CoreSettings


class Settings(CoreSettings):
    curve: Annotated[str, Field(min_length=1, max_length=40)] | None = None  # a line in learning_curve.png


class LearningCurveKind(Kind[Settings]):
    name = "learning_curve"
    settings = Settings

    def plot(self, result: LabResult, out_dir: Path, plt: ModuleType) -> list[Path]:
        return plot(result, out_dir, plt)


def plot(result: LabResult, out_dir: Path, plt: ModuleType) -> list[Path]:
    details = result.arm_details
    arms = {a: {k: s.model_dump() for k, s in m.items()} for a, m in result.arms.items()}
    curves: dict[str, list[str]] = {}
    for arm in arms:
        name = details[arm].config.get("curve") if arm in details else None
        if name:
            curves.setdefault(name, []).append(arm)
    if not curves:
        return []
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (name, members) in enumerate(curves.items()):
        members = sorted(members, key=lambda a: arms[a]["train_images"]["mean"])
        n = np.array([arms[a]["train_images"]["mean"] for a in members])
        train_val_lines(ax, n, members, arms, colors[i % len(colors)], name)
    log_ticks(ax, plt, sorted({int(arms[a]["train_images"]["mean"]) for m in curves.values() for a in m}),
              plt.matplotlib.ticker.ScalarFormatter())
    ax.set_xlabel("training images (log scale)")
    ax.set_ylabel("accuracy (%)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(f"{result.title or result.lab}\naccuracy against training-set size: training (dashed) vs "
                 f"validation (solid)\nbig gap = overfitting (variance); both low and close = underfitting (bias); "
                 f"mean of {len(result.seeds)} seeds, bars = sd", fontsize=9)
    path = save_figure(fig, out_dir, "learning_curve.png")
    return [path]
