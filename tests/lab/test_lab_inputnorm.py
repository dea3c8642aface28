"""Overriding a backbone's input normalisation (tutor/lab/kinds/input_norm.py, the `normalize` arm setting)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from tutor.lab.kinds import ArmConfig  # noqa: E402
from tutor.lab.kinds import input_norm as inputnorm  # noqa: E402
from tutor.lab.models.backbones import IMAGENET_MEAN, build_tutornet  # noqa: E402


def test_default_leaves_the_backbone_alone():
    net = build_tutornet(mean=(0.1,), std=(0.2,))
    assert inputnorm.apply(net, "pretrained") is net
    assert inputnorm.tag("pretrained") is None and inputnorm.tag(None) is None


def test_overrides_change_normalize_only_in_a_copy():
    net = build_tutornet(mean=(0.1,), std=(0.2,))
    x = torch.full((1, 1, 4, 4), 0.5)
    raw = inputnorm.apply(net, "none")
    assert torch.allclose(raw.normalize(x), x)
    assert torch.allclose(net.normalize(x), (x - 0.1) / 0.2)  # the original is untouched
    imnet = inputnorm.apply(net, "imagenet")
    assert imnet.mean == pytest.approx((sum(IMAGENET_MEAN) / 3,))
    custom = inputnorm.apply(net, ArmConfig.model_validate({"normalize": {"mean": [0.5], "std": [0.25]}}).normalize)
    assert torch.allclose(custom.normalize(x), torch.zeros_like(x))
    assert inputnorm.tag({"mean": [0.5], "std": [0.25]}) == {"mean": [0.5], "std": [0.25]}
    for a, b in zip(net.state_dict().values(), raw.state_dict().values()):
        assert torch.equal(a, b)  # same weights: only the input statistics differ


def test_three_channel_stats_and_validation():
    assert inputnorm.stats("imagenet", 3, (0.0,) * 3, (1.0,) * 3)[0] == IMAGENET_MEAN
    assert inputnorm.stats({"mean": [0.2], "std": [0.5]}, 3, (0,), (1,)) == ((0.2,) * 3, (0.5,) * 3)
    with pytest.raises(ValueError):
        inputnorm.stats({"mean": [0.1, 0.2], "std": [0.5]}, 3, (0,), (1,))
    with pytest.raises(Exception):
        ArmConfig.model_validate({"normalize": {"mean": [0.1], "std": [0.0]}})
    with pytest.raises(Exception):
        ArmConfig.model_validate({"normalize": "inverted"})
