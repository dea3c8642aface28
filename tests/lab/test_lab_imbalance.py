"""Class imbalance (tutor/lab/kinds/imbalance.py): class weights, the balanced sampler, the metrics, the confusion plot."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from tutor.lab.kinds import ArmConfig, imbalance
from support.drain import drain


def test_class_weights_are_sklearns_balanced_weights():
    from sklearn.utils.class_weight import compute_class_weight

    y = torch.tensor([0] * 30 + [1] * 10)
    w = imbalance.class_weights(y, 2)
    assert np.allclose(w.numpy(), compute_class_weight("balanced", classes=np.array([0, 1]), y=y.numpy()))
    assert np.allclose(w.numpy(), [40 / (2 * 30), 40 / (2 * 10)])
    # a class absent from the training labels keeps weight 1
    assert imbalance.class_weights(torch.tensor([0, 0, 2]), 3)[1].item() == 1.0


def test_balanced_sampler_draws_every_class_about_equally():
    y = torch.tensor([0] * 90 + [1] * 10)
    order = imbalance.balanced_order(y, torch.Generator().manual_seed(0))
    assert len(order) == 100 and order.min() >= 0 and order.max() < 100
    again = imbalance.balanced_order(y, torch.Generator().manual_seed(0))
    assert torch.equal(order, again)  # seeded
    draws = torch.cat([imbalance.balanced_order(y, torch.Generator().manual_seed(s)) for s in range(20)])
    share = (y[draws] == 1).float().mean().item()
    assert 0.45 < share < 0.55  # 10% of the images, half of the draws


def test_metrics_see_the_minority_class():
    y_true = np.array([0, 0, 0, 0, 0, 0, 1, 1])
    always_majority = np.zeros(8, dtype=int)
    m = imbalance.split_metrics(y_true, always_majority, minority=1)
    assert m == {"balanced_acc": 0.5, "minority_recall": 0.0}  # accuracy would be 75%
    m = imbalance.split_metrics(y_true, np.array([0, 0, 0, 0, 1, 1, 1, 0]), minority=1, prefix="test_")
    assert m["test_minority_recall"] == 0.5 and m["test_balanced_acc"] == pytest.approx((4 / 6 + 0.5) / 2)
    assert imbalance.minority_class(torch.tensor([0, 0, 1, 2, 2]), 3) == 1
    assert imbalance.confusion(y_true, always_majority, 2) == [[6, 0], [2, 0]]


def _imbalanced_data():
    from tutor.lab.training.arm import ArmData, Split

    g = torch.Generator().manual_seed(0)

    def draw(n0, n1):
        x = torch.cat([torch.randn(n0, 8, generator=g), torch.randn(n1, 8, generator=g) + 0.8])
        return Split(x, torch.cat([torch.zeros(n0, dtype=torch.long), torch.ones(n1, dtype=torch.long)]))

    return ArmData(draw(180, 20), draw(100, 100), draw(100, 100), num_classes=2, mode="head")


@pytest.mark.parametrize("setting", [{"class_weight": "balanced"}, {"sampler": "balanced"}])
def test_weighting_or_resampling_raises_minority_recall(setting):
    from tutor.lab.runner.arm import train_arm
    from tutor.lab.training.arm import ModelParts

    data = _imbalanced_data()
    parts = ModelParts(make_backbone=None, feature_dim=8, source_head=None)

    def run(**cfg):
        return drain(train_arm(ArmConfig(epochs=20, lr=0.01, batch_size=32, **cfg), data, parts, seed=0,
                               device=torch.device("cpu"), arm="a"))[0]

    plain, fixed = run(), run(**setting)
    for key in ("balanced_acc", "minority_recall", "test_balanced_acc", "test_minority_recall", "minority_auc",
                "test_minority_auc"):
        assert key in plain.metrics
    assert fixed.metrics["minority_recall"] > plain.metrics["minority_recall"] + 0.2
    # the remedy moves the threshold a long way; the ranking of the images (the threshold-free AUC) much less
    assert 0.7 < plain.metrics["minority_auc"] <= 1.0 and 0.7 < plain.metrics["test_minority_auc"] <= 1.0
    assert abs(fixed.metrics["minority_auc"] - plain.metrics["minority_auc"]) < 0.05
    assert np.asarray(plain.history["val_confusion"]).sum() == 200


def test_confusion_plot_has_a_panel_per_arm(tmp_path):
    from tutor.lab.kinds.imbalance import plot as write_confusion_plot
    from tutor.lab.kinds.imbalance import summed_confusion
    from tutor.lab.report.plots import _plt
    from tutor.lab.result import LabResult

    hist = {"0": {"val_confusion": [[50, 2], [20, 8]]}, "1": {"val_confusion": [[48, 4], [18, 10]]}}
    assert summed_confusion(hist).tolist() == [[98, 6], [38, 18]]
    result = {"lab": "t", "title": "t", "seeds": [0, 1], "show": ["minority_recall"],
              "dataset": {"classes": ["ok", "defective"]},
              "arms": {"plain": {}, "weighted": {}},
              "arm_details": {"plain": {"history": hist}, "weighted": {"history": hist}}}
    files = write_confusion_plot(LabResult.model_validate(result), tmp_path, _plt())
    assert files[0] == tmp_path / "confusion.png" and files[0].stat().st_size > 5000
    assert [f.name for f in files[1:]] == [f"confusion-{arm}.png" for arm in result["arms"]]  # one per arm too
    assert write_confusion_plot(LabResult.model_validate({**result, "show": []}), tmp_path / "none", _plt()) == []


def test_describe_names_the_remedy():
    assert "class-weighted loss" in ArmConfig(class_weight="balanced").describe()
    assert "class-balanced sampling" in ArmConfig(sampler="balanced").describe()
