"""The training loop (tutor/lab/training/learner.py) and the kinds registry (tutor/lab/kinds/): events fire in
order, callbacks can change the loop's state, and every kind's settings and metrics reach the lab format."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from tutor.lab import kinds  # noqa: E402
from tutor.lab.runner.arm import train_arm  # noqa: E402
from tutor.lab.spec.arm import ArmConfig  # noqa: E402
from tutor.lab.spec.metrics import METRICS  # noqa: E402
from tutor.lab.training.arm import ArmData, ModelParts, Split  # noqa: E402
from tutor.lab.training.callback import EVENTS, Callback  # noqa: E402
from tutor.lab.training.learner import Learner  # noqa: E402


def _features(n: int = 48, dim: int = 8, classes: int = 3) -> ArmData:
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(n, dim, generator=gen)
    y = torch.arange(n) % classes
    x[:, 0] += y.float() * 2  # learnable
    split = Split(x, y)
    return ArmData(split, Split(x[:24], y[:24]), Split(x[24:], y[24:]), classes, mode="head")


def _run(gen):
    try:
        while True:
            next(gen)
    except StopIteration as stop:
        return stop.value


class Recorder(Callback):
    def __init__(self):
        self.seen: list[str] = []

    def __getattribute__(self, name):
        if name in EVENTS:
            seen = object.__getattribute__(self, "seen")
            return lambda learn: seen.append(name)
        return object.__getattribute__(self, name)


def test_events_fire_in_order():
    cfg = ArmConfig(epochs=2, batch_size=16)
    rec = Recorder()
    res = _run(Learner(cfg, _features(), ModelParts(None, 8, None), seed=0, device=torch.device("cpu"), arm="a",
                       callbacks=[rec]).fit())
    once = [e for e in rec.seen if e in ("before_fit", "after_fit", "after_metrics")]
    assert once == ["before_fit", "after_fit", "after_metrics"]
    first_epoch = rec.seen[1:rec.seen.index("after_epoch") + 1]
    assert first_epoch[:6] == ["before_epoch", "before_batch", "after_loss", "after_backward", "before_step", "after_step"]
    assert first_epoch[-2:] == ["after_eval", "after_epoch"]
    assert rec.seen.count("before_step") == 2 * 3  # 48 images / 16 per batch, two epochs
    assert res.metrics["images_seen"] == 96.0 and len(res.history["val_acc"]) == 2


def test_a_callback_can_stop_training_and_the_seed_fixes_the_run():
    class StopAfterOne(Callback):
        def after_epoch(self, learn):
            learn.stop = True

    cfg = ArmConfig(epochs=5, batch_size=16)
    res = _run(Learner(cfg, _features(), ModelParts(None, 8, None), seed=1, device=torch.device("cpu"), arm="a",
                       callbacks=[StopAfterOne()]).fit())
    assert len(res.history["val_acc"]) == 1 and res.metrics["chosen_epoch"] == 1.0
    again = _run(train_arm(cfg, _features(), ModelParts(None, 8, None), seed=1, device=torch.device("cpu"), arm="a"))
    twice = _run(train_arm(cfg, _features(), ModelParts(None, 8, None), seed=1, device=torch.device("cpu"), arm="a"))
    assert again.metrics["val_loss"] == twice.metrics["val_loss"]
    assert {"params", "sparsity", "balanced_acc"} <= set(again.metrics)  # kinds that report on every arm


def test_every_kind_reaches_the_lab_format():
    mods = kinds.all_kinds()
    assert [m.__name__.rsplit(".", 1)[1] for m in mods][:3] == ["plain", "prototype", "heads"]
    for mod in mods:
        for name in getattr(getattr(mod, "Settings", None), "model_fields", {}):
            assert name in ArmConfig.model_fields, (mod.__name__, name)
        for metric in getattr(mod, "METRICS", {}):
            assert metric in METRICS, (mod.__name__, metric)
    assert kinds.epochs(ArmConfig(epochs=3, search={"trials": 2, "space": {"lr": [0.1, 0.01, 0.001]}})) == 6
    assert ArmConfig(model="plain").describe().startswith("plain net 8x64")
