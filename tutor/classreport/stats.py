"""The statistics, on plain numpy arrays: a learners x items score matrix with NaN where a learner did not
answer an item (a class rarely answers the same questions: practice and review are each learner's own)."""

from __future__ import annotations

import math

import numpy as np

Z95 = 1.959963984540054


def wilson(k: float, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion k/n (good at 0 and 1 and small n, unlike the normal one)."""
    if n <= 0:
        return (math.nan, math.nan)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def fisher(r: float, n: int, z: float = Z95) -> tuple[float, float]:
    """Interval for a correlation through Fisher's z (atanh r, standard error 1/sqrt(n-3))."""
    if not math.isfinite(r) or n <= 3:
        return (math.nan, math.nan)
    centre = math.atanh(max(-0.999999, min(0.999999, r)))
    half = z / math.sqrt(n - 3)
    return (math.tanh(centre - half), math.tanh(centre + half))


def rest_scores(scores: np.ndarray) -> np.ndarray:
    """Per learner and item, the learner's mean score on the *other* items they answered (NaN where the item
    was not answered or nothing else was). With every item answered this is the rest score over k-1, so its
    correlation with the item is Moodle's discrimination index."""
    answered = ~np.isnan(scores)
    filled = np.where(answered, scores, 0.0)
    total = filled.sum(axis=1, keepdims=True)
    count = answered.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        rest = (total - filled) / (count - 1)
    return np.where(answered & (count > 1), rest, np.nan)


def item_rest(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per item: the Pearson correlation of the item's score with the rest score, and how many learners it
    rests on (NaN when the item or the rest does not vary)."""
    rest = rest_scores(scores)
    k = scores.shape[1]
    r = np.full(k, np.nan)
    n = np.zeros(k, dtype=int)
    for j in range(k):
        ok = ~np.isnan(scores[:, j]) & ~np.isnan(rest[:, j])
        n[j] = int(ok.sum())
        x, y = scores[ok, j], rest[ok, j]
        if n[j] > 2 and x.std() > 0 and y.std() > 0:
            r[j] = float(np.corrcoef(x, y)[0, 1])
    return r, n


def cronbach_alpha(scores: np.ndarray) -> dict:
    """Cronbach's alpha of the items. With every learner answering every item: the usual formula and Feldt's
    95 % interval. Otherwise: from pairwise-complete variances and covariances (no interval), over the items
    shared by at least 3 learners with each other item."""
    learners, k = scores.shape
    answered = ~np.isnan(scores)
    if k < 2 or learners < 3:
        return {"value": None, "ci": None, "method": None, "items": int(k), "learners": int(learners)}
    if answered.all():
        item_var = scores.var(axis=0, ddof=1)
        total_var = scores.sum(axis=1).var(ddof=1)
        if total_var <= 0:
            return {"value": None, "ci": None, "method": "complete", "items": int(k), "learners": int(learners)}
        alpha = k / (k - 1) * (1 - item_var.sum() / total_var)
        return {"value": float(alpha), "ci": list(_feldt(alpha, learners, k)), "method": "complete",
                "items": int(k), "learners": int(learners)}
    return _pairwise_alpha(scores, answered)


def _feldt(alpha: float, n: int, k: int) -> tuple[float, float]:
    from scipy.special import fdtri  # the F quantile, without importing all of scipy.stats (seconds)

    df1, df2 = n - 1, (n - 1) * (k - 1)
    return (float(1 - (1 - alpha) * fdtri(df1, df2, 0.975)), float(1 - (1 - alpha) * fdtri(df1, df2, 0.025)))


def _pairwise_alpha(scores: np.ndarray, answered: np.ndarray) -> dict:
    m = answered.astype(float)
    x = np.where(answered, scores, 0.0)
    both = m.T @ m  # learners who answered i and j
    sums = x.T @ m  # sum of item i over learners who also answered j
    prods = x.T @ x
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = (prods - sums * sums.T / both) / (both - 1)
    keep = np.all(both >= 3, axis=1)
    cov = cov[np.ix_(keep, keep)]
    k = int(keep.sum())
    if k < 2 or not np.isfinite(cov).all() or cov.sum() <= 0:
        return {"value": None, "ci": None, "method": "pairwise", "items": k, "learners": int(scores.shape[0])}
    alpha = k / (k - 1) * (1 - np.trace(cov) / cov.sum())
    return {"value": float(alpha), "ci": None, "method": "pairwise", "items": k, "learners": int(scores.shape[0])}
