"""Label noise (tutor/lab/kinds/label_noise.py): which labels flip, to what, fixed by the seed; only the training
split changes; the setting's bounds; `noisy_fit` on a tiny run."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest
from support.labspec import one_arm_error

from tutor.lab.kinds import ArmConfig, label_noise
from tutor.lab.kinds.label_noise import noisy_labels

Y = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9] * 10, dtype=np.int64)
IDX = np.arange(100, 200, dtype=np.int64)  # the images' places in the dataset


def test_the_fraction_asked_is_flipped_and_never_to_the_true_class():
    for fraction, expected in ((0.3, 30), (0.25, 25), (0.0, 0), (0.004, 0), (0.005, 1), (0.99, 99)):
        noisy = noisy_labels(Y, IDX, 10, fraction, seed=7)
        flipped = noisy != Y
        assert flipped.sum() == expected
        assert noisy.dtype == Y.dtype and set(noisy.tolist()) <= set(range(10))
    assert noisy_labels(Y, IDX, 10, 0.0, seed=7) is Y  # nothing flipped: the labels themselves


def test_the_input_is_never_changed():
    y = Y.copy()
    noisy_labels(y, IDX, 10, 0.5, seed=1)
    assert np.array_equal(y, Y)


def test_wrong_labels_are_spread_over_the_other_classes():
    y = np.zeros(4000, dtype=np.int64)  # one true class: every flipped image must land on one of the other 9
    noisy = noisy_labels(y, np.arange(4000), 10, 0.9, seed=3)
    counts = np.bincount(noisy[noisy != 0], minlength=10)
    assert counts[0] == 0 and counts[1:].min() > 0.8 * 400 and counts[1:].max() < 1.2 * 400
    two = noisy_labels(np.array([0, 1] * 10), np.arange(20), 2, 0.5, seed=0)
    assert np.array_equal(two[two != np.array([0, 1] * 10)], 1 - np.array([0, 1] * 10)[two != np.array([0, 1] * 10)])


def test_the_seed_fixes_the_flipped_images_and_their_wrong_labels():
    a = noisy_labels(Y, IDX, 10, 0.3, seed=11)
    assert np.array_equal(a, noisy_labels(Y, IDX, 10, 0.3, seed=11))
    assert not np.array_equal(a, noisy_labels(Y, IDX, 10, 0.3, seed=12))


def test_an_image_gets_the_same_fate_in_every_arm_of_a_seed():
    """The draws belong to the image (its index in the dataset), not to the arm: another arm whose training set
    shares images flips them alike when they are flipped in both, and a larger fraction flips a superset."""
    full = noisy_labels(Y, IDX, 10, 0.3, seed=5)
    more = noisy_labels(Y, IDX, 10, 0.5, seed=5)
    assert np.all((full != Y) <= (more != Y))
    both = full != Y
    assert np.array_equal(full[both], more[both])
    part = slice(0, 60)  # a smaller training set of the same seed: its flipped images keep the same wrong labels
    sub = noisy_labels(Y[part], IDX[part], 10, 0.3, seed=5)
    common = (sub != Y[part]) & both[part]
    assert common.any() and np.array_equal(sub[common], full[part][common])


def test_the_setting_has_bounds_and_a_description():
    assert ArmConfig(label_noise=0.3).describe() == "pretrained backbone, frozen, 30 % of training labels wrong"
    assert ArmConfig().label_noise == 0.0
    for bad in (-0.1, 1.0, 1.5):
        with pytest.raises(ValueError, match="label_noise"):
            ArmConfig(label_noise=bad)
    assert "noisy_fit" in label_noise.METRICS


def test_an_out_of_range_value_is_one_line_at_its_place_in_the_lab_file():
    message = one_arm_error("{label_noise: 1.2}", "noisy.yaml")
    assert "noisy.yaml:6" in message and "label_noise" in message and "\n" not in message.strip()


def test_prototypes_refuse_label_noise():
    from tutor.lab.kinds import KINDS

    KINDS.check(ArmConfig(label_noise=0.2))
    with pytest.raises(ValueError, match="label_noise needs an arm that trains"):
        KINDS.check(ArmConfig(method="prototype", label_noise=0.2))


# ---- the engine: the arm's data on a tiny run
torch = pytest.importorskip("torch")


def _lab(weights: Path) -> str:
    return textwrap.dedent(f"""\
        id: tiny-noise
        title: label noise on a tiny run
        summary: digits at 16 px
        dataset: {{name: digits, size: 16, val: 40, test: 40}}
        backbone: {{name: tutornet, weights: {weights}}}
        profiles:
          quick: {{seeds: 2, defaults: {{epochs: 2}}}}
        defaults: {{lr: 0.01, batch_size: 16, per_class: 4}}
        arms:
          clean: {{}}
          noisy: {{label_noise: 0.5}}
          noisy_ft: {{label_noise: 0.5, unfreeze: 1, augment: [{{shift: 1}}]}}
        claims:
          - noisy.train_images > 0
        """)


def _inputs(weights: Path, arm: str, seed: int):
    from support.labbench import arm_inputs

    from tutor.lab.spec import loads_lab

    _, d, inputs = arm_inputs(loads_lab(_lab(weights), "tiny.yaml"), weights, seed)  # checks d's labels stay
    return d, inputs[arm]


def test_only_the_training_labels_change_and_every_training_split_holds_them(tiny_weights):
    d, clean = _inputs(tiny_weights, "clean", 0)
    _, noisy = _inputs(tiny_weights, "noisy", 0)
    assert clean.train_drawn is None
    assert torch.equal(noisy.train_drawn, clean.train.y)  # same seed: same images drawn
    assert (noisy.train.y != clean.train.y).sum().item() == 20  # half of 40
    assert torch.equal(noisy.val.y, clean.val.y) and torch.equal(noisy.test.y, clean.test.y)
    _, ft = _inputs(tiny_weights, "noisy_ft", 0)  # augmented, top stage trained: evaluation on cached activations
    assert torch.equal(ft.train.y, noisy.train.y)  # the same seed: the same wrong labels in another arm
    assert torch.equal(ft.eval_train.y, noisy.train.y)
    assert torch.equal(ft.eval_val.y, clean.val.y) and torch.equal(ft.eval_test.y, clean.test.y)
    _, other = _inputs(tiny_weights, "noisy", 1)
    assert not torch.equal(other.train.y, noisy.train.y)


def test_noisy_fit_is_reported_for_noisy_arms_only(tiny_weights):
    from tutor.lab.runner import run_lab
    from tutor.lab.spec import loads_lab

    lab = loads_lab(_lab(tiny_weights), "tiny.yaml")
    final = list(run_lab(lab, arms=["clean", "noisy"], write=False))[-1]
    arms = final.result.arms
    assert "noisy_fit" not in arms["clean"]
    fit = arms["noisy"]["noisy_fit"]
    assert len(fit.per_seed) == 2 and all(0.0 <= v <= 1.0 for v in fit.per_seed)
