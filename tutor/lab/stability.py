"""Training that may blow up: a NaN or infinite loss is an outcome to record, not a crash.

`train.py` stops an arm's seed at the first non-finite training loss, marks it `diverged`, and records
its losses as `LOSS_CAP` (far above any loss a working 10-class model has: chance is ln 10 = 2.3), so
the claims can still compare means over seeds. `max_rise` measures loss spikes.
"""

from __future__ import annotations

import math

import numpy as np

LOSS_CAP = 100.0  # the loss recorded for a diverged run (and the cap on any recorded loss)
SPIKE_WINDOW = 10  # steps averaged before looking for spikes (single batches are noisy)


def capped(loss: float) -> float:
    """A loss as recorded: non-finite or huge values become LOSS_CAP."""
    return loss if math.isfinite(loss) and loss < LOSS_CAP else LOSS_CAP


def max_rise(step_losses: list[float], window: int = SPIKE_WINDOW) -> float:
    """The largest rise of the training loss above its lowest value so far, on means of `window` steps
    (capped losses; 0 when the loss only falls)."""
    if not step_losses:
        return 0.0
    values = np.array([capped(v) for v in step_losses], dtype=float)
    n = max(1, len(values) // window)
    means = np.array([chunk.mean() for chunk in np.array_split(values, n)])
    best = np.minimum.accumulate(means)
    return float(min(LOSS_CAP, max(0.0, (means[1:] - best[:-1]).max(initial=0.0))))


def epochs_to_target(val_accs: list[float], target: float, epochs: int) -> float:
    """The first epoch (1-based) whose validation accuracy reaches `target`; epochs + 1 when none does."""
    for i, acc in enumerate(val_accs, start=1):
        if acc >= target:
            return float(i)
    return float(epochs + 1)
