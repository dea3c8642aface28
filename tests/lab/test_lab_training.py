"""The training loop (tutor/lab/training/learner.py) and the kinds registry (tutor/lab/kinds/): events fire in
order, callbacks can change the loop's state, and every kind's settings and metrics reach the lab format."""

from __future__ import annotations

from typing import ClassVar

import pytest

torch = pytest.importorskip("torch")

from tutor.lab.kinds import KINDS, ArmConfig, Kind, Kinds, Traits  # noqa: E402
from tutor.lab.runner.arm import train_arm  # noqa: E402
from tutor.lab.spec.metrics import metric_help  # noqa: E402
from tutor.lab.spec.settings import CoreSettings  # noqa: E402
from tutor.lab.training.arm import ArmData, ModelParts, Split  # noqa: E402
from tutor.lab.training.callback import EVENTS, Callback  # noqa: E402
from tutor.lab.training.learner import Learner  # noqa: E402
from support.drain import drain  # noqa: E402


def _features(n: int = 48, dim: int = 8, classes: int = 3) -> ArmData:
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(n, dim, generator=gen)
    y = torch.arange(n) % classes
    x[:, 0] += y.float() * 2  # learnable
    split = Split(x, y)
    return ArmData(split, Split(x[:24], y[:24]), Split(x[24:], y[24:]), classes, mode="head")


def _run(gen):
    return drain(gen)[0]


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
    assert [k.name for k in KINDS.kinds][:3] == ["plain", "prototype", "heads"]
    for kind in KINDS.kinds:
        assert isinstance(kind, Kind) and issubclass(ArmConfig, kind.settings)  # each reads ArmConfig as its own
        for name in kind.settings.model_fields:
            assert name in ArmConfig.model_fields, (kind.name, name)
        for metric in kind.metrics:
            assert metric in metric_help(), (kind.name, metric)
    assert KINDS.epochs(ArmConfig(epochs=3, search={"trials": 2, "space": {"lr": [0.1, 0.01, 0.001]}})) == 6
    assert ArmConfig(model="plain").describe().startswith("plain net 8x64")


def test_a_new_kind_is_one_subclass_whose_settings_join_the_flat_arm():
    class Settings(CoreSettings):
        warmup: int = 0

    class Warmup(Kind[Settings]):
        name = "warmup"
        settings = Settings
        metrics: ClassVar[dict[str, str]] = {"warm": "a metric"}

        def describe(self, cfg: Settings) -> list[str]:
            return [f"warm-up {cfg.warmup}"] if cfg.warmup else []

        def check(self, cfg: Settings, traits: Traits) -> str | None:
            return "warmup needs a trained head" if cfg.warmup and not traits.trains else None

    registry = Kinds((Warmup(),))
    cfg = registry.arm_config.model_validate({"warmup": 2, "lr": 0.01})
    assert isinstance(cfg, Settings) and cfg.describe() == "pretrained backbone, frozen, warm-up 2"
    assert registry.metrics() == {"warm": "a metric"} and registry.epochs(cfg) == cfg.epochs
    assert registry.traits(cfg) == Traits() and registry.callbacks(cfg) == [] and registry.trainer(cfg) is None
    registry.check(cfg)  # no rule broken
