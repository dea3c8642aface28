"""Every shipped lab's quick profile, really trained, with the verdict the runs give (slow: ~1 min each).

The verdicts are what the experiments show on the shipped tutornet, not what the notes claim; when a
claim does not reproduce, the lab keeps it and the question's explanation says what was measured.
Only clear-cut claims are asserted one by one (a claim near the 2-sd threshold may flip on another CPU).
"""

from __future__ import annotations

import pytest

pytest.importorskip("torch")

from tutor.lab.runner import run_lab  # noqa: E402
from tutor.lab.spec import find_lab  # noqa: E402

# lab -> (verdict, {claim text: expected status}) ; status: "holds" | "not shown" | "opposite holds"
EXPECTED = {
    "underfitting": ("inconclusive", {
        "more_data.val_acc > dropout.val_acc": "holds",
        "more_data.val_acc > deeper.val_acc": "holds",
        "deeper.train_acc - baseline.train_acc > deeper.val_acc - baseline.val_acc": "holds",
        "dropout.train_acc < baseline.train_acc + 0.02": "holds",
        "more_data.test_acc > search.test_acc": "not shown",
    }),
    "output-layer": ("inconclusive", {
        "fresh_output.val_acc > scratch.val_acc + 0.2": "holds",
        "fresh_output.val_acc > old_output_only.val_acc + 0.2": "holds",
    }),
    "unfreezing": ("inconclusive", {
        "all_at_head_lr.unfreeze_drop > gradual_top.unfreeze_drop": "holds",
        "discriminative.val_acc > all_at_head_lr.val_acc": "not shown",
        "gradual_top.val_acc > head_only.val_acc": "not shown",
        "gradual_bn_eval.val_acc > gradual_top.val_acc": "holds",
        "bn_eval_bs4.val_acc > bn_train_bs4.val_acc": "holds",
    }),
    "input-normalisation": ("inconclusive", {
        "frozen_matched.val_acc > frozen_none.val_acc": "holds",
        "frozen_matched.val_acc > frozen_imagenet.val_acc": "holds",
        "proto_matched.val_acc > proto_imagenet.val_acc": "holds",
        "finetune_matched.val_acc > finetune_imagenet.val_acc": "not shown",
    }),
    # small_5 vs large_5 (the large model better at 5 per class) is opposite-holds single-threaded but only
    # "not shown" with 2 threads (the same seeds, other rounding): not asserted, and the verdict may be either
    "learning-curves": (("contradicted", "inconclusive"), {
        "large_5.gap > large_50.gap": "holds",
        "small_50.train_acc < large_50.train_acc": "not shown",
        "large_50.val_acc > small_50.val_acc": "holds",
    }),
    # the verdict rests on cosine beating Euclidean by 0.10 points at 2.04 sd: on another CPU's rounding it may
    # fall just short (inconclusive); the runs here, single-threaded, give reproduced bit for bit
    "few-shot": (("reproduced", "inconclusive"), {
        "cosine_1shot.val_acc > random_1shot.val_acc + 0.2": "holds",
        "cosine_5shot.val_acc > cosine_1shot.val_acc": "holds",
        "cosine_5shot.val_acc > linear_5shot.val_acc - 0.02": "holds",
    }),
    "domain-similarity": ("inconclusive", {
        "near_large_finetune.val_acc > near_large_extract.val_acc": "not shown",
        "far_small_finetune.val_acc > far_small_extract.val_acc": "holds",
        "far_large_finetune.val_acc > far_large_extract.val_acc": "holds",
    }),
    "initialisation": ("inconclusive", {
        "constant.distinct_units < 2": "holds",
        "constant_tanh.distinct_units < 2": "holds",
        "kaiming_relu.val_acc > constant.val_acc + 0.2": "holds",
        "xavier_tanh.val_acc > constant_tanh.val_acc + 0.2": "holds",
        "normal_tiny.act_log_ratio < -5": "holds",
        "kaiming_relu.val_acc > normal_tiny.val_acc + 0.2": "holds",
        "xavier_relu.act_log_ratio < kaiming_relu.act_log_ratio - 0.5": "holds",
        "kaiming_relu.act_log_ratio > -0.5": "not shown",
        "xavier_tanh.val_acc > normal_tiny.val_acc + 0.2": "holds",
    }),
    # "batch norm at most 2 points worse" holds with 2 threads only, which makes the verdict reproduced there
    "normalisation": (("inconclusive", "reproduced"), {
        "group_norm_b2.val_acc > batch_norm_b2.val_acc": "holds",
        "layer_norm_b2.val_acc > batch_norm_b2.val_acc": "holds",
    }),
    # the two momentum claims flip between holds and not shown with the CPU thread count (rounding, then a
    # constant learning rate makes the last epoch's loss jumpy): neither is asserted; the verdict stays inconclusive
    "optimisation": ("inconclusive", {
        "high_lr.val_acc < sgd_momentum.val_acc": "holds",
        "high_lr_clipped.final_loss < high_lr.final_loss": "holds",
        "high_lr_clipped.max_loss_spike < high_lr.max_loss_spike": "holds",
        "high_lr_clipped.diverged < high_lr.diverged": "holds",
    }),
    # batch norm in the large head (margin +0.021, sd 0.022: about half the 2-sd bar) is left out
    "heads": ("inconclusive", {
        "gap_linear.params < flatten_linear.params / 10": "holds",
        "gap_linear.val_acc > flatten_linear.val_acc": "holds",
        "gap_linear.gap < flatten_linear.gap": "holds",
        "gap_linear.val_acc > flatten_large.val_acc": "holds",
        "gap_linear.val_acc > gap_large.val_acc": "not shown",
        "gap_small.val_acc > gap_large.val_acc": "not shown",
        "gap_large_dropout.gap < gap_large.gap": "not shown",
    }),
    # left out as near the 2-sd bar: weighted.val_acc < plain.val_acc (margin +0.041, needs 0.038) and
    # weighted_ft.balanced_acc > plain_ft.balanced_acc (+0.013, needs 0.033)
    "imbalance": ("inconclusive", {
        "weighted.minority_recall > plain.minority_recall": "holds",
        "resampled.minority_recall > plain.minority_recall": "holds",
        "weighted_ft.minority_recall > plain_ft.minority_recall": "holds",
        "resampled_ft.minority_recall > plain_ft.minority_recall": "holds",
        "weighted.balanced_acc > plain.balanced_acc": "not shown",
        "resampled.balanced_acc > plain.balanced_acc": "not shown",
        "resampled_ft.balanced_acc > plain_ft.balanced_acc": "not shown",
    }),
    # weight decay's gap is consistently (3/3 seeds) but only 0.6 points wider than the baseline's: that tiny
    # "opposite holds" makes the verdict contradicted. The early-stopping gap, dropout vs augmentation and the
    # combined arm are within 3 sd of the threshold and are not asserted one by one.
    # weight decay's 0.6-point wider gap is opposite-holds single-threaded, not shown with 2 threads: not asserted
    "regularisation": (("contradicted", "inconclusive"), {
        "augment.gap < none.gap": "holds",
        "augment.gap < weight_decay.gap": "holds",
        "l1.sparsity > l2.sparsity + 0.03": "holds",
        "dropout.gap < none.gap": "not shown",
        "batch_norm.gap < none.gap": "not shown",
        "augment.test_acc > none.test_acc": "not shown",
        "early_stop.test_acc > none.test_acc": "not shown",
        "weight_decay.val_acc > l2.val_acc": "not shown",
    }),
    # cutout's validation accuracy is 0.7-1.3 points (one or two images) below the baseline's on every seed:
    # that "opposite holds" (2.3 sd) makes the verdict contradicted; it is near the threshold, so it is not
    # asserted on its own. Flips, noise, cutmix (gap) and erasing, mixup, cutmix (val_acc) sit between 1.3
    # and 1.9 sd and are left out too.
    # contradicted rests on cutout's validation accuracy being lower on every seed (0.9 points, 2.3 sd)
    "augmentation": (("contradicted", "inconclusive"), {
        "brightness_contrast.gap < none.gap": "holds",
        "erasing.gap < none.gap": "holds",
        "flips.val_acc > over.val_acc": "holds",
        "over.train_acc < flips.train_acc - 0.05": "holds",
        "crop_shift.gap < none.gap": "not shown",
        "cutout.gap < none.gap": "not shown",
        "mixup.gap < none.gap": "not shown",
        "flips.val_acc > none.val_acc": "not shown",
    }),
}


