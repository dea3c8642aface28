"""Scale-free sparsity, early stopping's regret against the whole trajectory, and epochs to a training-accuracy
target (tutor/lab/kinds/penalties.py, stability.py): the metrics the regularisation lab's L1-vs-L2,
early-stopping and batch-norm-speed claims read."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
from torch import nn

from tutor.lab.kinds import ArmConfig, penalties, stability
from tutor.lab.spec.arm import merged_arm as _merged_arm
from tutor.lab.verdict.rule import _metric_effect
from support.drain import drain


def _run(cfg: ArmConfig, data, parts):
    from tutor.lab.runner.arm import train_arm

    result, events = drain(train_arm(cfg, data, parts, seed=0, device=torch.device("cpu"), arm="a"))
    return result, len(events)


def _head_data(noisy_val: bool):
    from tutor.lab.training import arm as train

    torch.manual_seed(0)
    x, xv = torch.randn(64, 8), torch.randn(40, 8)
    y, yv = (x[:, 0] > 0).long(), (xv[:, 0] > 0).long()
    val_y = torch.randint(0, 2, (40,)) if noisy_val else yv  # random labels: validation loss soon stops improving
    data = train.ArmData(train.Split(x, y), train.Split(xv, val_y), train.Split(xv, yv), 2, mode="head")
    return data, train.ModelParts(make_backbone=None, feature_dim=8, source_head=None)


def test_rel_sparsity_is_relative_to_each_tensor():
    tiny = nn.Parameter(torch.full((4, 5), 1e-4))  # uniformly small (L2-like): no zeros relative to itself
    mixed = nn.Parameter(torch.tensor([[1.0, 5e-4, 0.0, 2e-3], [-1e-5, 0.3, -0.9, 1e-3]]))
    assert penalties.sparsity([tiny]) == 1.0  # the absolute threshold counts every one of them
    assert penalties.rel_sparsity([tiny]) == 0.0
    # below 1e-3 x max|w| = 1e-3: 5e-4, 0, -1e-5 (1e-3 itself is not below)
    assert penalties.rel_sparsity([mixed]) == pytest.approx(3 / 8)
    assert penalties.rel_sparsity([tiny, mixed]) == pytest.approx(3 / 28)  # each tensor against its own max
    assert penalties.rel_sparsity([nn.Parameter(torch.zeros(2, 3))]) == 1.0
    assert penalties.rel_sparsity([]) == 0.0
    assert penalties.rel_sparsity([mixed], ratio=0.5) == pytest.approx(6 / 8)


def test_full_trajectory_trains_every_epoch_and_restores_the_stop_choice():
    data, parts = _head_data(noisy_val=True)
    stopped, ran = _run(ArmConfig.model_validate({"epochs": 30, "lr": 0.05, "early_stopping": 2}), data, parts)
    full_cfg = ArmConfig.model_validate({"epochs": 30, "lr": 0.05, "early_stopping": 2, "early_stopping_full": True})
    assert "every epoch trained" in full_cfg.describe()
    full, full_ran = _run(full_cfg, data, parts)
    assert ran < 30 and full_ran == 30  # the same seed stops, or trains on with its choice frozen
    m, f = stopped.metrics, full.metrics
    assert "stop_regret_full" not in m
    # the same trajectory up to the stop: the same choice, the same restored weights, the same regret so far
    assert f["stopped_epoch"] == m["stopped_epoch"] == ran and f["chosen_epoch"] == m["chosen_epoch"]
    assert f["test_acc"] == pytest.approx(m["test_acc"]) and f["stop_regret_acc"] == pytest.approx(m["stop_regret_acc"])
    assert len(full.history["val_acc"]) == 30
    assert f["stop_regret_full"] >= f["stop_regret_acc"] - 1e-12 and 0.0 <= f["stop_regret_full"] <= 1.0


def test_full_trajectory_rules_and_minimum_effects():
    with pytest.raises(ValueError, match="early_stopping_full"):
        _merged_arm({"early_stopping_full": True})
    cfg = _merged_arm({"early_stopping": 3, "early_stopping_full": True, "early_stopping_val": 100})
    assert cfg.early_stopping_full
    assert _metric_effect("rel_sparsity") == 0.01 and _metric_effect("stop_regret_full") == 0.01  # 1 point
    assert _metric_effect("epochs_to_train_target") == 0.0  # a count


def test_epochs_to_train_target_on_any_arm():
    data, parts = _head_data(noisy_val=False)
    res, _ = _run(ArmConfig.model_validate({"epochs": 12, "lr": 0.05, "train_target_acc": 0.9}), data, parts)
    m, train_accs = res.metrics, res.history["train_acc"]
    want = next((i for i, a in enumerate(train_accs, 1) if a >= 0.9), 13)
    assert m["epochs_to_train_target"] == float(want)
    never, _ = _run(ArmConfig.model_validate({"epochs": 3, "lr": 1e-6, "train_target_acc": 1.0}), data, parts)
    assert never.metrics["epochs_to_train_target"] == 4.0  # epochs + 1: never reached
    plain, _ = _run(ArmConfig.model_validate({"epochs": 2, "lr": 0.05}), data, parts)
    assert "epochs_to_train_target" not in plain.metrics
    assert stability.epochs_to_target([0.2, 0.95, 0.99], 0.98, 3) == 3.0
    assert stability.StabilityKind.units["epochs_to_train_target"] == "count"


def test_replayed_stops_on_bootstrap_draws():
    """Early stopping replayed on draws of the validation images over one trajectory: a loss curve every image
    agrees on gives one choice (no spread); images that disagree give a spread that a smaller draw widens."""
    import numpy as np

    test_accs = [0.70, 0.80, 0.75, 0.74, 0.73, 0.72]
    agreed = [np.full(50, v) for v in (1.0, 0.5, 0.7, 0.8, 0.9, 1.0)]  # every image: lowest at epoch 2
    cfg = _merged_arm({"early_stopping": 2, "early_stopping_full": True, "early_stopping_draws": 20})
    m = penalties.replayed_stops(agreed, test_accs, cfg, seed=0)
    assert m["stop_gain_sd"] == pytest.approx(0.0, abs=1e-12) and m["stop_regret_draws"] == pytest.approx(0.0, abs=1e-12)
    rng = np.random.default_rng(1)
    noisy = [np.full(300, v) + rng.normal(0, 1.0, 300) for v in (1.0, 0.9, 0.85, 0.9, 1.0, 1.1)]
    wide = penalties.replayed_stops(noisy, test_accs, cfg.model_copy(update={"early_stopping_draws": 300}), seed=0)
    small = cfg.model_copy(update={"early_stopping_draws": 300, "early_stopping_val": 10})
    narrow = penalties.replayed_stops(noisy, test_accs, small, seed=0)
    assert narrow["stop_gain_sd"] > wide["stop_gain_sd"] and narrow["stop_regret_draws"] > wide["stop_regret_draws"]
    with pytest.raises(ValueError, match="early_stopping_draws"):
        _merged_arm({"early_stopping": 2, "early_stopping_draws": 20})


def test_trained_arm_reports_the_replayed_spread():
    data, parts = _head_data(noisy_val=True)
    cfg = ArmConfig.model_validate({"epochs": 8, "lr": 0.05, "early_stopping": 2, "early_stopping_full": True,
                                    "early_stopping_draws": 30, "early_stopping_val": 10})
    m = _run(cfg, data, parts)[0].metrics
    assert 0.0 <= m["stop_gain_sd"] <= 1.0 and 0.0 <= m["stop_regret_draws"] <= 1.0
    assert _metric_effect("stop_gain_sd") == 0.01 and _metric_effect("stop_regret_draws") == 0.01
