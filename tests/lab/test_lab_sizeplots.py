"""The learning-curve, capacity-curve and unfreezing plots draw from a result alone (no training)."""

from __future__ import annotations

import pytest

pytest.importorskip("matplotlib")

from tutor.lab.kinds.capacity_curve import plot as write_capacity_plot  # noqa: E402
from tutor.lab.kinds.capacity_curve import sweeps  # noqa: E402
from tutor.lab.kinds.learning_curve import plot as write_size_plot  # noqa: E402
from tutor.lab.kinds.unfreezing import plot as write_unfreeze_plot  # noqa: E402
from tutor.lab.report.plots import _plt  # noqa: E402
from tutor.lab.result import LabResult  # noqa: E402


def _m(v):
    return {"mean": v, "sd": 0.01, "per_seed": [v]}


def _result():
    arms, details = {}, {}
    for curve in ("small", "large"):
        for n in (50, 200):
            name = f"{curve}_{n}"
            arms[name] = {"train_images": _m(n), "train_acc": _m(0.99), "val_acc": _m(0.7 + n / 1000)}
            details[name] = {"config": {"curve": curve, "epochs": 2, "unfreeze_at": 1 if curve == "large" else None},
                             "history": {"0": {"val_acc": [0.7, 0.6], "around_unfreeze_val_acc": [0.7, 0.5, 0.6],
                                               "step_loss": [1.0, 0.9, 2.0, 1.1]}}}
    return {"lab": "t", "title": "t", "seeds": [0], "arms": arms, "arm_details": details}


def test_plots_written(tmp_path):
    plt = _plt()
    r = LabResult.model_validate(_result())
    files = write_size_plot(r, tmp_path, plt) + write_unfreeze_plot(r, tmp_path, plt)
    assert [f.name for f in files] == ["learning_curve.png", "unfreezing.png"]
    assert all(f.stat().st_size > 1000 for f in files)


def test_no_plot_without_curve_or_unfreeze_at(tmp_path):
    r = _result()
    for d in r["arm_details"].values():
        d["config"] = {"epochs": 2}
    r = LabResult.model_validate(r)
    assert write_size_plot(r, tmp_path, _plt()) == [] and write_unfreeze_plot(r, tmp_path, _plt()) == []


def _widths():
    arms, details = {}, {}
    for width, params, val in ((2, 288, 0.4), (16, 2234, 0.87), (512, 71178, 0.75)):
        name = f"width_{width}"
        arms[name] = {"params": _m(params), "train_acc": _m(min(1.0, 0.3 + width / 100)), "val_acc": _m(val)}
        details[name] = {"config": {"capacity": "head", "epochs": 2}, "history": {}}
    arms["other"] = {"params": _m(10), "train_acc": _m(0.5), "val_acc": _m(0.5)}
    details["other"] = {"config": {"epochs": 2}, "history": {}}
    return {"lab": "t", "title": "t", "seeds": [0], "arms": arms, "arm_details": details}


def test_capacity_curve_draws_each_sweep_by_size(tmp_path):
    r = LabResult.model_validate(_widths())
    assert sweeps(r) == {"head": ["width_2", "width_16", "width_512"]}  # smallest first; arms outside left out
    files = write_capacity_plot(r, tmp_path, _plt())
    assert [f.name for f in files] == ["capacity_curve.png"] and files[0].stat().st_size > 1000


def test_no_capacity_curve_without_capacity(tmp_path):
    assert write_capacity_plot(LabResult.model_validate(_result()), tmp_path, _plt()) == []
