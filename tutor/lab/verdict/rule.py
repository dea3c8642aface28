"""The verdict rule: how a claim is judged over seeds (torch-free).

Verdict rule (the same everywhere, never written by hand):

* For each seed s, the claim's margin is ``d_s = left_s - right_s`` (for ``<``: ``right_s - left_s``).
  Arms are paired by seed: seed s of every arm uses the same seed for its training subset and init.
* The claim **holds** when the mean margin is positive and exceeds twice its standard deviation across
  seeds: ``mean(d) > 0 and mean(d) > 2 * sd(d)`` (sample sd, ddof=1; with one seed, sd is unknown and
  no claim can hold).
* Its **opposite holds** by the same rule on ``-d``.
* A lab is ``reproduced`` when every claim holds, ``contradicted`` when some claim's opposite holds,
  and ``inconclusive`` otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tutor.lab.spec.claims import Claim

SPREAD_FACTOR = 2.0
VERDICTS = ("reproduced", "contradicted", "inconclusive")


def mean_sd(values: Sequence[float]) -> tuple[float, float]:
    n = len(values)
    if n == 0:
        return math.nan, math.nan
    mean = sum(values) / n
    if n < 2:
        return mean, math.nan
    var = sum((v - mean) ** 2 for v in values) / (n - 1)
    return mean, math.sqrt(var)


def _passes(mean: float, sd: float) -> bool:
    if math.isnan(mean) or math.isnan(sd):
        return False
    return mean > 0 and mean > SPREAD_FACTOR * sd


@dataclass
class Judgement:
    text: str
    holds: bool
    opposite_holds: bool
    numbers: dict = field(default_factory=dict)

    @property
    def status(self) -> str:
        return "holds" if self.holds else ("opposite holds" if self.opposite_holds else "not shown")


def judge(claim: Claim, per_seed: Sequence[Mapping[tuple[str, str], float]]) -> Judgement:
    """Judge a claim from per-seed metric values ({(arm, metric): value} for each seed, paired by seed)."""
    lefts, rights, margins = [], [], []
    for values in per_seed:
        try:
            a, b, d = claim.margin(values)
        except KeyError:
            continue  # an arm that did not finish for this seed (cancelled run)
        lefts.append(a)
        rights.append(b)
        margins.append(d)
    mean, sd = mean_sd(margins)
    holds = _passes(mean, sd)
    opposite = _passes(-mean, sd) if not math.isnan(mean) else False
    numbers = {
        "left": {"mean": mean_sd(lefts)[0], "per_seed": lefts},
        "right": {"mean": mean_sd(rights)[0], "per_seed": rights},
        "margin": {"mean": mean, "sd": sd, "per_seed": margins},
        "needed": SPREAD_FACTOR * sd if not math.isnan(sd) else None,
        "seeds": len(margins),
    }
    return Judgement(claim.text, holds, opposite, numbers)


def verdict(judgements: Sequence[Judgement]) -> str:
    """`reproduced` when every claim holds, `contradicted` when some claim's opposite holds, else `inconclusive`."""
    if judgements and all(j.holds for j in judgements):
        return "reproduced"
    if any(j.opposite_holds for j in judgements):
        return "contradicted"
    return "inconclusive"