def _status(claim: dict) -> str:
    return "holds" if claim["holds"] else ("opposite holds" if claim["opposite_holds"] else "not shown")


@pytest.mark.slow
@pytest.mark.parametrize("lab_id", sorted(EXPECTED))
def test_quick_profile_verdict(lab_id, tmp_path):
    final = list(run_lab(find_lab(lab_id), profile="quick", out=tmp_path))[-1]
    assert final.kind == "lab_finished"
    result = final.result
    statuses = {c["text"]: _status(c) for c in result["claims"]}
    verdict, expected = EXPECTED[lab_id]
    for text, status in expected.items():
        assert statuses[text] == status, (text, result["claims"])
    assert result["verdict"] in ((verdict,) if isinstance(verdict, str) else verdict), statuses
    assert len(result["seeds"]) >= 3
    assert (tmp_path / "result.json").exists() and (tmp_path / "curves.png").exists()


@pytest.mark.slow
def test_reversed_shipped_claims_are_not_reproduced(tmp_path):
    """The underfitting lab with its first claim reversed (dropout beats more data) is not reproduced."""
    from tutor.lab.spec import load_lab

    text = find_lab("underfitting").path
    source = open(text, encoding="utf-8").read().replace(
        "claim: more_data.val_acc > dropout.val_acc", "claim: dropout.val_acc > more_data.val_acc")
    path = tmp_path / "reversed.yaml"
    path.write_text(source, encoding="utf-8")
    lab = load_lab(path)
    final = list(run_lab(lab, arms=["baseline", "dropout", "more_data"], write=False))[-1]
    reversed_claim = next(c for c in final.result["claims"] if c["text"] == "dropout.val_acc > more_data.val_acc")
    assert reversed_claim["opposite_holds"]
    assert final.verdict == "contradicted"
