"""The new arm settings end to end on a tiny lab: unfreeze_at, bn_mode, lr_decay_per_stage, normalize, prototypes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from tutor.lab.runner import run_lab  # noqa: E402
from tutor.lab.spec import loads_lab  # noqa: E402


@pytest.fixture
def weights(tiny_weights) -> Path:
    return tiny_weights


@pytest.mark.slow  # ~10-25 s: five tiny arms x 2 seeds, each with its thread calibration
def test_new_settings_run_end_to_end(weights, tmp_path):
    lab = loads_lab(textwrap.dedent(f"""\
        id: tiny-b
        title: t
        summary: t
        dataset: {{name: digits, size: 16, val: 40, test: 40}}
        backbone: {{name: tutornet, weights: {weights}}}
        profiles: {{quick: {{seeds: 2}}}}
        defaults: {{per_class: 3, batch_size: 8, epochs: 3, lr: 0.01}}
        arms:
          gradual: {{unfreeze: 1, unfreeze_at: 1, backbone_lr: 0.001, bn_mode: eval, curve: c}}
          disc: {{unfreeze: all, unfreeze_at: 2, lr_decay_per_stage: 0.5, curve: c, per_class: 4}}
          proto: {{method: prototype, shots: 2, episodes: 4, metric: euclidean}}
          proto_raw: {{method: prototype, shots: 2, episodes: 4, metric: euclidean, normalize: none}}
          frozen_custom: {{normalize: {{mean: [0.2], std: [0.5]}}}}
        claims: [gradual.unfreeze_drop > -1, proto.val_acc > 0]
        """))
    final = list(run_lab(lab, out=tmp_path))[-1]
    arms = final.result.to_json()["arms"]
    for arm in ("gradual", "disc"):
        assert set(arms[arm]) >= {"unfreeze_drop", "unfreeze_loss_spike", "pre_unfreeze_val_acc"}
        hist = final.result.to_json()["arm_details"][arm]["history"]["0"]
        assert len(hist["around_unfreeze_val_acc"]) >= 2 and hist["step_loss"]
    assert arms["proto"]["train_images"]["mean"] == 20  # 2 shots x 10 classes
    assert arms["proto"]["val_acc"]["per_seed"] != arms["proto_raw"]["val_acc"]["per_seed"]  # other input statistics
    names = {Path(f).name for f in final.files}
    assert {"unfreezing.png", "learning_curve.png"} <= names
