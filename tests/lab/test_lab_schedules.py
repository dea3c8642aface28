"""Gradual unfreezing, batch-norm mode and discriminative learning rates (tutor/lab/kinds/unfreezing.py)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from tutor.lab.kinds import ArmConfig  # noqa: E402
from tutor.lab.kinds import unfreezing as schedules  # noqa: E402
from tutor.lab.models.backbones import build_tutornet  # noqa: E402
from tutor.lab.models.heads import Head, Net  # noqa: E402
from tutor.lab.spec import loads_lab  # noqa: E402


def _net() -> Net:
    torch.manual_seed(0)
    bb = build_tutornet()
    return Net(bb, Head(bb.feature_dim, [], 3, 0.0))


def test_stage_groups_decay_from_the_top():
    stages = [nn.Linear(2, 2) for _ in range(4)]
    groups = schedules.stage_groups(stages, 1e-3, 0.5)
    assert [g["lr"] for g in groups] == pytest.approx([1.25e-4, 2.5e-4, 5e-4, 1e-3])
    assert [g["lr"] for g in schedules.stage_groups(stages, 1e-3, None)] == [1e-3] * 4


def test_setup_builds_discriminative_groups_of_the_same_optimizer():
    net = _net()
    cfg = ArmConfig.model_validate({"unfreeze": 2, "lr": 0.01, "backbone_lr": 0.001, "lr_decay_per_stage": 0.1})
    net.backbone.set_trainable(2)
    head = list(net.head.parameters())
    opt = torch.optim.Adam([{"params": head, "lr": 0.01}], lr=0.01)
    opt2, unfreezer = schedules.setup(cfg, net, opt, head, lambda: 0.0)
    assert unfreezer is None and isinstance(opt2, torch.optim.Adam)
    assert [g["lr"] for g in opt2.param_groups] == pytest.approx([0.01, 1e-4, 1e-3])
    top = list(net.backbone.stages[-1].parameters())
    assert opt2.param_groups[2]["params"] == top


def test_unfreezer_freezes_then_unfreezes_and_measures_the_drop():
    net = _net()
    net.backbone.set_trainable("all")
    cfg = ArmConfig.model_validate({"unfreeze": 1, "unfreeze_at": 2, "epochs": 4})
    accs = iter([0.5, 0.4, 0.8])
    u = schedules.Unfreezer(cfg, net, list(net.backbone.stages), lambda: next(accs))
    assert not any(p.requires_grad for p in net.backbone.parameters())
    for epoch in (1, 2):
        u.start_epoch(epoch)
        u.after_step(1.0)
        u.end_epoch(0.9 if epoch == 2 else 0.7)
    assert not any(p.requires_grad for p in net.backbone.parameters())
    u.start_epoch(3)  # unfrozen: only the top stage trains
    assert all(p.requires_grad for p in net.backbone.stages[-1].parameters())
    assert not any(p.requires_grad for p in net.backbone.stages[-2].parameters())
    for loss in (3.0, 2.0, 1.5):
        u.after_step(loss)
    u.end_epoch(0.85)
    m = u.metrics()
    assert m["pre_unfreeze_val_acc"] == 0.9
    assert m["unfreeze_drop"] == pytest.approx(0.9 - 0.4)
    assert m["unfreeze_loss_spike"] == pytest.approx(3.0 - 1.0)
    assert u.history()["around_unfreeze_val_acc"] == [0.9, 0.5, 0.4, 0.8, 0.85]


def test_bn_eval_keeps_running_statistics():
    net = _net()
    net.backbone.set_trainable("all")
    net.train()
    schedules.bn_eval(net)
    before = net.backbone.stages[0][1].running_mean.clone()
    net(torch.rand(4, 1, 32, 32))
    assert torch.equal(before, net.backbone.stages[0][1].running_mean)
    assert net.head.training  # only batch-norm layers change mode


def test_merged_arm_rules():
    base = """id: t
title: t
summary: t
dataset: {name: digits}
claims: [a.val_acc > 0]
arms:
  a: %s
"""
    loads_lab(base % "{unfreeze: all, unfreeze_at: 2, epochs: 4}")
    for bad in ("{unfreeze_at: 2, epochs: 4}", "{unfreeze: 1, unfreeze_at: 4, epochs: 4}", "{method: prototype, unfreeze: 1}"):
        with pytest.raises(Exception):
            loads_lab(base % bad)
