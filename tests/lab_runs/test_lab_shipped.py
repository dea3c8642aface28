"""Every shipped lab's quick profile, really trained, against the statuses recorded here (slow: ~1 min each).

The statuses are what the experiments show on the shipped tutornet under the verdict rule
(tutor/lab/verdict/rule.py), recorded single-threaded on the default seeds, not what the notes claim.
Another CPU rounds differently, so each recorded status is checked with the safety band in labcheck.py:
asserted where this run's claim clears its decision threshold by more than one standard error, the
neighbouring status accepted within the band (benchmarks/cross_isa.sh runs this file under three kernel
families on one machine).
"""

from __future__ import annotations

import pytest
from support.labcheck import check_result, inverted_verdict

pytest.importorskip("torch")

from tutor.lab.runner import run_lab  # noqa: E402
from tutor.lab.spec import find_lab  # noqa: E402

# lab -> (verdict, {claim text: status}); status: "holds" | "not shown" | "opposite holds"
EXPECTED = {
    "augmentation": ("inconclusive", {
        "flips.balanced_acc > crop40.balanced_acc": "not shown",
        "flips.balanced_acc > erase_half.balanced_acc": "holds",
        "shift.balanced_acc > crop40.balanced_acc": "not shown",
        "shift.balanced_acc > erase_half.balanced_acc": "holds",
        "flips.minority_recall > none.minority_recall": "not shown",
        "shift.minority_recall > none.minority_recall": "not shown",
        "none.minority_recall > crop40.minority_recall": "not shown",  # crops raised recall on 0 (-6.4 points)
        "none.minority_recall > erase_half.minority_recall": "holds",
        "over.train_acc < flips.train_acc": "holds",
        "over.val_acc < none.val_acc": "holds",
        "over.gap < 0.05": "holds",
        # poly cells added against heavier augmentation / the same augmentation on mono cells (+6.9 / +6.5 points)
        "mono_plus_poly.test_balanced_acc - mono.test_balanced_acc > mono_heavy.test_balanced_acc - mono.test_balanced_acc": "holds",
        "mono_plus_poly.test_balanced_acc - mono.test_balanced_acc > mono_flips.test_balanced_acc - mono.test_balanced_acc": "holds",
    }),
    "digits-augmentation": ("inconclusive", {
        "digits_shift_rotate.val_acc > digits_none.val_acc": "holds",
        "digits_flip_rot180.val_acc < digits_shift_rotate.val_acc": "holds",
        "digits_flip_rot180.val_acc < digits_none.val_acc": "holds",
        "digits_erasing.occluded_test_acc > digits_none.occluded_test_acc": "not shown",  # +3.2 points, bound +0.8
        "digits_cutout.occluded_test_acc > digits_none.occluded_test_acc": "holds",
        "digits_mix.test_acc > digits_none.test_acc": "not shown",  # +0.7 points, bound -1.7
        "digits_mix_hard.test_acc < digits_mix.test_acc": "holds",
        "digits_mix_hard.test_acc < digits_none.test_acc": "not shown",  # +2.4 points, bound -0.1
    }),
    "domain-similarity": ("inconclusive", {
        "near_small_extract.val_acc > near_small_finetune.val_acc - 0.02": "not shown",
        "near_small_extract.val_acc < near_small_finetune.val_acc + 0.02": "holds",
        "near_small_extract.val_acc > near_small_scratch.val_acc": "holds",
        "near_large_finetune.val_acc > near_large_extract.val_acc": "holds",
        "near_large_finetune.val_acc > near_large_scratch.val_acc": "holds",
        "far_small_finetune.val_acc > far_small_extract.val_acc": "holds",
        "far_small_finetune.val_acc > far_small_scratch.val_acc": "holds",
        "far_large_finetune.val_acc > far_large_extract.val_acc": "holds",
        "cells_pretrained.val_acc < cells_scratch.val_acc + 0.02": "holds",
        "near_15_pretrained.val_acc > near_15_scratch.val_acc + 0.2": "holds",
        "near_15_pretrained.val_acc - near_15_scratch.val_acc > cells_15_pretrained.val_acc - cells_15_scratch.val_acc + 0.2": "holds",
        "near_large_finetune.first_epoch_val_acc > near_large_scratch.val_acc": "holds",
    }),
    "few-shot": ("reproduced", {
        "cosine_1shot.val_acc > random_1shot.val_acc + 0.2": "holds",
        "cosine_1shot.val_acc > linear_1shot.val_acc - 0.02": "holds",
    }),
    "heads": ("inconclusive", {
        "gap_linear.val_acc > flatten_linear.val_acc": "holds",
        "gap_linear.gap < flatten_linear.gap": "holds",
        "gap_linear.val_acc > flatten_large.val_acc": "holds",
        "gap_linear.val_acc > gap_large.val_acc - 0.01": "holds",
        "digits_flatten_linear.val_acc > digits_gap_linear.val_acc": "holds",
        "late_pool.val_acc > early_pool.val_acc": "holds",
        "digits_gap_large_dropout.gap < digits_gap_large.gap": "holds",
        "digits_gap_large_dropout.val_acc > digits_gap_large_dropout.train_mode_val_acc": "holds",
        "digits_gap_large_bn.val_acc > digits_gap_large_bn.train_mode_val_acc": "holds",
        "cells_hidden.train_acc > cells_linear.train_acc": "holds",
        "cells_hidden.val_acc > cells_linear.val_acc": "not shown",
    }),
    "imbalance": ("inconclusive", {
        "weighted.minority_recall > plain.minority_recall": "holds",
        "resampled.minority_recall > plain.minority_recall": "holds",
        "weighted_ft.minority_recall > plain_ft.minority_recall": "holds",
        "resampled_ft.minority_recall > plain_ft.minority_recall": "holds",
        "weighted.val_acc < plain.val_acc": "holds",
        "weighted.minority_auc > plain.minority_auc - 0.01": "holds",
        "weighted.minority_auc < plain.minority_auc + 0.01": "holds",
        "weighted_ft.minority_auc > plain_ft.minority_auc - 0.01": "holds",
        "weighted_ft.minority_auc < plain_ft.minority_auc + 0.01": "holds",
        "weighted.minority_recall - plain.minority_recall > 3 * (weighted.balanced_acc - plain.balanced_acc)": "holds",
        "weighted_ft.minority_recall - plain_ft.minority_recall > 3 * (weighted_ft.balanced_acc - plain_ft.balanced_acc)": "holds",
        "resampled_flat.gap > weighted_flat.gap": "not shown",
        "resampled_ft.gap > weighted_ft.gap": "not shown",
        "resampled_rare.minority_gap > weighted_rare.minority_gap": "holds",  # 18 rare cells: +28.4 points, bound +22.6
        "plain.minority_recall < plain.val_acc - 0.2": "holds",
        "plain.val_acc < plain.majority_acc + 0.1": "not shown",  # 9.8 points above the baseline, inside its 10, bound -0.2 (back from checks)
    }),
    "initialisation": ("inconclusive", {
        "kaiming_relu.val_acc > constant.val_acc + 0.2": "holds",
        "xavier_tanh.val_acc > constant_tanh.val_acc + 0.2": "holds",
        "kaiming_relu.val_acc > normal_tiny.val_acc + 0.2": "holds",
        "kaiming_relu_20.val_acc > xavier_relu_20.val_acc": "holds",
        "xavier_tanh.val_acc > kaiming_tanh.val_acc": "not shown",
        "xavier_tanh_40.val_acc > kaiming_tanh_40.val_acc": "holds",
        "orthogonal_relu_40.val_acc > kaiming_relu_40.val_acc - 0.03": "not shown",
        "orthogonal_relu_40_adam.val_acc > kaiming_relu_40_adam.val_acc - 0.03": "holds",
    }),
    "input-normalisation": ("reproduced", {
        "frozen_matched.val_acc > frozen_none.val_acc": "holds",
        "frozen_matched.val_acc > frozen_imagenet.val_acc": "holds",
        "proto_matched.val_acc > proto_imagenet.val_acc": "holds",
        "frozen_matched.val_acc > frozen_raw255.val_acc": "holds",
        "frozen_matched.val_acc - frozen_imagenet.val_acc > finetune_matched.val_acc - finetune_imagenet.val_acc": "holds",
    }),
    "learning-curves": ("inconclusive", {
        "small_50.gap > 0.1": "holds",
        "large_50.gap > 0.1": "holds",
        "large_50.val_acc > small_50.val_acc": "not shown",
        "large_50.gap > large_500.gap": "holds",
        "large_500.gap < 0.05": "holds",
        "large_500.val_acc > small_500.val_acc + 0.03": "holds",
        "large_500_noisy.train_acc > 0.85": "holds",  # 99.9 %: L reproduced 99.7 % of the wrong labels
        "large_500_noisy.val_acc < large_500_clean.val_acc": "holds",  # 81.6 vs 98.9 %
        "small_500_noisy.train_acc < 0.75": "holds",  # 72.0 %, bound 2.5 points under 75
        "width_16.val_acc > width_2.val_acc": "holds",  # 86.7 vs 39.1 %, bound +43.9 points (4242: +44.1)
        "width_16.val_acc > width_512.val_acc": "holds",  # 86.7 vs 73.6 %, bound +10.7 points (4242: +7.3)
    }),
    "normalisation": ("reproduced", {
        "batch_norm.epochs_to_target < no_norm.epochs_to_target": "holds",
        "group_norm_b2.val_acc > batch_norm_b2.val_acc": "holds",
        "layer_norm_b2.val_acc > batch_norm_b2.val_acc": "holds",
        "batch_norm_128.gap > 0.75 * no_norm_128.gap": "holds",
    }),
    "optimisation": ("reproduced", {
        "sgd_momentum.first_epoch_val_acc > sgd.first_epoch_val_acc + 0.2": "holds",
        "sgd_momentum.final_loss < sgd.final_loss": "holds",
        "sgd_momentum.val_acc > sgd.val_acc": "holds",
        "lr_10x_clipped.max_loss_spike < lr_10x.max_loss_spike": "holds",
        "lr_10x_clipped.val_acc > lr_10x.val_acc": "holds",
        "high_lr_clipped.val_acc < sgd_momentum.val_acc - 0.2": "holds",
        "mom95_lr0005.val_acc > lr_10x.val_acc": "holds",
        "mom95_lr0005.max_loss_spike < lr_10x.max_loss_spike": "holds",
        "mom95_lr0005.val_acc > mom50_lr005.val_acc - 0.02": "holds",
    }),
    "output-layer": ("reproduced", {
        "fresh_output.val_acc > scratch.val_acc + 0.2": "holds",
        "fresh_output.val_acc > old_output_only.val_acc + 0.2": "holds",
        "scratch.val_acc > old_output_only.val_acc - 0.03": "holds",
        "fresh_output.val_acc > all_pretrained.val_acc": "holds",
        "fresh_output.first_epoch_val_acc > all_pretrained.first_epoch_val_acc": "holds",
    }),
    "regularisation": ("inconclusive", {
        "augment.gap < none.gap": "holds",
        "augment.gap < weight_decay.gap": "holds",
        "augment.gap < dropout.gap": "holds",
        "none.epochs_to_train_target < nobn_none.epochs_to_train_target": "holds",
        "head_none.gap - head_bn.gap < head_none.gap - head_dropout_search.gap": "holds",
        "head_none.gap - head_bn.gap < 0.03": "holds",
        "head_dropout_09.train_acc < head_dropout_search.train_acc": "holds",
        "head_dropout_search.test_acc > head_dropout_09.test_acc": "not shown",
        "head_dropout_search.test_acc > head_none.test_acc": "not shown",
        "head_l2_search.gap < head_none.gap": "holds",
        "head_l2_search.test_acc > head_none.test_acc": "not shown",
        "head_l2_search.test_acc > head_l2_large.test_acc": "not shown",
        "head_l2_large.train_acc < head_l2_search.train_acc": "holds",
        "head_l2_large.weight_norm < head_adamw_same.weight_norm": "holds",
        "head_adamw_search.test_acc > head_l2_search.test_acc": "not shown",
        "head_sgd_l1_search.rel_sparsity > head_sgd_l2_search.rel_sparsity + 0.03": "not shown",
        "head_sgd_l1_search.rel_sparsity > head_sgd_none.rel_sparsity + 0.03": "not shown",
        "head_early_stop.train_acc - head_early_stop.test_acc < head_none.train_acc - head_none.test_acc": "holds",
        "head_early_stop_100.stop_regret_full > head_early_stop.stop_regret_full": "not shown",
        "head_early_stop_100.stop_gain_sd > 1.25 * head_early_stop.stop_gain_sd": "holds",
    }),
    "underfitting": ("inconclusive", {
        "more_data.val_acc > dropout.val_acc": "holds",
        "more_data.val_acc > deeper.val_acc": "holds",
        "more_data.test_acc > search.test_acc": "not shown",
        "more_data.test_acc > unfreeze_300.test_acc": "not shown",
        "more_data.test_acc > more_frozen.test_acc": "not shown",
        "more_data.test_acc > deeper.test_acc": "holds",
        "more_frozen.gap < baseline.gap": "holds",
        "more_frozen.train_acc < baseline.train_acc + 0.01": "holds",
        "more_data.train_acc > more_frozen.train_acc": "holds",
        "deeper.train_acc - baseline.train_acc > deeper.val_acc - baseline.val_acc": "holds",
        "dropout.train_acc < baseline.train_acc": "holds",
        "dropout.val_acc > baseline.val_acc - 0.02": "holds",
        "dropout.val_acc < baseline.val_acc + 0.02": "holds",
    }),
    "unfreezing": ("contradicted", {
        "all_at_head_lr.unfreeze_drop > gradual_top.unfreeze_drop": "holds",
        "gradual_top.val_acc > all_at_head_lr.val_acc": "holds",
        "gradual_top.val_acc > head_only.val_acc - 0.02": "holds",
        "gradual_top.val_acc > all_from_start.val_acc": "not shown",
        "head_only.val_acc > all_from_start.val_acc": "not shown",
        "all_from_start.gap > gradual_top.gap": "not shown",
        # 800 images: both fit them (98 %, 100 %); option B's gap narrower, not wider (-1.1 points, -2.1 to -0.1)
        "all_from_start_800.gap > gradual_top_800.gap": "not shown",
        # 800 near-domain fractal images at the stem's 0.01: gap 12.0 against 5.8 points (+6.2, bound +4.7);
        # 4242: 10.7 against 5.5 (+5.2, bound +2.8)
        "all_from_start_near.gap > gradual_top_near.gap": "holds",
        "gradual_top.val_acc > top_at_head_lr.val_acc": "not shown",
        "top_at_head_lr.unfreeze_drop > gradual_top.unfreeze_drop": "holds",
        "discriminative.val_acc > all_at_head_lr.val_acc": "holds",
        "two_rates.val_acc > one_rate.val_acc": "opposite holds",
        "head_lr_10x.val_acc > one_rate.val_acc": "holds",
        "gradual_top_bn_train.unfreeze_loss_log_ratio > gradual_top.unfreeze_loss_log_ratio": "holds",
        "gradual_top_bn_train.unfreeze_drop > gradual_top.unfreeze_drop": "holds",
        "gradual_top.val_acc > gradual_top_bn_train.val_acc": "holds",
        "bn_eval_bs4.val_acc > bn_train_bs4.val_acc": "holds",
    }),
}

