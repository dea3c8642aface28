"""Classification heads (tutor/lab/models/heads.py Head/make_head): batch norm in the head (`head_norm`)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from tutor.lab.kinds import ArmConfig  # noqa: E402
from tutor.lab.models.heads import make_head  # noqa: E402


def _bns(head):
    return [m for m in head.modules() if isinstance(m, torch.nn.BatchNorm1d)]


def test_head_norm_puts_batch_norm_before_each_hidden_activation():
    head = make_head(ArmConfig(hidden=[32, 16], head_norm=True, dropout=0.2), 8, 3, None, None)
    kinds = [type(m).__name__ for m in head.body]
    assert kinds == ["Dropout", "Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear", "BatchNorm1d", "ReLU", "Dropout"]
    assert [bn.num_features for bn in _bns(head)] == [32, 16]
    assert head(torch.randn(5, 8)).shape == (5, 3)


def test_head_norm_without_hidden_layers_normalises_the_features():
    head = make_head(ArmConfig(head_norm=True), 8, 3, None, None)
    assert [bn.num_features for bn in _bns(head)] == [8]
    head.train()
    x = torch.randn(16, 8) * 5 + 3
    feats = head.body(x)  # batch statistics while training: zero mean, unit variance per feature
    assert torch.allclose(feats.mean(0), torch.zeros(8), atol=1e-5)


def test_head_norm_is_off_by_default():
    assert not _bns(make_head(ArmConfig(hidden=[16]), 8, 3, None, None))
    assert "batch norm in the head" in ArmConfig(head_norm=True).describe()


# ---------------------------------------------------------------- pool: avg | flatten, and the params metric


def test_flatten_features_are_the_last_map_before_pooling():
    from tutor.lab.data import features
    from tutor.lab.models import backbones

    torch.manual_seed(0)
    net = backbones.build_tutornet()
    x = torch.rand(3, 1, 64, 64)
    flat = features.extract(net, x, torch.device("cpu"), pool="flatten")
    avg = features.extract(net, x, torch.device("cpu"))
    assert flat.shape == (3, net.feature_dim * 4 * 4)  # 128 x 4 x 4 at 64 px
    assert avg.shape == (3, net.feature_dim)
    # channel-major flattening: averaging each channel's 16 positions gives back the pooled features
    assert torch.allclose(torch.from_numpy(flat).view(3, net.feature_dim, 16).mean(2), torch.from_numpy(avg), atol=1e-5)


def test_cached_features_are_keyed_by_pool_mode():
    from tutor import paths
    from tutor.lab.data import features
    from tutor.lab.models import backbones

    torch.manual_seed(0)
    net = backbones.build_tutornet()
    x = torch.rand(4, 1, 32, 32)
    key = {"dataset": "t", "size": 32, "options": {}}
    avg, hit_a, _ = features.cached_features(net, x, device=torch.device("cpu"), key=key)
    flat, hit_f, _ = features.cached_features(net, x, device=torch.device("cpu"), key=key, pool="flatten")
    assert not hit_a and not hit_f and avg.shape == (4, 128) and flat.shape == (4, 128 * 2 * 2)
    again, hit, _ = features.cached_features(net, x, device=torch.device("cpu"), key=key, pool="flatten")
    assert hit and again.shape == flat.shape
    assert len(list((paths.cache_dir() / "features").glob("*.npz"))) == 2


def test_flatten_needs_a_frozen_backbone():
    from tutor.lab.spec import SpecError, loads_lab

    text = """\
id: t
title: t
summary: t
dataset: {name: digits}
arms:
  a: {pool: flatten, unfreeze: 1}
claims: [a.val_acc > 0]
"""
    with pytest.raises(SpecError, match="pool: flatten"):
        loads_lab(text, "t.yaml")
    assert "flattened feature map" in ArmConfig(pool="flatten").describe()


def test_params_counts_what_the_optimiser_trains():
    from tutor.lab.training.arm import count_params

    linear = make_head(ArmConfig(), 2048, 40, None, None)
    assert count_params(list(linear.parameters())) == 2048 * 40 + 40
    hidden = make_head(ArmConfig(hidden=[64], head_norm=True), 128, 40, None, None)
    # 128x64 + 64, batch norm scale and shift 2 x 64, then 64x40 + 40; buffers (mean, std, running stats) excluded
    assert count_params(list(hidden.parameters())) == 128 * 64 + 64 + 2 * 64 + 64 * 40 + 40
    shared = list(linear.parameters())
    assert count_params(shared + shared) == count_params(shared)  # each parameter once


def test_params_plot_puts_each_arm_at_its_parameter_count(tmp_path):
    from tutor.lab.kinds.heads import plot as write_params_plot
    from tutor.lab.report.plots import _plt
    from tutor.lab.result import LabResult

    def arm(p, tr, va):
        return {"params": {"mean": p, "sd": 0.0}, "train_acc": {"mean": tr, "sd": 0.0}, "val_acc": {"mean": va, "sd": 0.01}}

    result = {"lab": "t", "title": "t", "seeds": [0, 1, 2], "show": ["params"],
              "arms": {"gap": arm(5160, 1.0, 0.93), "flat": arm(81960, 1.0, 0.8), "big": arm(1.2e6, 1.0, 0.92),
                       "big_bn": arm(1.2e6, 1.0, 0.94)}}
    files = write_params_plot(LabResult.model_validate(result), tmp_path, _plt())
    assert files == [tmp_path / "params.png"] and files[0].stat().st_size > 5000
    assert write_params_plot(LabResult.model_validate({**result, "show": []}), tmp_path, _plt()) == []


def test_a_flatten_arm_runs_end_to_end_and_reports_params(tmp_path, tiny_weights):
    """run_lab sizes a flatten arm's head from its cached feature maps (128 x 2 x 2 at 32 px)."""
    import textwrap

    from tutor.lab.runner import run_lab
    from tutor.lab.spec import loads_lab

    weights = tiny_weights
    lab = loads_lab(textwrap.dedent(f"""\
        id: tiny-heads
        title: t
        summary: t
        dataset: {{name: digits, size: 32, val: 40, test: 40}}
        backbone: {{name: tutornet, weights: {weights}}}
        show: [params]
        profiles: {{quick: {{seeds: 2, defaults: {{epochs: 1}}}}}}
        defaults: {{per_class: 2, batch_size: 8}}
        arms:
          gap: {{}}
          flat: {{pool: flatten, head_norm: true}}
        claims: [gap.params < flat.params]
        """), "tiny-heads.yaml")
    final = list(run_lab(lab, out=tmp_path / "run"))[-1]
    arms = final.result.to_json()["arms"]
    assert arms["gap"]["params"]["mean"] == 128 * 10 + 10
    assert arms["flat"]["params"]["mean"] == 512 * 10 + 10 + 2 * 512  # linear layer + batch norm on 512 features
    assert final.result.to_json()["claims"][0]["holds"]
    assert (tmp_path / "run" / "params.png").exists()
