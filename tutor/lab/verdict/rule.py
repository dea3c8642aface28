"""The verdict rule: when a lab's claim holds, and when a lab is reproduced, over paired seeds.

A claim is judged on its per-seed margins ``d_s`` (left - right for ``>``, right - left for ``<``): seed s
of every arm shares its training subset and initialisation, so the comparison is paired and the seed-to-
seed noise common to both arms cancels.

* **holds**: the one-sided 95 % lower confidence bound of the mean margin (Student t with n - 1 degrees
  of freedom, ``scipy.stats.t``) is above the claim's *minimum effect*. The minimum effect keeps a
  consistent one-image difference from being taught as an effect: 1 point for accuracy-like metrics,
  0.1 for log10 ratios, 0 for counts; a claim that states its own tolerance (any number in it, e.g.
  ``a.val_acc > b.val_acc + 0.2`` or ``a.val_acc > b.val_acc - 0.01``) is judged against 0.
* **opposite holds**: the mirrored test (the upper bound below minus the minimum effect), with a Holm
  correction across the lab's claims, so that a lab with many claims is not called contradicted by one
  chance result.
* A lab is **reproduced** when every claim holds, **contradicted** when some claim's opposite holds
  (after Holm), **inconclusive** otherwise.

Unlike the earlier "mean > 2 sd" rule, the bound tightens as seeds are added (the standard error falls
with sqrt(n)), so more seeds make a true effect easier to show, and its false-pass rate under no effect is
at most 5 % per claim whatever the number of seeds. Torch-free: the app and the tests import it.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from scipy import stats

ALPHA = 0.05  # one-sided level of each claim's bound, and the family-wise level of the Holm step
VERDICTS = ("reproduced", "contradicted", "inconclusive")

# minimum effect by metric kind (in the metric's own unit); the first pattern that matches the name wins
MIN_EFFECTS: tuple[tuple[str, float, str], ...] = (
    (r"(_acc|_recall|_auc|^gap|^minority_gap|^unfreeze_drop|^sparsity|^rel_sparsity|^stop_regret_full|^stop_gain_sd|^stop_regret_draws|^clipped_frac|^episode_sd)$", 0.01,
     "accuracy-like fractions (a ROC AUC too): 1 point (about one to three validation images)"),
    (r"_log_ratio$", 0.1, "log10 ratios: 0.1 (a 26 % change in scale)"),
    (r"(_loss|^max_loss_spike|^unfreeze_loss_spike)$", 0.01, "losses: 0.01 nats"),
    (r".*", 0.0, "counts, flags and everything else: 0"),
)
RULE_TEXT = ("a claim holds when the one-sided 95 % lower confidence bound (Student t over the paired seeds) of its "
             "mean margin is above its minimum effect (1 point for accuracies unless the claim states its own "
             "tolerance); reproduced = every claim holds, contradicted = some claim's opposite holds after a Holm "
             "correction across the lab's claims, inconclusive = otherwise")


def mean_sd(values: Sequence[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (ddof=1); sd is NaN below two values."""
    n = len(values)
    if n == 0:
        return math.nan, math.nan
    mean = sum(values) / n
    if n < 2:
        return mean, math.nan
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))


def min_effect_for(claim: Any) -> float:
    """The effect a claim's margin must beat: 0 when it states its own tolerance, else its metrics' default."""
    if _has_number(claim.left) or _has_number(claim.right):
        return 0.0
    effects = [_metric_effect(metric) for _, metric in claim.refs()]
    return max(effects, default=0.0)


def _metric_effect(metric: str) -> float:
    return next(effect for pattern, effect, _ in MIN_EFFECTS if re.search(pattern, metric))


def _has_number(node: Any) -> bool:
    if type(node).__name__ == "Num":
        return True
    if not dataclasses.is_dataclass(node):
        return False
    return any(_has_number(getattr(node, f.name)) for f in dataclasses.fields(node))


@dataclass
class Judgement:
    text: str
    holds: bool
    opposite_holds: bool
    numbers: dict = field(default_factory=dict)

    @property
    def status(self) -> str:
        return "holds" if self.holds else ("opposite holds" if self.opposite_holds else "not shown")


def bounds(margins: Sequence[float], alpha: float = ALPHA) -> dict[str, float]:
    """Mean, sd, standard error, one-sided (1 - alpha) lower and upper bounds of the mean margin."""
    n = len(margins)
    mean, sd = mean_sd(margins)
    if n < 2 or math.isnan(sd):
        return {"mean": mean, "sd": sd, "se": math.nan, "lower": math.nan, "upper": math.nan, "t": math.nan}
    se = sd / math.sqrt(n)
    t = float(stats.t.ppf(1 - alpha, n - 1))
    return {"mean": mean, "sd": sd, "se": se, "lower": mean - t * se, "upper": mean + t * se, "t": t}


