"""Checking a lab run against recorded claim statuses, allowing for another CPU's rounding.

Runs repeat bit for bit on one machine with TUTOR_THREADS=1, but not across processors: AVX-512, AVX2 and
SSE kernels sum in other orders, so a claim whose lower bound sits near its minimum effect may change status
on another CPU. A recorded status is therefore asserted only where this run's claim clears the decision by
more than BAND standard errors; within the band the neighbouring status is accepted, and so is any verdict
those claims allow. A failure prints the margin, its bound and the threshold, so a real regression is caught.
"""

from __future__ import annotations

import math

from scipy import stats

from tutor.lab.verdict import ALPHA

BAND = 1.0  # standard errors either side of a claim's decision threshold

HOLDS, NOT_SHOWN, OPPOSITE = "holds", "not shown", "opposite holds"


def possible_statuses(claim: dict) -> set[str]:
    """The statuses this run's claim could take on another CPU: its own, plus a neighbour within the band.

    Distances are in standard errors between the claim's t statistic and the critical value it is compared
    with: the one-sided 95 % one for holding, the Holm-adjusted one for the opposite."""
    status = HOLDS if claim["holds"] else (OPPOSITE if claim["opposite_holds"] else NOT_SHOWN)
    num = claim.get("numbers") or {}
    m, effect = num.get("margin") or {}, num.get("min_effect", 0.0)
    se, n = m.get("se"), num.get("seeds", 0)
    if se is None or not math.isfinite(se) or se == 0 or n < 2:
        return {status}
    to_hold = (m["mean"] - effect) / se - stats.t.isf(ALPHA, n - 1)
    to_opposite = (-m["mean"] - effect) / se - stats.t.isf(num.get("opposite_level", ALPHA), n - 1)
    out = {status}
    if abs(to_hold) < BAND:
        out |= {HOLDS, NOT_SHOWN}
    if abs(to_opposite) < BAND and not claim["holds"]:
        out |= {OPPOSITE, NOT_SHOWN}
    return out


def possible_verdicts(options: list[set[str]]) -> set[str]:
    out = set()
    if all(HOLDS in o for o in options):
        out.add("reproduced")
    if any(OPPOSITE in o for o in options):
        out.add("contradicted")
    if all(o - {OPPOSITE} for o in options) and any(NOT_SHOWN in o for o in options):
        out.add("inconclusive")
    return out


def describe(claim: dict) -> str:
    num = claim.get("numbers") or {}
    m = num.get("margin") or {}
    return (f"{claim['text']}: margin {m.get('mean'):+.4f}, 95% lower bound {m.get('lower'):+.4f}, upper "
            f"{m.get('upper'):+.4f}, se {m.get('se'):.4f}, must beat {num.get('min_effect')}, per seed {m.get('per_seed')}")


def _data(result) -> dict:
    """result.json's data of a run's LabResult (or of the data itself)."""
    return result.to_json() if hasattr(result, "to_json") else result


def check_result(result, verdict: str, expected: dict[str, str]) -> None:
    result = _data(result)
    claims = {c["text"]: c for c in result["claims"]}
    for text, status in expected.items():
        allowed = possible_statuses(claims[text])
        assert status in allowed, f"expected {status!r}, got {sorted(allowed)}: {describe(claims[text])}"
    allowed_verdicts = possible_verdicts([possible_statuses(c) for c in result["claims"]])
    assert result["verdict"] in allowed_verdicts
    assert verdict in allowed_verdicts, (f"expected verdict {verdict!r}, this run allows {sorted(allowed_verdicts)}:\n"
                                         + "\n".join(describe(c) for c in result["claims"]))


def inverted_verdict(result) -> str:
    """The verdict of the same run with every claim reversed (`>` <-> `<`), judged on its per-seed values.

    A lab whose claims hold must not also be reproduced with their opposites: no retraining needed."""
    import dataclasses

    from tutor.lab.spec.claims import parse_claim
    from tutor.lab.verdict import judge_all, verdict

    result = _data(result)
    seeds = result["seeds"]
    nan = float("nan")  # result.json keeps a missing number as null
    values = [{(arm, metric): nan if m["per_seed"][i] is None else m["per_seed"][i]
               for arm, ms in result["arms"].items() for metric, m in ms.items()
               if isinstance(m, dict) and len(m.get("per_seed") or []) == len(seeds)} for i in range(len(seeds))]
    flipped = [dataclasses.replace(c, op="<" if c.op == ">" else ">")
               for c in (parse_claim(x["text"]) for x in result["claims"])]
    return verdict(judge_all(flipped, values))
