"""Explicit L1 / L2 / elastic-net penalties, weight sparsity and early stopping (tutor/lab/kinds/penalties.py)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from tutor.lab.kinds import ArmConfig, penalties  # noqa: E402
from tutor.lab.spec.arm import merged_arm as _merged_arm  # noqa: E402
from support.drain import drain  # noqa: E402


def _net() -> nn.Module:
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(2, 3))
    with torch.no_grad():
        net[0].weight.copy_(torch.arange(18, dtype=torch.float32).reshape(2, 1, 3, 3) - 9)  # -9..8
        net[0].bias.fill_(5.0)
        net[3].weight.copy_(torch.tensor([[1.0, -2.0], [0.0, 3.0], [0.5, -0.5]]))
        net[3].bias.fill_(7.0)
    return net


def test_penalised_takes_weights_only():
    net = _net()
    got = penalties.penalised(list(net.parameters()) + list(net.parameters()))  # duplicates counted once
    assert [tuple(p.shape) for p in got] == [(2, 1, 3, 3), (3, 2)]  # no biases, no batch-norm scale/shift


def test_l1_l2_and_elastic_net_values():
    params = penalties.penalised(_net().parameters())
    abs_sum = sum(abs(v) for v in range(-9, 9)) + (1 + 2 + 0 + 3 + 0.5 + 0.5)
    sq_sum = sum(v * v for v in range(-9, 9)) + (1 + 4 + 0 + 9 + 0.25 + 0.25)
    assert penalties.weight_penalty(params, l1=0.1).item() == pytest.approx(0.1 * abs_sum)
    assert penalties.weight_penalty(params, l2=0.01).item() == pytest.approx(0.01 * sq_sum)
    assert penalties.weight_penalty(params, l1=0.1, l2=0.01).item() == pytest.approx(0.1 * abs_sum + 0.01 * sq_sum)
    assert penalties.weight_penalty(params).item() == 0.0


def test_penalty_gradients_are_sign_and_2w():
    w = nn.Parameter(torch.tensor([[-2.0, 0.5], [3.0, -0.25]]))
    penalties.weight_penalty([w], l1=0.3).backward()
    assert torch.allclose(w.grad, 0.3 * torch.sign(w.detach()))
    w.grad = None
    penalties.weight_penalty([w], l2=0.3).backward()
    assert torch.allclose(w.grad, 2 * 0.3 * w.detach())


def test_l1_drives_weights_to_zero_and_l2_only_shrinks():
    """Plain gradient descent on the penalty alone: L1 reaches zero in finite steps, L2 decays geometrically."""
    torch.manual_seed(0)
    start = torch.randn(50, 20) * 0.05
    out = {}
    for kind in ("l1", "l2"):
        w = nn.Parameter(start.clone())
        opt = torch.optim.SGD([w], lr=0.01)
        for step in range(300):
            lr = 0.01 * (1 - step / 300)  # decaying steps, so L1's zig-zag around 0 shrinks too
            for g in opt.param_groups:
                g["lr"] = lr
            opt.zero_grad()
            penalties.weight_penalty([w], **{kind: 0.1}).backward()
            opt.step()
        out[kind] = penalties.sparsity([w]), penalties.rel_sparsity([w])
    assert out["l1"][0] > 0.9 and out["l1"][1] > 0.5  # exact zeros, relative to the tensor's scale too
    assert out["l2"][0] < 0.05 and out["l2"][1] < 0.01  # L2 shrinks every weight alike: no relative zeros


def test_sparsity_threshold():
    w = nn.Parameter(torch.tensor([[0.0, 5e-4, -9e-4, 2e-3], [-1.0, 1e-3, 0.5, -1e-5]]))
    assert penalties.sparsity([w]) == pytest.approx(4 / 8)  # 0, 5e-4, -9e-4, -1e-5 (1e-3 itself is not below)
    assert penalties.sparsity([w], threshold=0.6) == pytest.approx(7 / 8)
    assert penalties.sparsity([]) == 0.0


def test_early_stopping_patience_and_best_state():
    net = nn.Linear(2, 1)
    stop = penalties.EarlyStopping(patience=2)
    losses = [1.0, 0.8, 0.9, 0.7, 0.75, 0.72, 0.6]
    stopped = None
    for epoch, loss in enumerate(losses, start=1):
        with torch.no_grad():
            net.weight.fill_(float(epoch))  # the weights "remember" their epoch
        if stop.update(epoch, loss, net):
            stopped = epoch
            break
    assert stopped == 6 and stop.stopped_epoch == 6  # no improvement after epoch 4 for epochs 5 and 6
    assert stop.best_epoch == 4 and stop.best_loss == pytest.approx(0.7)
    net.load_state_dict(stop.best_state)
    assert float(net.weight.detach()[0, 0]) == 4.0


def test_early_stopping_never_triggered_and_nan():
    stop = penalties.EarlyStopping(patience=3)
    assert not any(stop.update(e, 1.0 / e) for e in range(1, 10))
    assert stop.stopped_epoch is None and stop.best_epoch == 9
    stop = penalties.EarlyStopping(patience=1)
    assert not stop.update(1, 0.5)
    assert stop.update(2, float("nan"))  # a NaN loss is no improvement
    with pytest.raises(ValueError):
        penalties.EarlyStopping(patience=0)


def test_spec_fields_and_rules():
    cfg = ArmConfig.model_validate({"l1": 1e-4, "l2": 1e-3, "early_stopping": 3})
    assert "L1 0.0001 + L2 0.001 penalty" in cfg.describe() and "early stopping (patience 3)" in cfg.describe()
    with pytest.raises(Exception):
        ArmConfig.model_validate({"l1": -1})
    with pytest.raises(ValueError, match="early_stopping"):
        _merged_arm({"early_stopping": 3, "select": "best_val"})


def test_fit_with_penalty_and_early_stopping_reports_metrics():
    """A tiny head trained on separable features: penalties are applied, early stopping stops and restores."""
    from tutor.lab.runner.arm import train_arm
    from tutor.lab.training import arm as train

    torch.manual_seed(0)
    x = torch.randn(64, 8)
    y = (x[:, 0] > 0).long()
    xv = torch.randn(32, 8)
    yv = (xv[:, 0] > 0).long()
    data = train.ArmData(train.Split(x, y), train.Split(xv, torch.randint(0, 2, (32,))), train.Split(xv, yv), 2,
                         mode="head")
    parts = train.ModelParts(make_backbone=None, feature_dim=8, source_head=None)
    cfg = ArmConfig.model_validate({"epochs": 40, "lr": 0.05, "early_stopping": 2, "l1": 0.01})
    result, events = drain(train_arm(cfg, data, parts, seed=0, device=torch.device("cpu"), arm="a"))
    epochs = len(events)
    m = result.metrics
    assert m["stopped_epoch"] == epochs < 40  # random validation labels: its loss soon stops improving
    assert m["chosen_epoch"] <= m["stopped_epoch"] - 2
    assert m["images_seen"] == 64 * epochs
    assert 0.0 <= m["sparsity"] <= 1.0


def test_batch_norm_off_decay_on_weights_and_new_rules():
    from tutor.lab.models.backbones import BasicBlock

    cfg = _merged_arm({"backbone": "random", "unfreeze": "all", "batch_norm": False})
    assert "no batch norm" in cfg.describe()
    net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), BasicBlock(4, 4))
    bare = penalties.PenaltiesKind().adapt_backbone(cfg, net)
    assert not any(isinstance(m, nn.BatchNorm2d) for m in bare.modules())
    assert any(isinstance(m, nn.BatchNorm2d) for m in net.modules())  # a copy: the original keeps its norms
    assert float(bare[2].conv2.weight.detach().abs().sum()) == 0.0  # each residual branch starts at zero (Fixup-style)
    assert penalties.PenaltiesKind().adapt_backbone(ArmConfig.model_validate({}), net) is net
    with pytest.raises(ValueError, match="batch_norm"):
        _merged_arm({"batch_norm": False})  # a pretrained, frozen backbone relies on its batch norm
    with pytest.raises(ValueError, match="early_stopping_val"):
        _merged_arm({"early_stopping_val": 50})
    opt = torch.optim.AdamW(net.parameters(), lr=0.01, weight_decay=5.0)
    split = penalties.weights_only_decay(opt)
    decayed = [p for g in split.param_groups if g["weight_decay"] for p in g["params"]]
    assert type(split) is torch.optim.AdamW and all(p.dim() >= 2 for p in decayed)
    assert sum(p.numel() for g in split.param_groups for p in g["params"]) == sum(p.numel() for p in net.parameters())
    assert penalties.l2_norm([torch.ones(3, 4)]) == pytest.approx(12 ** 0.5)


def test_early_stopping_on_a_few_validation_images_reports_its_regret():
    from tutor.lab.runner.arm import train_arm
    from tutor.lab.training import arm as train

    torch.manual_seed(0)
    x, xv = torch.randn(64, 8), torch.randn(40, 8)
    y, yv = (x[:, 0] > 0).long(), (xv[:, 0] > 0).long()
    data = train.ArmData(train.Split(x, y), train.Split(xv, yv), train.Split(xv, yv), 2, mode="head")
    parts = train.ModelParts(make_backbone=None, feature_dim=8, source_head=None)
    cfg = ArmConfig.model_validate({"epochs": 15, "lr": 0.05, "early_stopping": 2, "early_stopping_val": 10})
    assert "watching 10 validation images" in cfg.describe()
    m = drain(train_arm(cfg, data, parts, seed=0, device=torch.device("cpu"), arm="a"))[0].metrics
    assert 0.0 <= m["stop_regret_acc"] <= 1.0 and m["weight_norm"] > 0
    assert penalties.watched_split(data.val, 10, seed=1).y.shape == (10,)
    assert penalties.watched_split(data.val, None, seed=1) is None


def test_search_over_penalty_strengths():
    from tutor.lab.kinds import search

    cfg = ArmConfig.model_validate({"search": {"trials": 2, "space": {"l1": [0.001, 0.01], "l2": [0.1]}}})
    trials = search.search_trials(cfg, seed=0)
    assert sorted(t["l1"] for t in trials) == [0.001, 0.01]
    with pytest.raises(Exception, match="'l2' candidate"):
        ArmConfig.model_validate({"search": {"space": {"l2": [-1.0]}}})
