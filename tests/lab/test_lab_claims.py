"""Claim grammar and the verdict rule, on synthetic numbers (the rule's rates: test_verdict_rule.py)."""

from __future__ import annotations

import json
import math

import pytest

from tutor.lab import events
from tutor.lab.result import ClaimOutcome, LabResult
from tutor.lab.spec.claims import ClaimSyntaxError, check_refs, parse_claim
from tutor.lab.verdict.rule import judge, mean_sd, verdict


def per_seed(**arms: list[float]) -> list[dict[tuple[str, str], float]]:
    """per_seed(a=[...], b=[...]) -> one {(arm, 'val_acc'): value} mapping per seed."""
    n = len(next(iter(arms.values())))
    return [{(arm, "val_acc"): values[i] for arm, values in arms.items()} for i in range(n)]


def test_grammar_precedence_and_refs():
    c = parse_claim("a.val_acc - b.val_acc > 2 * (c.gap + 0.01) - -0.5")
    values = {("a", "val_acc"): 0.9, ("b", "val_acc"): 0.5, ("c", "gap"): 0.04}
    left, right, margin = c.margin(values)
    assert left == pytest.approx(0.4) and right == pytest.approx(2 * 0.05 + 0.5) and margin == pytest.approx(-0.2)
    assert c.refs() == [("a", "val_acc"), ("b", "val_acc"), ("c", "gap")]
    assert parse_claim("a.x < 1e-2").op == "<"
    assert parse_claim("a.x >= b.x").op == ">"


@pytest.mark.parametrize("text", ["", "a.val_acc", "a.val_acc > ", "a.val_acc == b.val_acc", "a > b.val_acc",
                                  "a.val_acc > b.val_acc > c.val_acc", "a.val_acc > b.val_acc)", "a.val_acc > (b.val_acc",
                                  "a.val_acc > b.val_acc; import os", "a.val_acc.real > 0", "a.val_acc > b['x']",
                                  "a.val_acc > b.val_acc ** 2"])
def test_bad_claims_do_not_parse(text):
    with pytest.raises(ClaimSyntaxError):
        parse_claim(text)


def test_check_refs():
    c = parse_claim("a.val_acc > z.val_acc + q.nope")
    problems = check_refs(c, ["a", "b"])
    assert any("unknown arm 'z'" in p for p in problems)
    assert any("unknown arm 'q'" in p for p in problems)
    assert any("unknown metric 'nope'" in p for p in problems)


def test_claim_holds_when_its_lower_bound_clears_one_point():
    c = parse_claim("a.val_acc > b.val_acc")
    j = judge(c, per_seed(a=[0.80, 0.82, 0.81], b=[0.70, 0.71, 0.72]))
    assert j.holds and not j.opposite_holds
    assert j.numbers["margin"]["mean"] == pytest.approx(0.1)
    assert j.numbers["margin"]["per_seed"] == pytest.approx([0.10, 0.11, 0.09])
    assert verdict([j]) == "reproduced"


def test_noisy_margin_is_inconclusive():
    c = parse_claim("a.val_acc > b.val_acc")
    # mean margin +0.02, but seeds disagree by much more
    j = judge(c, per_seed(a=[0.80, 0.70, 0.86], b=[0.74, 0.74, 0.82]))
    assert j.numbers["margin"]["mean"] == pytest.approx(0.02)
    assert not j.holds and not j.opposite_holds
    assert verdict([j]) == "inconclusive"


def test_rule_is_the_lower_bound_against_the_minimum_effect():
    c = parse_claim("a.val_acc > b.val_acc")
    margins = [0.03, 0.05, 0.07]  # mean 0.05, se 0.0115, t(0.95, 2) = 2.92 -> lower bound 0.016 > 0.01: holds
    assert judge(c, per_seed(a=margins, b=[0, 0, 0])).holds
    margins = [0.01, 0.05, 0.09]  # mean 0.05, se 0.0231 -> lower bound -0.017: not shown
    assert not judge(c, per_seed(a=margins, b=[0, 0, 0])).holds


def test_reversed_claim_is_contradicted_not_reproduced():
    good = parse_claim("a.val_acc > b.val_acc")
    reversed_ = parse_claim("b.val_acc > a.val_acc")
    data = per_seed(a=[0.80, 0.82, 0.81], b=[0.70, 0.71, 0.72])
    jr = judge(reversed_, data)
    assert jr.opposite_holds and not jr.holds
    assert verdict([judge(good, data), jr]) == "contradicted"


def test_less_than_and_tolerance():
    c = parse_claim("a.val_acc < b.val_acc + 0.02")  # 'a is not better than b by 2 points or more'
    j = judge(c, per_seed(a=[0.70, 0.70, 0.70], b=[0.70, 0.71, 0.705]))  # margins .02 .03 .025
    assert j.holds


