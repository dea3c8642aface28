"""The verdict rule, checked by simulation through the real judging code (tutor.lab.verdict).

Margins are drawn per seed from a normal distribution with a known true effect, fed to `judge` /
`judge_all` as per-seed arm metrics, and the rates compared with what the rule promises: at most 5 % false
passes when the true effect equals the minimum effect, power that grows with the number of seeds, and at
most 5 % "contradicted" for a lab of 16 null claims (Holm).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from tutor.lab.spec.claims import parse_claim
from tutor.lab.verdict import (
    ALPHA,
    clearance,
    judge,
    judge_all,
    min_effect_for,
    verdict,
)

CLAIM = parse_claim("a.val_acc > b.val_acc")


def _seeds(margins, base=0.7):
    return [{("a", "val_acc"): base + d, ("b", "val_acc"): base} for d in margins]


def _pass_rate(effect, sd, n, sims=1500, seed=0):
    rng = np.random.default_rng(seed)
    return sum(judge(CLAIM, _seeds(rng.normal(effect, sd, n))).holds for _ in range(sims)) / sims


@pytest.mark.parametrize("n", [3, 5, 10])
def test_false_pass_rate_is_at_most_five_percent(n):
    # no effect at all: almost never passes; an effect exactly at the 1-point minimum: about 5 %
    assert _pass_rate(0.0, 0.02, n) <= 0.02
    assert _pass_rate(0.01, 0.02, n) <= ALPHA + 0.02


def test_power_grows_with_seeds():
    """A real 3-point effect with 2 points of seed noise: more seeds make it easier to show, never harder."""
    powers = [_pass_rate(0.03, 0.02, n) for n in (3, 5, 10)]
    assert powers[0] < powers[1] < powers[2]
    assert powers[2] > 0.8


def test_sixteen_null_claims_rarely_contradict():
    rng = np.random.default_rng(1)
    claims = [parse_claim(f"a{i}.val_acc > b{i}.val_acc") for i in range(16)]
    contradicted = 0
    sims = 400
    for _ in range(sims):
        per_seed = [{} for _ in range(3)]
        for i in range(16):
            for s, d in enumerate(rng.normal(0.0, 0.02, 3)):
                per_seed[s][(f"a{i}", "val_acc")] = 0.7 + d
                per_seed[s][(f"b{i}", "val_acc")] = 0.7
        contradicted += verdict(judge_all(claims, per_seed)) == "contradicted"
    assert contradicted / sims <= ALPHA


def test_one_image_effect_is_not_taught():
    """A consistent half-point difference (one validation image) with almost no spread does not hold."""
    j = judge(CLAIM, _seeds([0.005, 0.0051, 0.0049, 0.005, 0.005]))
    assert not j.holds and not j.opposite_holds
    assert j.numbers["min_effect"] == 0.01


def test_stated_tolerance_replaces_the_default_minimum_effect():
    assert min_effect_for(parse_claim("a.val_acc > b.val_acc - 0.02")) == 0.0
    assert min_effect_for(parse_claim("a.val_acc > b.val_acc")) == 0.01
    assert min_effect_for(parse_claim("a.act_log_ratio < b.act_log_ratio")) == 0.1
    assert min_effect_for(parse_claim("a.params < b.params")) == 0.0


def test_numbers_report_bound_and_effect():
    j = judge(CLAIM, _seeds([0.05, 0.04, 0.06]))
    m = j.numbers["margin"]
    assert j.holds
    assert m["lower"] < m["mean"] < m["upper"]
    assert j.numbers["needed"] == j.numbers["min_effect"] == 0.01
    assert clearance(j) > 0


def test_one_seed_never_holds_and_missing_arms_are_skipped():
    assert not judge(CLAIM, _seeds([0.3])).holds
    j = judge(CLAIM, _seeds([0.05, 0.04]) + [{("a", "val_acc"): 0.9}])
    assert j.numbers["seeds"] == 2


def test_zero_spread_decides_on_the_mean():
    exact = judge(parse_claim("a.params < b.params / 10"), [{("a", "params"): 5.0, ("b", "params"): 100.0}] * 3)
    assert exact.holds and math.isinf(clearance(exact))


def test_holm_needs_more_than_one_lucky_claim():
    """Two claims whose opposites are each significant at 5 % but not at 2.5 %: only the smaller p survives."""
    claims = [parse_claim("a.val_acc > b.val_acc"), parse_claim("c.val_acc > d.val_acc")]
    per_seed = []
    for da, dc in zip([-0.05, -0.03, -0.045], [-0.2, -0.21, -0.19]):
        per_seed.append({("a", "val_acc"): 0.7 + da, ("b", "val_acc"): 0.7, ("c", "val_acc"): 0.7 + dc, ("d", "val_acc"): 0.7})
    js = judge_all(claims, per_seed)
    assert js[1].opposite_holds
    assert verdict(js) == "contradicted"


def test_seeds_to_show_says_how_many_seeds_a_margin_needs():
    from tutor.lab.verdict.rule import seeds_to_show

    assert seeds_to_show(0.024, 0.043, 0.01) > 8  # base 5555's over-augmentation miss: more seeds would show it
    n = seeds_to_show(0.024, 0.043, 0.01)
    t = stats.t.ppf(0.95, n - 1)
    assert 0.024 - t * 0.043 / n ** 0.5 > 0.01 > 0.024 - stats.t.ppf(0.95, n - 2) * 0.043 / (n - 1) ** 0.5
    assert seeds_to_show(0.005, 0.01, 0.01) is None  # the mean itself is below the effect: no count helps
    assert seeds_to_show(0.05, 0.0, 0.01) == 2
