"""A lab's claims and checks judged together, and the verdict decided in the same place (torch-free).

Claims whose arms did not all run (`--arms`) are *not run*: they count as not holding, so such a run is
never reproduced. Checks (the set-up is what it says) are judged by the same rule, with their own Holm
family, and never enter the verdict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tutor.lab.result import ClaimOutcome, ClaimSpec
from tutor.lab.verdict.rule import Judgement, judge_all, verdict


@dataclass(frozen=True)
class Judged:
    claims: list[ClaimOutcome] = field(default_factory=list)
    claims_not_run: list[ClaimSpec] = field(default_factory=list)
    checks: list[ClaimOutcome] = field(default_factory=list)
    verdict: str = "inconclusive"


def spec_of(claim: Any) -> dict[str, Any]:
    """A parsed claim's spec (text, plain words, questions it backs) as result fields."""
    return {"text": claim.text, "says": getattr(claim, "says", None), "backs": list(getattr(claim, "backs", ()) or ())}


def outcome(claim: Any, j: Judgement) -> ClaimOutcome:
    return ClaimOutcome(**spec_of(claim), holds=j.holds, opposite_holds=j.opposite_holds, numbers=j.numbers)


def _judged(claims: Sequence[Any], per_seed: Sequence[Mapping[tuple[str, str], float]]) -> list[tuple[Any, Judgement]]:
    return list(zip(claims, judge_all(claims, per_seed)))  # Holm across these claims


def judge_lab(claims: Sequence[Any], checks: Sequence[Any], per_seed: Sequence[Mapping[tuple[str, str], float]],
              arms: Iterable[str]) -> Judged:
    """Judge a lab's claims and checks from per-seed values ({(arm, metric): value} per seed, paired by
    seed), given the arms that ran."""
    ran = set(arms)
    runnable = [c for c in claims if all(arm in ran for arm, _ in c.refs())]
    skipped = [c for c in claims if c not in runnable]
    judged = _judged(runnable, per_seed)
    unjudged = [Judgement(c.text, False, False, {}) for c in skipped]
    return Judged(
        claims=[outcome(c, j) for c, j in judged],
        claims_not_run=[ClaimSpec(**spec_of(c)) for c in skipped],
        checks=[outcome(c, j) for c, j in _judged([c for c in checks if all(a in ran for a, _ in c.refs())], per_seed)],
        verdict=verdict([j for _, j in judged] + unjudged),
    )
