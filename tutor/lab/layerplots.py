"""Plots for labs with plain networks (`model: plain`): what happens inside, layer by layer, and the loss.

- `layers.png`: per arm, the activation scale (std) and the weight-gradient scale (norm) of every hidden
  layer, at initialisation and after the first epoch, on a log scale (geometric mean over seeds);
- `loss.png`: per arm, the training loss per epoch (mean of the batch losses) on a log scale; a diverged
  seed is drawn at the recorded cap and counted in the legend.

Called by `plots.write_plots`; writes nothing for labs without these histories.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from tutor.lab.plots import save_figure


def _runs(history: dict[str, dict[str, list[Any]]], key: str) -> np.ndarray | None:
    runs = [h.get(key) for h in history.values() if h.get(key)]
    if not runs:
        return None
    n = min(len(r) for r in runs)
    data = np.array([[np.nan if v is None else float(v) for v in r[:n]] for r in runs], dtype=float)
    data[~np.isfinite(data) | (data <= 0)] = np.nan
    return data


def _geomean(data: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a layer where every seed is zero/NaN: no point
        return np.exp(np.nanmean(np.log(data), axis=0))


def write_layer_plots(result: dict[str, Any], out_dir: Path, plt) -> list[Path]:
    details = result.get("arm_details", {})
    arms = [a for a in result.get("arms", {}) if a in details]
    title = result.get("title", result.get("lab", ""))
    n_seeds = len(result.get("seeds", []))
    colors = plt.get_cmap("tab10")
    files: list[Path] = []

    if any(_runs(details[a].get("history", {}), "layer_act_init") is not None for a in arms):
        fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), sharex=True)
        panels = [("layer_act_init", 0, 0, "signal size going forward, at initialisation"),
                  ("layer_act_epoch1", 0, 1, "signal size going forward, after the first epoch"),
                  ("layer_grad_init", 1, 0, "gradient size coming back, at initialisation"),
                  ("layer_grad_epoch1", 1, 1, "gradient size coming back, after the first epoch")]
        for key, r, c, label in panels:
            ax = axes[r][c]
            for i, arm in enumerate(arms):
                data = _runs(details[arm].get("history", {}), key)
                if data is None:
                    continue
                if np.isnan(data).all():  # e.g. dead ReLUs: say so rather than silently drop the arm
                    ax.plot([], [], color=colors(i % 10), ls="none", marker="x", label=f"{arm}: all zero (not drawn)")
                    continue
                layers = np.arange(1, data.shape[1] + 1)
                ax.plot(layers, _geomean(data), marker="o", ms=3, color=colors(i % 10), label=arm)
            ax.set_yscale("log")
            ax.set_title(label, fontsize=10)
            ax.grid(alpha=0.3, which="both")
            ax.set_ylabel("std of the layer's outputs" if r == 0 else "norm of the layer's weight gradient")
            if r == 1:
                ax.set_xlabel("hidden layer (1 = next to the input)")
        axes[0][0].legend(fontsize=8)
        fig.suptitle(f"{title}\nhow big the signal and the gradient are in each layer (log scale: a straight falling "
                     f"line = shrinking by the same factor every layer)\n(geometric mean of {n_seeds} seeds; "
                     f"a missing line = zero or not a number)", fontsize=10)
        path = save_figure(fig, out_dir, "layers.png")
        files.append(path)

    if any(_runs(details[a].get("history", {}), "batch_loss") is not None for a in arms):
        fig, ax = plt.subplots(figsize=(8, 4.8))
        for i, arm in enumerate(arms):
            data = _runs(details[arm].get("history", {}), "batch_loss")
            if data is None:
                continue
            diverged = result["arms"][arm].get("diverged", {}).get("per_seed", [])
            n_div = sum(1 for v in diverged if v and v > 0)
            epochs = np.arange(1, data.shape[1] + 1)
            label = arm + (f" ({n_div} of {len(diverged)} seeds diverged)" if n_div else "")
            ax.plot(epochs, _geomean(data), marker="o" if data.shape[1] < 16 else None, ms=3, color=colors(i % 10),
                    label=label)
            if len(data) > 1:
                ax.fill_between(epochs, np.nanmin(data, 0), np.nanmax(data, 0), color=colors(i % 10), alpha=0.15, lw=0)
        ax.set_yscale("log")
        classes = result.get("dataset", {}).get("classes") or []
        if len(classes) > 1:  # the loss of a model that guesses uniformly
            ax.axhline(math.log(len(classes)), color="grey", ls=":", lw=1)
            ax.annotate(f"chance (ln {len(classes)})", (1, math.log(len(classes))), fontsize=8, color="grey", va="bottom")
        ax.set_xlabel("epoch")
        ax.set_ylabel("training loss (mean over the epoch's batches)")
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
        ax.set_title(f"{title}\ntraining loss per epoch (log scale; a diverged run is drawn at 100)\n"
                     f"(geometric mean of {n_seeds} seeds, shaded: lowest to highest seed)", fontsize=10)
        path = save_figure(fig, out_dir, "loss.png")
        files.append(path)
    return files