# the verdicts on a second seed base (CI: --seed-base 4242); the labs were designed on the default seeds and
# checked on bases 2026, 5555 and 9000 as well (labs/README.md, "Unseen seeds"). The seven labs redesigned for
# issue 21 (augmentation, digits-augmentation, domain-similarity, few-shot, learning-curves, regularisation,
# underfitting) were designed on base 31337, checked on the fresh base 8128, and recorded on 0 and 4242 with
# TUTOR_THREADS=1: their faithful claims that did not show are recorded as not shown (few-shot's five-shot
# prototype-vs-trained-head comparison, whose opposite holds on 4242, is a check since 2026-12-07: no linked
# question asserts it; the claims register says why)
SECOND_BASE = 4242
# claims whose opposite held on seed bases nobody tuned on, kept as registered and taught in their questions'
# explanations (the claims register, and labs/README.md "Seed base 16180"): on any other base a lab may be
# contradicted by these and by no other claim
KNOWN_OPPOSITE = {
    "two_rates.val_acc > one_rate.val_acc",  # unfreezing: one shared 1e-4 beat the question's 1e-5 / 1e-3 on every base
    "flips.minority_recall > none.minority_recall",  # augmentation: flips lowered defect recall (16180)
    "shift.minority_recall > none.minority_recall",  # augmentation: shifts lowered defect recall (4242, 16180)
}
SECOND_BASE_VERDICTS = {
    "augmentation": "contradicted",  # shifts lower defect recall (-10.3 points): the question asserts they raise it
    "digits-augmentation": "inconclusive",  # hard-label mixing below plain training by 1.8 points (bound -0.1)
    "domain-similarity": "inconclusive",
    "few-shot": "reproduced",
    "heads": "inconclusive",
    "imbalance": "inconclusive",  # resampling's gap not wider than weighting's by a point (fine-tuned +1.0, flat +0.6); rare defects' gap +39.3
    "initialisation": "inconclusive",
    "input-normalisation": "reproduced",
    "learning-curves": "reproduced",
    "normalisation": "reproduced",
    "optimisation": "inconclusive",  # option B within 2 points of the stable run: +1.3 (bound -0.6) on 4242
    "output-layer": "reproduced",
    "regularisation": "inconclusive",
    "underfitting": "inconclusive",
    "unfreezing": "contradicted",
}


