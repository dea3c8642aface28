"""The minority class's ROC AUC (tutor/lab/kinds/imbalance.py `minority_auc`): threshold-free, from the final
evaluation's probabilities (tutor/lab/training/evaluate.py), read as a percentage with a 1-point minimum effect.
A trained arm reporting it: test_lab_imbalance.py."""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from tutor.lab.kinds import imbalance


def _rank_auc(positive: np.ndarray, score: np.ndarray) -> float:
    """Mann-Whitney: the share of (positive, negative) pairs the score orders right, ties counting half."""
    pos, neg = score[positive], score[~positive]
    return float(((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()) / (len(pos) * len(neg)))


def test_minority_auc_is_the_rank_statistic_of_the_minority_column():
    rng = np.random.default_rng(0)
    y = np.array([0] * 30 + [1] * 8 + [2] * 12)
    probs = rng.dirichlet(np.ones(3), size=len(y))
    probs[y == 1, 1] += 0.2  # the minority (class 1) scores somewhat higher on its own column
    probs /= probs.sum(1, keepdims=True)
    auc = imbalance.minority_auc(y, probs, minority=1)
    assert auc == pytest.approx(_rank_auc(y == 1, probs[:, 1]))
    assert 0.5 < auc <= 1.0
    # undefined (NaN) when the split holds only one side
    assert math.isnan(imbalance.minority_auc(np.ones(5, dtype=int), np.full((5, 2), 0.5), minority=1))
    assert math.isnan(imbalance.minority_auc(np.zeros(5, dtype=int), np.full((5, 2), 0.5), minority=1))
    # and when the run diverged: its scores are NaN (the optimisation lab's learning rate 0.5), never an error
    diverged = np.full((4, 2), np.nan)
    assert math.isnan(imbalance.minority_auc(np.array([0, 1, 0, 1]), diverged, minority=1))


def test_moving_the_threshold_moves_recall_but_not_the_auc():
    """A bias on the minority's logit (what class weights mostly do to a linear head) changes the predicted
    classes, hence recall and balanced accuracy, and leaves the ranking, hence the AUC, exactly as it was."""
    rng = np.random.default_rng(1)
    y = np.array([0] * 80 + [1] * 20)
    logits = rng.normal(size=(100, 2))
    logits[y == 1, 1] += 1.0
    shifted = logits + np.array([0.0, 1.5])

    def probs(z):
        e = np.exp(z - z.max(1, keepdims=True))
        return e / e.sum(1, keepdims=True)

    before = imbalance.split_metrics(y, logits.argmax(1), minority=1)
    after = imbalance.split_metrics(y, shifted.argmax(1), minority=1)
    assert after["minority_recall"] > before["minority_recall"] + 0.2
    assert imbalance.minority_auc(y, probs(shifted), 1) == pytest.approx(imbalance.minority_auc(y, probs(logits), 1))


def test_evaluate_with_scores_gives_probabilities_that_agree_with_the_predictions():
    from tutor.lab.training.arm import Split
    from tutor.lab.training.evaluate import evaluate, evaluate_with_scores

    torch.manual_seed(0)
    model = torch.nn.Linear(4, 3)
    split = Split(torch.randn(37, 4), torch.randint(0, 3, (37,)))
    acc, loss, pred, probs = evaluate_with_scores(model, split)
    assert probs.shape == (37, 3) and np.allclose(probs.sum(1), 1.0, atol=1e-5)
    assert (probs.argmax(1) == pred).all()
    assert (acc, loss) == pytest.approx(evaluate(model, split))
    empty = evaluate_with_scores(model, Split(torch.zeros(0, 4), torch.zeros(0, dtype=torch.long)))
    assert len(empty[2]) == 0 and len(empty[3]) == 0


def test_the_auc_reads_as_a_percentage_with_a_one_point_minimum_effect():
    from tutor.lab.report.units import column_name, fmt_metric, in_points
    from tutor.lab.spec.claims import parse_claim
    from tutor.lab.verdict.rule import min_effect_for

    assert fmt_metric("minority_auc", 0.8512) == "85.1"
    assert column_name("minority_auc") == "min. AUC %" and column_name("test_minority_auc") == "test min. AUC %"
    assert in_points("a.minority_auc > b.minority_auc")
    assert min_effect_for(parse_claim("a.minority_auc > b.minority_auc")) == 0.01
    assert min_effect_for(parse_claim("a.minority_auc < b.minority_auc + 0.01")) == 0.0
    assert "minority_auc" in imbalance.METRICS and "test_minority_auc" in imbalance.METRICS
