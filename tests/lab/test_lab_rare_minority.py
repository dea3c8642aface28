"""A rare minority (tutor/lab/kinds/imbalance.py `minority_share`): the arm's training images drawn so the pool's
rarest class is a given share of them, fixed by the seed, validation and test untouched; and the minority's own
training recall and train-validation gap (`minority_train_recall`, `minority_gap`)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest
from support.labspec import one_arm_error

from tutor.lab.errors import LabError
from tutor.lab.kinds import KINDS, ArmConfig, imbalance

# a pool of 200 images: 100 of class 0, 40 of class 1 (the rarest), 60 of class 2; every dataset image's label
Y = np.array([0] * 100 + [1] * 40 + [2] * 60 + [0] * 20)  # the last 20 images lie outside the pool
POOL = np.arange(200)


def test_the_rare_draw_gives_the_rarest_class_its_share_and_the_rest_stratified():
    idx = imbalance.rare_draw(POOL, Y, 3, n=50, share=0.1, seed=7)
    assert len(idx) == 50 and len(set(idx.tolist())) == 50 and np.all(np.diff(idx) > 0)
    assert set(idx.tolist()) <= set(POOL.tolist())
    counts = np.bincount(Y[idx], minlength=3)
    assert counts[1] == 5  # 10 % of 50
    assert counts[0] + counts[2] == 45
    assert abs(counts[0] / counts[2] - 100 / 60) < 0.15  # the other classes in proportion to the pool
    assert np.array_equal(idx, imbalance.rare_draw(POOL, Y, 3, n=50, share=0.1, seed=7))  # same seed, same images
    assert not np.array_equal(idx, imbalance.rare_draw(POOL, Y, 3, n=50, share=0.1, seed=8))
    assert np.bincount(Y[imbalance.rare_draw(POOL, Y, 3, n=50, share=0.001, seed=7)], minlength=3)[1] == 1  # >= 1


def test_a_share_the_pool_cannot_give_is_one_clean_line():
    with pytest.raises(LabError, match="asks for 45 images of the rarest class") as info:
        imbalance.rare_draw(POOL, Y, 3, n=150, share=0.3, seed=0)
    assert "\n" not in str(info.value)
    with pytest.raises(LabError, match="no longer fewer than every other class"):
        imbalance.rare_draw(POOL, Y, 3, n=100, share=0.4, seed=0)  # 40 rare against about 37 of class 2
    with pytest.raises(LabError, match="other classes"):
        imbalance.rare_draw(POOL, Y, 3, n=190, share=0.05, seed=0)


def test_the_setting_is_a_share_between_0_and_1_with_a_train_size():
    assert ArmConfig(train_size=600, minority_share=0.03).minority_share == 0.03
    assert ArmConfig().minority_share is None
    for bad in (0, 1, -0.1, 1.5):
        with pytest.raises(ValueError, match="minority_share"):
            ArmConfig(train_size=600, minority_share=bad)
    KINDS.check(ArmConfig(train_size=600, minority_share=0.03))
    with pytest.raises(ValueError, match="minority_share needs train_size"):
        KINDS.check(ArmConfig(minority_share=0.03))
    assert "rarest class 3 % of training images" in ArmConfig(train_size=600, minority_share=0.03).describe()


def test_a_bad_share_in_a_lab_file_is_one_line_at_its_place():
    message = one_arm_error("{train_size: 100, minority_share: 1.5}", "rare.yaml")
    assert "rare.yaml:6" in message and "minority_share" in message and "\n" not in message.strip()


def test_the_minority_gap_reads_in_points_with_a_one_point_minimum_effect():
    from tutor.lab.report.units import fmt_metric, in_points
    from tutor.lab.spec.claims import parse_claim
    from tutor.lab.verdict.rule import min_effect_for

    assert in_points("a.minority_gap > b.minority_gap")
    assert min_effect_for(parse_claim("a.minority_gap > b.minority_gap")) == 0.01
    assert fmt_metric("minority_train_recall", 0.875) == "87.5"
    assert {"minority_train_recall", "minority_gap"} <= set(imbalance.METRICS)


# ---- the engine: tiny runs
torch = pytest.importorskip("torch")


def test_training_recall_and_gap_of_the_minority_are_reported():
    from support.drain import drain
    from tutor.lab.runner.arm import train_arm
    from tutor.lab.training.arm import ArmData, ModelParts, Split

    g = torch.Generator().manual_seed(0)

    def draw(n0, n1):
        x = torch.cat([torch.randn(n0, 8, generator=g), torch.randn(n1, 8, generator=g) + 0.8])
        return Split(x, torch.cat([torch.zeros(n0, dtype=torch.long), torch.ones(n1, dtype=torch.long)]))

    data = ArmData(draw(180, 20), draw(100, 100), draw(100, 100), num_classes=2, mode="head")
    parts = ModelParts(make_backbone=None, feature_dim=8, source_head=None)
    r = drain(train_arm(ArmConfig(epochs=20, lr=0.01, batch_size=32, sampler="balanced"), data, parts, seed=0,
                        device=torch.device("cpu"), arm="a"))[0]
    m = r.metrics
    assert 0.0 <= m["minority_train_recall"] <= 1.0
    assert m["minority_gap"] == pytest.approx(m["minority_train_recall"] - m["minority_recall"])


def _lab(weights: Path) -> str:
    return textwrap.dedent(f"""\
        id: tiny-rare
        title: a rare minority on a tiny run
        summary: digits at 16 px
        dataset: {{name: digits, size: 16, val: 40, test: 40}}
        backbone: {{name: tutornet, weights: {weights}}}
        profiles:
          quick: {{seeds: 1, defaults: {{epochs: 1}}}}
        defaults: {{lr: 0.01, batch_size: 16, train_size: 100}}
        arms:
          core: {{}}
          rare: {{minority_share: 0.03}}
          rare_ft: {{minority_share: 0.03, unfreeze: 1, sampler: balanced}}
        claims:
          - rare.train_images > 0
        """)


def test_the_arm_trains_on_the_rare_draw_and_validation_and_test_stay(tiny_weights):
    from support.labbench import arm_inputs
    from tutor.lab.spec import loads_lab

    _, d, arms = arm_inputs(loads_lab(_lab(tiny_weights), "tiny.yaml"), tiny_weights)
    minority = imbalance.minority_class(d.ds.y[torch.from_numpy(d.ds.splits["train"])], len(d.ds.classes))
    for arm in ("rare", "rare_ft"):
        y = arms[arm].train.y
        assert len(y) == 100 and (y == minority).sum().item() == 3
        assert imbalance.minority_class(y, len(d.ds.classes)) == minority  # the metrics see the same class
        assert torch.equal(arms[arm].val.y, arms["core"].val.y) and torch.equal(arms[arm].test.y, arms["core"].test.y)
    assert torch.equal(arms["rare"].train.y, arms["rare_ft"].train.y)  # same seed and share: the same images
    assert (arms["core"].train.y == minority).sum().item() > 3
