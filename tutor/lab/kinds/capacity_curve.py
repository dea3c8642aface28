"""`capacity_curve.png`: training and validation accuracy against model size (arms with `capacity:`).

Arms that share a `capacity` name are one model at several sizes on the same data; each becomes a pair of
lines (training dashed, validation solid) over the arm's trainable parameters (the `params` metric, log
scale), so the learner sees the bias-variance picture the other way round from `learning_curve.png`: as the
model grows, training accuracy climbs and validation accuracy rises, peaks and falls again (validation error
is U-shaped). Which sizes and data show it is the lab's design; this only draws what the arms measured.
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
    capacity: Annotated[str, Field(min_length=1, max_length=40)] | None = None  # a line in capacity_curve.png


class CapacityCurveKind(Kind[Settings]):
    name = "capacity_curve"
    settings = Settings

    def plot(self, result: LabResult, out_dir: Path, plt: ModuleType) -> list[Path]:
        return plot(result, out_dir, plt)


def sweeps(result: LabResult) -> dict[str, list[str]]:
    """Sweep name -> its arms, smallest first (arms without `capacity`, or without a measured size, left out)."""
    out: dict[str, list[str]] = {}
    for arm, metrics in result.arms.items():
        detail = result.arm_details.get(arm)
        name = detail.config.get("capacity") if detail else None
        if name and "params" in metrics:
            out.setdefault(name, []).append(arm)
    return {name: sorted(arms, key=lambda a: result.arms[a]["params"].mean) for name, arms in out.items()}


def plot(result: LabResult, out_dir: Path, plt: ModuleType) -> list[Path]:
    lines = sweeps(result)
    if not lines:
        return []
    arms = {a: {k: s.model_dump() for k, s in m.items()} for a, m in result.arms.items()}
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    sizes: set[int] = set()
    for i, (name, members) in enumerate(lines.items()):
        x = np.array([arms[a]["params"]["mean"] for a in members])
        sizes |= {int(v) for v in x}
        train_val_lines(ax, x, members, arms, colors[i % len(colors)], name)
        for a, v in zip(members, x):  # name each size where the learner reads it
            ax.annotate(a, (v, arms[a]["val_acc"]["mean"] * 100), textcoords="offset points", xytext=(4, -12),
                        fontsize=7)
    log_ticks(ax, plt, sorted(sizes), plt.matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_xlabel("trainable parameters (log scale)")
    ax.set_ylabel("accuracy (%)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(f"{result.title or result.lab}\naccuracy against model size: training (dashed) vs validation (solid)"
                 f"\ntoo small: both low (bias); too large: training high, validation falls (variance); "
                 f"mean of {len(result.seeds)} seeds, bars = sd", fontsize=9)
    return [save_figure(fig, out_dir, "capacity_curve.png")]
