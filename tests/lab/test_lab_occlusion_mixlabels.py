"""Two settings that let the digits lab test its augmentation questions (issue 21): `mix_labels: hard` (mixup /
cutmix keep the first image's one-hot label, the ablation of mixing the labels) and `occlude` (the final model
also scored on validation and test images with a fixed box hidden: `occluded_val_acc`, `occluded_test_acc`)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest
from support.labspec import one_arm_error

from tutor.lab.kinds import KINDS, ArmConfig
from tutor.lab.kinds.occlusion import METRICS, occlusion_boxes
from tutor.lab.spec.metrics import metric_help


def _cfg(**settings) -> ArmConfig:
    cfg = ArmConfig.model_validate(settings)
    KINDS.check(cfg)
    return cfg


# ---- the settings in the lab file

def test_mix_labels_is_typed_and_needs_a_batch_mixer():
    assert _cfg(augment=["mixup"]).mix_labels is None  # not set: soft, as mixup defines it
    assert _cfg(augment=["cutmix"], mix_labels="hard").mix_labels == "hard"
    assert "first image's label" in _cfg(augment=["mixup"], mix_labels="hard").describe()
    with pytest.raises(ValueError, match="mix_labels"):
        ArmConfig.model_validate({"augment": ["mixup"], "mix_labels": "first"})
    for settings in ({"mix_labels": "hard"}, {"augment": ["hflip", "cutout"], "mix_labels": "soft"}):
        with pytest.raises(ValueError, match="needs mixup or cutmix"):
            _cfg(**settings)


def test_a_mix_labels_without_a_mixer_is_one_line_at_its_place_in_the_lab_file():
    message = one_arm_error("{augment: [hflip], mix_labels: hard}", "mix.yaml")
    assert "mix.yaml" in message and "mix_labels" in message and "\n" not in message.strip()


def test_occlude_is_an_area_share_that_puts_the_arm_on_images():
    cfg = _cfg(occlude=0.25)
    assert KINDS.needs_images(cfg) and not KINDS.needs_images(_cfg())
    assert "25 % of each image hidden" in cfg.describe()
    for bad in (0, 1.0, -0.1, 1.5):
        with pytest.raises(ValueError, match="occlude"):
            ArmConfig.model_validate({"occlude": bad})
    with pytest.raises(ValueError, match="prototype classifies frozen features"):  # it needs the images
        _cfg(method="prototype", occlude=0.25)
    assert set(METRICS) <= set(metric_help())
    message = one_arm_error("{occlude: 2}", "occ.yaml")
    assert "occ.yaml:6" in message and "occlude" in message and "\n" not in message.strip()


def test_the_extra_evaluation_is_priced_only_where_asked():
    from tutor.lab import cost
    from tutor.lab.spec import loads_lab

    lab = loads_lab(textwrap.dedent("""\
        id: occ
        title: t
        summary: s
        dataset: {name: digits, size: 32, val: 150}
        defaults: {backbone: random, unfreeze: all, per_class: 5, epochs: 4, augment: [{shift: 1}]}
        arms:
          plain: {}
          hidden: {occlude: 0.25}
        claims:
          - hidden.train_images > 0
        """), "occ.yaml")
    seconds = cost.arm_seconds(lab, "quick")
    assert seconds["plain"] < seconds["hidden"] < 1.5 * seconds["plain"]


# ---- the boxes: fixed per split and image, the share asked for

def test_boxes_belong_to_the_split_and_the_image_not_to_how_many_are_asked():
    many = occlusion_boxes(500, 32, 32, 0.25, "test")
    assert np.array_equal(occlusion_boxes(150, 32, 32, 0.25, "test"), many[:150])
    assert np.array_equal(occlusion_boxes(500, 32, 32, 0.25, "test"), many)  # no seed, no arm: always the same
    assert not np.array_equal(occlusion_boxes(150, 32, 32, 0.25, "val"), many[:150])
    top, left, bh, bw = many.T
    assert (top >= 0).all() and (left >= 0).all() and (top + bh <= 32).all() and (left + bw <= 32).all()
    share = bh * bw / (32 * 32)
    assert np.abs(share - 0.25).max() < 0.03  # whole rows and columns: within a few pixels of the share
    ratios = bh / bw
    assert ratios.min() < 0.7 and ratios.max() > 1.4 and ratios.min() >= 0.45 and ratios.max() <= 2.2
    assert len(set(map(tuple, many[:, :2]))) > 100  # anywhere in the image


torch = pytest.importorskip("torch")


def test_occluded_images_hide_their_box_at_the_image_mean_and_nothing_else():
    from tutor.lab.kinds.occlusion import occlude_images

    torch.manual_seed(0)
    x = torch.rand(40, 1, 32, 32)
    out = occlude_images(x, 0.25, "val")
    assert torch.equal(occlude_images(x, 0.25, "val"), out) and torch.equal(x, x.clone())
    boxes = occlusion_boxes(40, 32, 32, 0.25, "val")
    for i, (top, left, bh, bw) in enumerate(boxes):
        inside = torch.zeros(32, 32, dtype=torch.bool)
        inside[top:top + bh, left:left + bw] = True
        assert torch.allclose(out[i, 0][inside], x[i].mean().expand(int(inside.sum())))
        assert torch.equal(out[i, 0][~inside], x[i, 0][~inside])


# ---- hard labels: the same mixed images, the first image's label

@pytest.mark.parametrize("name", ["mixup", "cutmix"])
def test_hard_labels_mix_the_images_alike_and_keep_the_labels(name):
    from tutor.lab.kinds import augmentation

    x = torch.cat([torch.zeros(4, 1, 16, 16), torch.ones(4, 1, 16, 16)])
    y = torch.tensor([0, 0, 0, 0, 2, 2, 2, 2])
    torch.manual_seed(3)
    xs, ys = augmentation.make_batch_mix(_cfg(augment=[name]), num_classes=3)(x, y)
    torch.manual_seed(3)
    xh, yh = augmentation.make_batch_mix(_cfg(augment=[name], mix_labels="hard"), num_classes=3)(x, y)
    assert torch.equal(xh, xs)  # the images are mixed exactly as with soft labels
    assert torch.equal(yh, y)  # each keeps its own (the first image's) one-hot label, as an index
    # the first image of pair i is image i: its share of the soft label is the largest it can be given alone
    first = ys[torch.arange(8), y]
    assert bool((first > 0).all()) and bool((first < 1).any())


def _lab(weights: Path) -> str:
    return textwrap.dedent(f"""\
        id: tiny-occlusion
        title: occlusion and hard labels on a tiny run
        summary: digits at 16 px
        dataset: {{name: digits, size: 16, val: 40, test: 40}}
        backbone: {{name: tutornet, weights: {weights}}}
        profiles:
          quick: {{seeds: 2, defaults: {{epochs: 2}}}}
        defaults: {{lr: 0.01, batch_size: 16, per_class: 4}}
        arms:
          frozen: {{}}
          hidden: {{occlude: 0.3}}
          hidden_top: {{occlude: 0.3, unfreeze: 1, augment: [{{mixup: 1.0}}], mix_labels: hard}}
        claims:
          - hidden.occluded_test_acc < hidden.test_acc + 1
        """)


def test_occluded_accuracies_are_reported_where_asked_and_hard_mixing_trains(tiny_weights):
    from tutor.lab.runner import run_lab
    from tutor.lab.spec import loads_lab

    lab = loads_lab(_lab(tiny_weights), "tiny.yaml")
    final = list(run_lab(lab, write=False))[-1]
    arms = final.result.arms
    assert "occluded_val_acc" not in arms["frozen"] and "occluded_test_acc" not in arms["frozen"]
    for arm in ("hidden", "hidden_top"):
        for metric in ("occluded_val_acc", "occluded_test_acc"):
            values = arms[arm][metric].per_seed
            assert len(values) == 2 and all(0.0 <= v <= 1.0 for v in values)
