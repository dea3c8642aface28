"""Plain networks from scratch: initialisation schemes, per-layer probes, distinct units, clipping, divergence."""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")

from tutor.lab.kinds import ArmConfig  # noqa: E402
from tutor.lab.kinds import plain as probes  # noqa: E402
from tutor.lab.kinds import stability
from tutor.lab.models import plainnet  # noqa: E402
from tutor.lab.runner.arm import train_arm  # noqa: E402
from tutor.lab.training import arm as train  # noqa: E402
from support.drain import drain  # noqa: E402


def _net(init: str, activation: str = "relu", depth: int = 8, width: int = 128, norm: str = "none", seed: int = 0):
    torch.manual_seed(seed)
    cfg = ArmConfig(model="plain", depth=depth, width=width, init=init, activation=activation, norm=norm)
    return plainnet.build(cfg, 64, 10)


def _batch(n: int = 256, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, 1, 8, 8, generator=g), torch.randint(0, 10, (n,), generator=g)


def test_constant_init_gives_identical_units_that_stay_identical():
    net = _net("constant", activation="tanh", depth=4, width=16)
    assert [plainnet.distinct_units(b.linear.weight, b.linear.bias) for b in net.blocks] == [1, 1, 1, 1]
    x, y = _batch(64)
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    for _ in range(5):  # the units get identical gradients: symmetry is never broken
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(x), y).backward()
        opt.step()
    assert plainnet.mean_distinct_units(net) == 1.0
    assert plainnet.mean_distinct_units(_net("kaiming", width=16)) == 16.0


def test_distinct_units_counts_rows_within_tolerance():
    w = torch.tensor([[1.0, 2.0], [1.0, 2.0 + 1e-6], [0.0, 1.0], [float("nan"), 0.0]])
    assert plainnet.distinct_units(w[:3]) == 2
    assert plainnet.distinct_units(w[:3], torch.tensor([0.0, 0.0, 5.0])) == 2
    assert plainnet.distinct_units(w) == 0  # a diverged layer has no meaningful units


def test_signal_scale_per_scheme():
    x, y = _batch()
    ratio = {name: probes.log_ratio(probes.layer_stats(_net(init, act), x, y)["act_std"])
             for name, init, act in [("kaiming", "kaiming", "relu"), ("xavier_relu", "xavier", "relu"),
                                     ("tiny", "normal_tiny", "relu"), ("orthogonal", "orthogonal", "relu"),
                                     ("xavier_tanh", "xavier", "tanh")]}
    assert abs(ratio["kaiming"]) < 0.5  # He keeps the activation std roughly constant under ReLU
    assert abs(ratio["orthogonal"]) < 0.5
    assert ratio["xavier_relu"] < ratio["kaiming"] - 0.6  # 7 square layers x log10(sqrt 1/2) = -1.05
    assert ratio["tiny"] < -5  # N(0, 0.01^2): about x0.08 per layer at width 128
    assert -1.0 < ratio["xavier_tanh"] < 0.1


def test_init_schemes_match_their_formulas():
    net = _net("orthogonal", width=32)
    w = net.blocks[1].linear.weight  # 32 x 32
    assert torch.allclose(w @ w.T, 2.0 * torch.eye(32), atol=1e-4)  # gain sqrt 2 for ReLU
    assert float(_net("normal_tiny", width=256).blocks[2].linear.weight.detach().std()) == pytest.approx(0.01, rel=0.05)
    assert float(_net("kaiming", width=256).blocks[2].linear.weight.detach().std()) == pytest.approx(math.sqrt(2 / 256), rel=0.05)
    assert float(_net("xavier", width=256).blocks[2].linear.weight.detach().std()) == pytest.approx(math.sqrt(1 / 256), rel=0.05)
    assert all(float(b.linear.bias.detach().abs().max()) == 0.0 for b in _net("kaiming").blocks)
    with pytest.raises(ValueError):
        plainnet.initialise(_net("default"), "zeros")


def test_probe_reports_every_layer_and_leaves_the_model_alone():
    net = _net("kaiming", depth=5, width=16, norm="batch")
    before = {k: v.clone() for k, v in net.state_dict().items()}
    x, y = _batch(32)
    stats = probes.layer_stats(net, x, y)
    assert len(stats["act_std"]) == len(stats["grad_norm"]) == 5
    assert all(v > 0 for v in stats["act_std"] + stats["grad_norm"])
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())  # BN running stats untouched
    assert all(p.grad is None for p in net.parameters())
    assert probes.log_ratio([1.0, 0.1, 0.001]) == pytest.approx(-3)
    assert probes.log_ratio([1.0, float("nan")]) == 0.0


