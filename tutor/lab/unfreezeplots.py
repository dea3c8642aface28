"""`unfreezing.png`: what happens when the backbone is unfrozen (arms with `unfreeze_at`).

Three panels: validation accuracy per epoch (a dotted line marks the unfreezing), validation accuracy
after each of the first steps after unfreezing (step 0 = just before), and the training loss per step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from tutor.lab.plots import save_figure


def _mean(runs: list[list[float]]) -> np.ndarray | None:
    runs = [r for r in runs if r]
    if not runs:
        return None
    n = min(len(r) for r in runs)
    return np.array([r[:n] for r in runs], dtype=float).mean(0)


def write_unfreeze_plot(result: dict[str, Any], out_dir: Path, plt) -> list[Path]:
    details = result.get("arm_details", {})
    arms = [a for a in result.get("arms", {}) if details.get(a, {}).get("config", {}).get("unfreeze_at")]
    if not arms:
        return []
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    ats: set[int] = set()
    for i, arm in enumerate(result["arms"]):
        hist = details[arm].get("history", {}).values()
        color = colors[i % len(colors)]
        va = _mean([h.get("val_acc", []) for h in hist])
        if va is not None:
            axes[0].plot(np.arange(1, len(va) + 1), va * 100, marker="o", ms=3, color=color, label=arm)
        if arm not in arms:
            continue
        ats.add(details[arm]["config"]["unfreeze_at"])
        around = _mean([h.get("around_unfreeze_val_acc", []) for h in hist])
        if around is not None:
            axes[1].plot(np.arange(len(around)), around * 100, marker=".", color=color, label=arm)
        losses = [h.get("step_loss", []) for h in hist]
        loss = _mean(losses)
        if loss is not None:
            steps_per_epoch = len(loss) / details[arm]["config"]["epochs"]
            axes[2].plot(np.arange(1, len(loss) + 1) / steps_per_epoch, loss, lw=1, color=color, label=arm)
    for at in sorted(ats):  # one dotted line per unfreezing moment (arms may unfreeze after different epochs)
        for ax, x in ((axes[0], at + 0.5), (axes[2], at)):
            ax.axvline(x, ls=":", color="k", lw=1)
            ax.text(x, ax.get_ylim()[1], f" unfreeze after epoch {at}", va="top", fontsize=7, rotation=90)
    axes[0].set(title="validation accuracy per epoch", xlabel="epoch", ylabel="accuracy (%)")
    axes[1].set(title="validation accuracy right after unfreezing\n(step 0 = just before)", xlabel="training step after unfreezing",
                ylabel="accuracy (%)")
    axes[2].set(title="training loss per step", xlabel="epoch", ylabel="cross-entropy (batch)")
    for ax in axes:
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    axes[1].legend(fontsize=7)
    fig.suptitle(f"{result.get('title', result['lab'])}: what happens at the moment the backbone is unfrozen "
                 f"(mean of {len(result.get('seeds', []))} seeds)", fontsize=11)
    path = save_figure(fig, out_dir, "unfreezing.png")
    return [path]
