"""PNG plots of a finished lab (matplotlib, Agg backend: no display needed).

- `curves.png`: per arm, training and validation accuracy after every epoch (mean over seeds, with the
  range over seeds shaded);
- `accuracy.png`: per arm, final training vs validation accuracy side by side, the gap written above;
- `claims.png`: the verdict's picture, each claim's margin against the effect it had to beat (`forest.py`);

and whatever figures the kinds of experiment add (`more`, from the runner: tutor.lab.kinds.KINDS.plots).
`save_figure` and the helpers below serve those too.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from tutor.lab.report.forest import forest_figure
from tutor.lab.result import LabResult


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _curves(history: dict[str, dict[str, list[float]]], key: str) -> np.ndarray | None:
    runs = [h[key] for h in history.values() if h.get(key)]
    if not runs:
        return None
    n = min(len(r) for r in runs)
    return np.array([r[:n] for r in runs], dtype=float) * 100


def write_plots(result: LabResult, out_dir: Path,
                more: Callable[[LabResult, Path, Any], list[Path]] | None = None) -> list[Path]:
    plt = _plt()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if not result.arms:
        return []
    files = [_curves_plot(result, out_dir, plt), _accuracy_plot(result, out_dir, plt)]
    forest = forest_figure(result, plt)
    files += [save_figure(forest, out_dir, "claims.png", tight=False)] if forest is not None else []
    return files + (more(result, out_dir, plt) if more is not None else [])


def _curves_plot(result: LabResult, out_dir: Path, plt) -> Path:
    arms = list(result.arms)
    details = result.arm_details
    n_seeds = len(result.seeds)
    cols = min(4, len(arms))
    rows = (len(arms) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 2.9 * rows + 0.7), squeeze=False, sharey=True)
    for ax, arm in zip(axes.flat, arms):
        hist = details[arm].history if arm in details else {}
        for key, label, color in (("train_acc", "training", "tab:blue"), ("val_acc", "validation", "tab:orange")):
            data = _curves(hist, key)
            if data is None:
                continue
            epochs = np.arange(1, data.shape[1] + 1)
            ax.plot(epochs, data.mean(0), color=color, label=label, marker="o" if data.shape[1] < 12 else None, ms=3)
            if len(data) > 1:
                ax.fill_between(epochs, data.min(0), data.max(0), color=color, alpha=0.18, lw=0)
        ax.set_title(arm, fontsize=10)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
    for ax in axes[:, 0]:
        ax.set_ylabel("accuracy (%)")
    for ax in list(axes.flat)[len(arms):]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=8, loc="lower right")
    fig.suptitle(f"{result.title or result.lab}\naccuracy on the training images and on new (validation) "
                 f"images while training\n(mean of {n_seeds} seeds, shaded: lowest to highest seed)", fontsize=11)
    return save_figure(fig, out_dir, "curves.png")


def _accuracy_plot(result: LabResult, out_dir: Path, plt) -> Path:
    arms = list(result.arms)
    metrics = result.arms
    tr = np.array([_f(metrics[a]["train_acc"].mean) for a in arms]) * 100
    va = np.array([_f(metrics[a]["val_acc"].mean) for a in arms]) * 100
    tr_sd = np.nan_to_num(np.array([metrics[a]["train_acc"].sd or 0 for a in arms], dtype=float)) * 100
    va_sd = np.nan_to_num(np.array([metrics[a]["val_acc"].sd or 0 for a in arms], dtype=float)) * 100
    x = np.arange(len(arms))
    fig, ax = plt.subplots(figsize=(max(6.0, 1.25 * len(arms) + 2), 4.4))
    ax.bar(x - 0.2, tr, 0.4, yerr=tr_sd, label="training accuracy", color="tab:blue", capsize=3)
    ax.bar(x + 0.2, va, 0.4, yerr=va_sd, label="validation accuracy", color="tab:orange", capsize=3)
    label_y = np.maximum(tr, va) + np.maximum(tr_sd, va_sd) + 1.0
    for i in range(len(arms)):
        ax.annotate(f"gap {tr[i] - va[i]:+.1f}", (x[i], label_y[i]), ha="center", fontsize=8)
    low = max(0.0, min(tr.min(), va.min()) - 15)
    ax.set_ylim(low, max(105.0, float(label_y.max()) + 5.0))  # room for a gap label above a bar near 100 %
    ax.set_xticks(x, arms, rotation=20 if len(arms) > 4 else 0, ha="right" if len(arms) > 4 else "center")
    ax.set_ylabel("accuracy (%)")
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="y", alpha=0.3)
    ax.set_title(f"{result.title or result.lab}\ntraining vs validation accuracy per arm\n"
                 f"(gap = how much better each model does on its own training images; verdict: {result.verdict})",
                 fontsize=10)
    return save_figure(fig, out_dir, "accuracy.png")


def _f(value: float | None) -> float:
    return np.nan if value is None else float(value)


def train_val_lines(ax: Any, x: np.ndarray, members: list[str], arms: dict[str, dict[str, dict]], color: Any,
                    name: str) -> None:
    """One sweep's training (dashed) and validation (solid) accuracy, in %, over `x`, with sd bars: the pair of lines
    the learning and capacity curves draw per curve."""
    for key, style, what in (("train_acc", "--", "training"), ("val_acc", "-", "validation")):
        mean = np.array([arms[a][key]["mean"] for a in members]) * 100
        sd = np.nan_to_num(np.array([arms[a][key]["sd"] or 0 for a in members], dtype=float)) * 100
        ax.errorbar(x, mean, yerr=sd, ls=style, marker="o", ms=4, capsize=3, color=color, label=f"{name}: {what}")


def log_ticks(ax: Any, plt: Any, ticks: list[int], formatter: Any) -> None:
    """A log x axis labelled at exactly `ticks` (the sizes the arms ran at), with no minor labels."""
    ax.set_xscale("log")
    ax.set_xticks(ticks)
    ax.get_xaxis().set_major_formatter(formatter)
    ax.get_xaxis().set_minor_formatter(plt.matplotlib.ticker.NullFormatter())


def save_figure(fig: Any, out_dir: Path, name: str, *, tight: bool = True) -> Path:
    """Lay out (unless the figure laid itself out: `tight=False`), write `name` at the labs' common resolution, and
    free the figure; every lab PNG goes through here. Text from the lab file (its title, arm labels) is drawn with
    its control characters shown escaped, as on the terminal: a raw one is no glyph, and matplotlib's warning
    about it would carry it to the terminal."""
    plt = _plt()
    _escaped(fig)
    if tight:
        fig.tight_layout()
    path = Path(out_dir) / name
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _escaped(fig: Any) -> None:
    """Every text of the figure with control characters shown escaped (tutor.safetext.clean)."""
    import warnings

    from matplotlib.text import Text

    from tutor.safetext import clean

    if all(clean(text.get_text()) == text.get_text() for text in fig.findobj(Text)):
        return  # nothing to escape (tick labels set so far are among the texts): no extra drawing
    with warnings.catch_warnings():  # the raw text's missing glyphs, about to be replaced
        warnings.simplefilter("ignore")
        fig.draw_without_rendering()  # tick labels exist once drawn (their formatter makes them again)
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            labels = [label.get_text() for label in axis.get_ticklabels()]
            if any(clean(label) != label for label in labels):
                axis.set_ticks(axis.get_ticklocs(), [clean(label) for label in labels])
    for text in fig.findobj(Text):
        if clean(text.get_text()) != text.get_text():
            text.set_text(clean(text.get_text()))


def seed_runs(history: dict[str, dict[str, list[Any]]], key: str) -> np.ndarray | None:
    """One row per seed of a history series (cut to the shortest), non-positive or missing values as NaN."""
    runs = [h.get(key) for h in history.values() if h.get(key)]
    if not runs:
        return None
    n = min(len(r) for r in runs)
    data = np.array([[np.nan if v is None else float(v) for v in r[:n]] for r in runs], dtype=float)
    data[~np.isfinite(data) | (data <= 0)] = np.nan
    return data


def geomean(data: np.ndarray) -> np.ndarray:
    """Geometric mean over seeds (rows), ignoring NaN."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a layer where every seed is zero/NaN: no point
        return np.exp(np.nanmean(np.log(data), axis=0))