def test_norm_layers_work_with_a_batch_of_two():
    x, y = _batch(2)
    for norm in ("batch", "layer", "group"):
        net = _net("kaiming", depth=3, width=16, norm=norm)
        assert net(x).shape == (2, 10)


def test_stability_helpers():
    assert stability.capped(float("nan")) == stability.LOSS_CAP == stability.capped(float("inf"))
    assert stability.capped(1.5) == 1.5
    assert stability.max_rise([2.0] * 10 + [1.0] * 10 + [3.0] * 10) == pytest.approx(2.0)
    assert stability.max_rise([3.0, 2.0, 1.0] * 1, window=1) == 0.0
    assert stability.max_rise([1.0, float("nan")], window=1) == pytest.approx(99.0)
    assert stability.epochs_to_target([0.5, 0.91, 0.95], 0.9, 3) == 2.0
    assert stability.epochs_to_target([0.5, 0.6], 0.9, 2) == 3.0


def _run(poison: bool = False, **settings):
    g = torch.Generator().manual_seed(1)
    x = torch.rand(96, 1, 8, 8, generator=g)
    if poison:  # one infinite pixel in a training image: the first batch that holds it gives a NaN loss
        x[40, 0, 3, 3] = float("inf")
    y = torch.randint(0, 4, (96,), generator=g)
    split = train.Split(x[:64], y[:64])
    data = train.ArmData(split, train.Split(x[64:80], y[64:80]), train.Split(x[80:], y[80:]), 4)
    cfg = ArmConfig.model_validate({"model": "plain", "depth": 4, "width": 16, "init": "kaiming", "optimizer": "sgd",
                                    "batch_size": 16, "epochs": 3, **settings})
    parts = train.ModelParts(make_backbone=None, feature_dim=0, source_head=None, image_size=8)
    return drain(train_arm(cfg, data, parts, seed=0, device=torch.device("cpu"), arm="a"))


def test_plain_arm_reports_probe_and_stability_metrics():
    res, epochs = _run(target_acc=0.01)
    assert len(epochs) == 3
    m = res.metrics
    assert m["diverged"] == 0.0 and m["clipped_frac"] == 0.0 and m["epochs_to_target"] == 1.0
    assert m["distinct_units"] == 16.0 and math.isfinite(m["act_log_ratio"]) and math.isfinite(m["final_loss"])
    assert len(res.history["layer_act_init"]) == 4 and len(res.history["layer_grad_epoch1"]) == 4
    assert len(res.history["batch_loss"]) == 3


def test_gradient_clipping_is_applied():
    res, _ = _run(clip_grad=1e-6)  # every gradient is longer than this
    assert res.metrics["clipped_frac"] == 1.0
    res, _ = _run(clip_grad=1e6)
    assert res.metrics["clipped_frac"] == 0.0


def test_a_diverging_run_is_recorded_not_raised():
    res, epochs = _run(poison=True, epochs=4)
    m = res.metrics
    assert m["diverged"] == 1.0
    assert m["final_loss"] == m["max_loss_spike"] == m["train_loss"] == stability.LOSS_CAP
    assert len(epochs) == 4  # the remaining epochs are still reported (progress stays whole)
    assert all(math.isfinite(v) for v in res.history["batch_loss"])


def test_defaults_keep_backbone_arms_unchanged():
    cfg = ArmConfig()
    assert cfg.model == "backbone" and cfg.clip_grad is None and cfg.target_acc is None
    with pytest.raises(Exception):
        ArmConfig.model_validate({"init": "zeros"})


def test_a_plain_lab_runs_end_to_end_with_its_plots(tmp_path):
    from tutor.lab.runner import run_lab
    from tutor.lab.spec import loads_lab

    lab = loads_lab("""
id: tiny-plain
title: Tiny plain lab
summary: two plain nets on digits at 8 px
dataset: {name: digits, size: 8, val: 60, test: 60}
profiles: {quick: {seeds: 2}}
defaults: {model: plain, depth: 3, width: 8, epochs: 2, optimizer: sgd, lr: 0.05, batch_size: 64, per_class: 5}
arms:
  he: {init: kaiming, target_acc: 0.5}
  clipped: {init: constant, activation: tanh, clip_grad: 0.5}
claims:
  - clipped.distinct_units < he.distinct_units
""", "tiny-plain.yaml")
    final = list(run_lab(lab, out=tmp_path))[-1]
    assert final.kind == "lab_finished"
    arms = final.result.to_json()["arms"]
    assert arms["clipped"]["distinct_units"]["mean"] == 1.0 and arms["he"]["distinct_units"]["mean"] == 8.0
    assert "epochs_to_target" in arms["he"] and "clipped_frac" in arms["clipped"]
    assert final.result.to_json()["claims"][0]["holds"]
    assert (tmp_path / "layers.png").exists() and (tmp_path / "loss.png").exists()