def test_one_seed_never_holds():
    c = parse_claim("a.val_acc > b.val_acc")
    j = judge(c, per_seed(a=[0.9], b=[0.1]))
    assert not j.holds and not j.opposite_holds and math.isnan(j.numbers["margin"]["sd"])


def test_zero_spread_with_positive_margin_holds():
    c = parse_claim("a.images_seen > b.images_seen")
    values = [{("a", "images_seen"): 10.0, ("b", "images_seen"): 5.0}] * 3
    assert judge(c, values).holds


def test_verdict_needs_every_claim():
    c1 = parse_claim("a.val_acc > b.val_acc")
    c2 = parse_claim("a.val_acc > b.val_acc + 0.5")
    data = per_seed(a=[0.80, 0.82, 0.81], b=[0.70, 0.71, 0.72])
    assert verdict([judge(c1, data), judge(c2, data)]) == "contradicted"  # +0.5 is far off: opposite holds
    assert verdict([]) == "inconclusive"


def test_mean_sd():
    assert mean_sd([1.0, 2.0, 3.0]) == (2.0, 1.0)
    assert math.isnan(mean_sd([1.0])[1])


def test_events_round_trip_as_json_lines():
    items = [
        events.LabStarted(lab="x", title="X", profile="quick", device="cpu", seeds=[0, 1], arms={"a": "A"}, epochs={"a": 2}),
        events.EpochEnd(arm="a", seed=0, epoch=1, epochs=2, train_acc=0.5, train_loss=1.0, val_acc=0.4, val_loss=1.2),
        events.ClaimResult(claim=ClaimOutcome(text="a.val_acc > 0", backs=["q1"], numbers={"margin": {"sd": float("nan")}})),
        events.Cancelled(reason="interrupted", result=LabResult(lab="x", status="cancelled", verdict="cancelled")),
    ]
    for e in items:
        line = e.to_json()
        assert "\n" not in line and "NaN" not in line
        back = events.from_json(line)
        assert type(back) is type(e) and back.kind == e.kind
        assert json.loads(line)["event"] == e.kind
    assert events.from_json(items[2].to_json()).claim.backs == ["q1"]  # the typed records come back typed
    assert events.from_json(items[3].to_json()).result.verdict == "cancelled"


# ---------------------------------------------------------------- hostile claims (issue 12)

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from tutor.lab.spec import claims as claims_mod  # noqa: E402
from tutor.lab.spec.lab import SpecError, loads_lab  # noqa: E402


@pytest.mark.parametrize("text", ["(" * 500 + "a.x" + ")" * 500 + " > b.x", "-" * 1000 + "a.x > b.x",
                                  "a.x > " + " + ".join(["b.x"] * 200), "a.x > " + "(" * 21 + "b.x" + ")" * 21])
def test_deep_or_long_claims_are_one_clean_error(text):
    with pytest.raises(ClaimSyntaxError) as info:
        parse_claim(text)
    assert "too" in str(info.value)


def test_claims_within_the_limits_parse():
    depth = claims_mod.MAX_DEPTH
    assert parse_claim("a.x > " + "(" * depth + "b.x" + ")" * depth).refs() == [("a", "x"), ("b", "x")]
    assert parse_claim("-" * depth + "a.x > b.x").op == ">"


def test_rejected_huge_claim_is_echoed_abbreviated():
    lab = (TINY_LAB.replace("CLAIM", "a.val_acc > " + "(" * 500_000 + "b.val_acc"))
    with pytest.raises(SpecError) as info:
        loads_lab(lab, "big.yaml")
    message = str(info.value)
    assert "characters" in message and len(message) < 500 and "\n" not in message


TINY_LAB = """id: t
title: t
summary: t
dataset: {name: digits}
arms: {a: {}, b: {}}
claims: ['CLAIM']
"""

_PIECES = st.sampled_from(["a.val_acc", "b.x", "1", "0.5e-3", ".5", "(", ")", "-", "+", "*", "/", ">", "<", ">=",
                           "==", " ", "name", "a.b.c", "\x1b", "é", "1e999", ";"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.lists(_PIECES, max_size=80).map("".join), st.text(max_size=200)))
def test_fuzz_only_claim_syntax_errors_escape(text):
    try:
        claim = parse_claim(text)
    except ClaimSyntaxError:
        return
    values = {ref: 1.0 for ref in claim.refs()}
    claim.margin(values)  # evaluating a parsed claim never crashes (x/0 is nan)
    str(claim.left), str(claim.right)