def _p_above(mean: float, se: float, threshold: float, n: int) -> float:
    """One-sided p-value of "the true mean margin is at most `threshold`" (small: it is above)."""
    if n < 2 or math.isnan(se):
        return 1.0
    if se == 0:
        return 0.0 if mean > threshold else 1.0
    return float(stats.t.sf((mean - threshold) / se, n - 1))


def judge(claim: Any, per_seed: Sequence[Mapping[tuple[str, str], float]], min_effect: float | None = None) -> Judgement:
    """Judge one claim from per-seed metric values ({(arm, metric): value} per seed, paired by seed).

    `opposite_holds` is the uncorrected mirrored test; `holm` corrects it across a lab's claims."""
    lefts, rights, margins = [], [], []
    for values in per_seed:
        try:
            a, b, d = claim.margin(values)
        except KeyError:
            continue  # an arm that did not finish for this seed (cancelled run)
        if not all(math.isfinite(v) for v in (a, b, d)):
            continue
        lefts.append(a)
        rights.append(b)
        margins.append(d)
    effect = min_effect_for(claim) if min_effect is None else min_effect
    b = bounds(margins)
    n = len(margins)
    p_holds = _p_above(b["mean"], b["se"], effect, n)
    p_opposite = _p_above(-b["mean"], b["se"], effect, n)
    numbers = {
        "left": {"mean": mean_sd(lefts)[0], "per_seed": lefts},
        "right": {"mean": mean_sd(rights)[0], "per_seed": rights},
        "margin": {**{k: b[k] for k in ("mean", "sd", "se", "lower", "upper")}, "per_seed": margins},
        "min_effect": effect,
        "needed": effect,  # what the lower bound had to beat
        "seeds": n,
        "p_holds": p_holds,
        "p_opposite": p_opposite,
        "seeds_to_show": seeds_to_show(b["mean"], b["sd"], effect),
    }
    return Judgement(claim.text, p_holds < ALPHA, p_opposite < ALPHA, numbers)


def seeds_to_show(mean: float, sd: float, effect: float, most: int = 1000) -> int | None:
    """About how many seeds would let a margin of this mean and spread beat `effect` (the least n whose lower
    bound clears it); None where the mean itself does not beat it (more seeds would not help) or beyond
    `most`. Why a claim was not shown, in one number: a lab reports it for its claims that were not."""
    if any(math.isnan(v) for v in (mean, sd)) or mean <= effect:
        return None
    if sd == 0:
        return 2
    # t > z, so no n below the normal approximation's count can do: start there (a few steps, not hundreds)
    start = max(2, math.ceil((float(stats.norm.ppf(1 - ALPHA)) * sd / (mean - effect)) ** 2))
    for n in range(start, most + 1):
        if mean - float(stats.t.ppf(1 - ALPHA, n - 1)) * sd / math.sqrt(n) > effect:
            return n
    return None


def holm(judgements: Sequence[Judgement], alpha: float = ALPHA) -> list[Judgement]:
    """The judgements with `opposite_holds` corrected by Holm's step-down procedure across the claims."""
    order = sorted(range(len(judgements)), key=lambda i: judgements[i].numbers.get("p_opposite", 1.0))
    m = len(judgements)
    rejected: set[int] = set()
    for rank, i in enumerate(order):
        if judgements[i].numbers.get("p_opposite", 1.0) > alpha / (m - rank):
            break
        rejected.add(i)
    out = []
    for i, j in enumerate(judgements):
        numbers = {**j.numbers, "opposite_level": alpha / (m - order.index(i)) if m else alpha}
        out.append(Judgement(j.text, j.holds, i in rejected, numbers))
    return out


def verdict(judgements: Sequence[Judgement]) -> str:
    """`reproduced` when every claim holds, `contradicted` when some claim's opposite holds, else `inconclusive`.

    Pass judgements already corrected by `holm` (as `judge_all` returns them)."""
    if judgements and all(j.holds for j in judgements):
        return "reproduced"
    if any(j.opposite_holds for j in judgements):
        return "contradicted"
    return "inconclusive"


def judge_all(claims: Sequence[Any], per_seed: Sequence[Mapping[tuple[str, str], float]]) -> list[Judgement]:
    """Every claim of a lab judged, with the Holm correction applied to the opposite tests."""
    return holm([judge(c, per_seed) for c in claims])


def clearance(j: Judgement) -> float:
    """How many standard errors the claim's status is from flipping (large: a clear-cut status).

    For a claim that holds: (lower bound - minimum effect) / se; that does not hold: the distance of the
    lower bound below the minimum effect, or of the opposite test from passing, whichever is nearer."""
    num = j.numbers
    m, effect = num.get("margin", {}), num.get("min_effect", 0.0)
    se = m.get("se", math.nan)
    if se is None or math.isnan(se):
        return math.inf if not j.holds else 0.0
    if se == 0:
        return math.inf
    to_hold = (m["lower"] - effect) / se
    to_opposite = (-m["upper"] - effect) / se
    if j.holds:
        return to_hold
    if j.opposite_holds:
        return to_opposite
    return min(-to_hold, -to_opposite)
