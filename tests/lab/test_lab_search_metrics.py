"""A search arm whose chosen trial differs by seed (with dropout on one seed, without on another) reports
different optional metrics per seed: the arm's summary keeps only the metrics every seed has."""

from __future__ import annotations

from tutor.lab.runner.state import RunState
from tutor.lab.spec import find_lab


def test_a_metric_missing_on_some_seeds_is_not_summarised():
    lab = find_lab("underfitting")
    configs = lab.arm_configs("quick", ["search"])
    state = RunState(lab, "quick", [0, 1], configs)
    state.per_seed["search"] = {0: {"val_acc": 0.7, "train_mode_val_acc": 0.6}, 1: {"val_acc": 0.8}}
    summary = state.summary("search")
    assert set(summary) == {"val_acc"}
    assert summary["val_acc"].per_seed == [0.7, 0.8]
