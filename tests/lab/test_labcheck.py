"""The shipped-lab tests' safety band (tests/labcheck.py), on synthetic judged claims: no training."""

from __future__ import annotations

import pytest
from support.labcheck import (
    HOLDS,
    NOT_SHOWN,
    OPPOSITE,
    check_result,
    possible_statuses,
    possible_verdicts,
)

from tutor.lab.spec.claims import parse_claim
from tutor.lab.verdict import judge_all, verdict


def _result(margins_by_claim: dict[str, list[float]]) -> dict:
    claims = [parse_claim(f"{name}.val_acc > base.val_acc") for name in margins_by_claim]
    n = len(next(iter(margins_by_claim.values())))
    per_seed = [{("base", "val_acc"): 0.5, **{(name, "val_acc"): 0.5 + ms[s] for name, ms in margins_by_claim.items()}}
                for s in range(n)]
    js = judge_all(claims, per_seed)
    return {"verdict": verdict(js), "claims": [{"text": j.text, "holds": j.holds, "opposite_holds": j.opposite_holds,
                                                 "numbers": j.numbers} for j in js]}


def test_clear_claims_have_one_possible_status():
    r = _result({"big": [0.20, 0.21, 0.19], "none": [0.001, -0.002, 0.0005]})
    assert possible_statuses(r["claims"][0]) == {HOLDS}
    assert possible_statuses(r["claims"][1]) == {NOT_SHOWN}


def test_borderline_claim_allows_its_neighbour_and_the_verdict_it_implies():
    r = _result({"big": [0.20, 0.21, 0.19], "edge": [0.030, 0.034, 0.018]})  # lower bound just above 1 point
    edge = r["claims"][1]
    assert edge["holds"] and possible_statuses(edge) == {HOLDS, NOT_SHOWN}
    assert possible_verdicts([possible_statuses(c) for c in r["claims"]]) == {"reproduced", "inconclusive"}
    check_result(r, "inconclusive", {"big.val_acc > base.val_acc": HOLDS, "edge.val_acc > base.val_acc": NOT_SHOWN})


def test_a_clear_regression_fails_with_the_numbers():
    r = _result({"big": [0.20, 0.21, 0.19]})
    with pytest.raises(AssertionError, match=r"lower bound .* must beat 0.01"):
        check_result(r, "reproduced", {"big.val_acc > base.val_acc": NOT_SHOWN})


def test_opposite_near_its_threshold_allows_inconclusive():
    r = _result({"neg": [-0.030, -0.034, -0.018]})
    options = possible_statuses(r["claims"][0])
    assert OPPOSITE in options and NOT_SHOWN in options
    assert possible_verdicts([options]) == {"contradicted", "inconclusive"}
