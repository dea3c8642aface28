"""The training loop's precision choice (TUTOR_PRECISION) and the log-scale loss jump at unfreezing."""

from __future__ import annotations

import math

import pytest

from tutor.lab.kinds.unfreezing import log_ratio
from tutor.lab.training import precision


@pytest.mark.parametrize("value, device, mode, expected", [
    ("fp32", "cpu", "full", "fp32"),
    ("bf16", "cpu", "head", "bf16"),  # asked for: every mode
    ("bf16", "mps", "full", "fp32"),  # no bfloat16 autocast there: float32
    ("BF16 ", "cuda", "full", "bf16"),
])
def test_an_explicit_precision_is_obeyed_where_autocast_exists(monkeypatch, value, device, mode, expected):
    monkeypatch.setenv("TUTOR_PRECISION", value)
    assert precision.choose(device, mode) == expected


def test_auto_is_float32_until_bfloat16_is_adopted(monkeypatch):
    monkeypatch.delenv("TUTOR_PRECISION", raising=False)
    monkeypatch.setattr(precision, "AUTO_BF16", False)
    assert precision.choose("cpu", "full") == "fp32"
    monkeypatch.setattr(precision, "AUTO_BF16", True)
    monkeypatch.setattr(precision, "cpu_has_bf16", lambda: True)
    assert precision.choose("cpu", "full") == "bf16"
    assert precision.choose("cpu", "head") == "fp32"  # heads on cached features stay float32
    assert precision.choose("cuda", "full") == "fp32"


def test_an_unknown_request_counts_as_auto(monkeypatch):
    monkeypatch.setenv("TUTOR_PRECISION", "half")
    assert precision.requested() == "auto"


def test_bf16_autocast_context_only_when_asked():
    pytest.importorskip("torch")
    import torch

    with precision.autocast("cpu", "bf16"):
        assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.bfloat16
    with precision.autocast("cpu", "fp32"):
        assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.float32


def test_loss_jump_on_a_log_scale():
    assert log_ratio(20.0, 1.0) == pytest.approx(math.log10(20))
    assert log_ratio(1.0, 1.0) == 0.0
    assert log_ratio(0.5, 1.0) < 0
    assert math.isnan(log_ratio(float("nan"), 1.0))
    assert math.isfinite(log_ratio(0.0, 1.0))  # a zero loss is floored, not -inf