@pytest.mark.slow
@pytest.mark.parametrize("lab_id", sorted(EXPECTED))
def test_quick_profile_verdict(lab_id, tmp_path, request):
    base = request.config.getoption("--seed-base")
    final = list(run_lab(find_lab(lab_id), profile="quick", out=tmp_path, seeds=base))[-1]
    assert final.kind == "lab_finished"
    verdict, expected = EXPECTED[lab_id]
    if base is None:
        check_result(final.result, verdict, expected)
    elif base == SECOND_BASE:  # the verdict recorded on that base (within the band); claim by claim may differ
        check_result(final.result, SECOND_BASE_VERDICTS[lab_id], {})
    else:  # any other base: no claim has its opposite hold but those found so on untuned bases
        opposite = {c["text"] for c in final.result.to_json()["claims"] if c.get("opposite_holds")}
        assert opposite <= KNOWN_OPPOSITE, opposite - KNOWN_OPPOSITE
    assert inverted_verdict(final.result) != "reproduced"
    assert len(final.result.to_json()["seeds"]) >= 3
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
    reversed_claim = next(c for c in final.result.to_json()["claims"] if c["text"] == "dropout.val_acc > more_data.val_acc")
    assert not reversed_claim["holds"]
    assert final.verdict != "reproduced"
