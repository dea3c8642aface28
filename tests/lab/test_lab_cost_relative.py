"""The arms' relative costs (`tutor.lab.cost.arm_seconds`), which a first run's time left scales to the run's
own pace (issue 24: priced by multiply-adds alone, a fine-tune cost 3 times too little next to a head and a
plain net's small batches 4 times too little). Held here to the seconds per seed every arm of the shipped
labs measured (the `seconds` metric of an idle run of all 15 labs, base 0, two one-thread workers, the data
`benchmarks/bench_lab_estimate.py --fit` fitted `cost.WORK_S` to), relative to the median arm: the scale
is the machine's, the ratios are the model's. Arms that stop early by design (early stopping, a NaN) are
left out: their epochs are not known before they run. Constants, not timings: nothing is timed here.
After a lab's quick profile changes, measure again (benchmarks/bench_labs.py) and refit.
"""

from __future__ import annotations

import statistics

import pytest

from tutor.lab import cost
from tutor.lab.spec import find_lab

# lab -> arm -> measured seconds per seed (quick profile)
MEASURED = {
    "augmentation": {"none": 1.156, "flips": 1.039, "shift": 0.95, "crop40": 1.019, "erase_half": 0.994,
        "over": 1.451},
    "digits-augmentation": {"digits_none": 0.873, "digits_shift_rotate": 1.038, "digits_flip_rot180": 0.953},
    "domain-similarity": {"near_small_extract": 0.052, "near_small_finetune": 1.611, "near_small_scratch": 1.601,
        "near_large_extract": 0.18, "near_large_finetune": 1.435, "near_large_scratch": 3.191,
        "far_small_extract": 0.033, "far_small_finetune": 0.832, "far_small_scratch": 0.846,
        "far_large_extract": 0.144, "far_large_finetune": 2.458, "far_large_scratch": 2.477,
        "cells_pretrained": 1.174, "cells_scratch": 1.163},
    "few-shot": {"cosine_1shot": 0.079, "cosine_5shot": 0.082, "euclid_1shot": 0.086, "euclid_5shot": 0.089,
        "random_1shot": 0.08, "random_5shot": 0.085, "linear_5shot": 0.023, "linear_1shot": 0.016},
    "heads": {"gap_linear": 0.03, "flatten_linear": 0.084, "gap_small": 0.04, "gap_large": 0.767,
        "flatten_large": 1.249, "digits_gap_linear": 0.022, "digits_flatten_linear": 0.045, "digits_gap_large": 0.55,
        "digits_gap_large_dropout": 0.592, "digits_gap_large_bn": 0.567, "cells_linear": 0.285,
        "cells_hidden": 0.721, "early_pool": 0.353, "late_pool": 0.799},  # the CNNs: idle first run, 2026-12-07
    "imbalance": {"plain": 0.104, "weighted": 0.105, "resampled": 0.108, "plain_ft": 0.796, "weighted_ft": 0.791,
        "resampled_ft": 0.795},
    "initialisation": {"constant": 0.334, "normal_tiny": 0.332, "kaiming_relu": 0.333, "constant_tanh": 0.304,
        "xavier_tanh": 0.304, "kaiming_tanh": 0.304, "xavier_relu_20": 0.572, "kaiming_relu_20": 0.575,
        "xavier_relu_40": 1.056, "kaiming_relu_40": 1.056, "orthogonal_relu_40": 1.058, "xavier_tanh_40": 1.16,
        "kaiming_tanh_40": 1.161},
    "input-normalisation": {"frozen_matched": 0.032, "frozen_none": 0.032, "frozen_raw255": 0.032,
        "frozen_imagenet": 0.032, "proto_matched": 0.021, "proto_none": 0.021, "proto_imagenet": 0.021,
        "finetune_matched": 1.367, "finetune_imagenet": 1.37},
    "learning-curves": {"small_50": 0.042, "small_200": 0.04, "small_500": 0.048, "large_50": 1.38,
        "large_200": 1.451, "large_500": 1.667},
    "normalisation": {"no_norm": 0.248, "batch_norm": 0.377, "no_norm_128": 0.238, "batch_norm_128": 0.346,
        "batch_norm_b2": 0.91, "layer_norm_b2": 0.828, "group_norm_b2": 0.871},
    "optimisation": {"sgd": 0.176, "sgd_momentum": 0.193, "high_lr_clipped": 0.238},
    "output-layer": {"scratch": 1.094, "all_pretrained": 1.085, "fresh_output": 1.09, "old_output_only": 1.101},
    "regularisation": {"none": 1.078, "augment": 1.189, "dropout": 1.081, "weight_decay": 1.084, "nobn_none": 0.963,
        "nobn_wd": 0.967, "head_none": 0.375, "head_dropout_09": 0.445, "head_dropout_search": 1.406,
        "head_l2_search": 1.721, "head_l2_huge": 0.431, "head_adamw_search": 1.527, "head_l2_same": 0.431,
        "head_adamw_same": 0.38, "head_l1_search": 1.271},
    "underfitting": {"baseline": 0.06, "dropout": 0.075, "deeper": 0.5, "search": 0.643, "unfreeze_300": 1.7,
        "more_frozen": 0.051, "more_data": 1.317},
    "unfreezing": {"head_only": 0.023, "gradual_top": 0.332, "gradual_top_bn_train": 0.32, "top_at_head_lr": 0.332,
        "all_at_head_lr": 0.836, "all_from_start": 0.858, "discriminative": 0.843, "two_rates": 0.27,
        "one_rate": 0.266, "bn_train_bs4": 0.866, "bn_eval_bs4": 0.873},
}
LOW, HIGH = 0.6, 1.45  # an arm's priced / measured, over the median arm's: the first run's clock absorbs the rest


def training_seconds(lab_id: str, arms: list[str]) -> dict[str, float]:
    """The priced seconds per seed without the seed's own frozen features (the `seconds` metric leaves them out)."""
    lab = find_lab(lab_id)
    specs = lab.datasets("quick")
    out = {}
    for arm, cfg in lab.arm_configs("quick", arms).items():
        work = cost.arm_work(cfg, specs[lab.dataset_key(cfg)], lab.file.backbone.name)
        out[arm] = sum(cost.WORK_S[k] * v for k, v in work.items() if k != "extract")
    return out


def test_every_arm_is_priced_near_what_it_measured_next_to_the_others():
    ratios = {}
    for lab_id, arms in MEASURED.items():
        priced = training_seconds(lab_id, [a for a in arms if a in find_lab(lab_id).arm_names])  # an arm since removed: skipped
        ratios.update({f"{lab_id}/{arm}": priced[arm] / seconds for arm, seconds in arms.items() if arm in priced})
    middle = statistics.median(ratios.values())
    off = {arm: round(r / middle, 2) for arm, r in ratios.items() if not LOW <= r / middle <= HIGH}
    assert not off


@pytest.mark.parametrize("lab_id, cheap, dear, at_least", [
    ("underfitting", "baseline", "unfreeze_300", 15),  # a head on cached features vs the top stage on activations
    ("learning-curves", "small_500", "large_500", 15),  # a head vs a whole backbone fine-tuned
    ("normalisation", "batch_norm", "batch_norm_b2", 2),  # 13 steps an epoch vs 200 of a batch of 2
    ("initialisation", "kaiming_relu", "kaiming_relu_40", 2.5),  # 10 layers vs 40
    ("heads", "early_pool", "late_pool", 2),  # same CNN weights, convolutions at 16 px instead of 1 px (2.3x measured)
    ("augmentation", "shift", "over", 1.25),  # one cheap transform vs rotation, two colour jitters and a crop (1.45x)
    ("digits-augmentation", "digits_none", "digits_shift_rotate", 1.1),  # no transform vs shift and rotation (1.17x)
])
def test_what_costs_more_is_priced_higher(lab_id, cheap, dear, at_least):
    priced = cost.arm_seconds(find_lab(lab_id), "quick", [cheap, dear])
    assert priced[dear] >= at_least * priced[cheap]


def test_a_random_backbones_features_are_priced_for_each_seed():
    """A random backbone's frozen features are the seed's own: a first run extracts them once per seed (few-shot:
    0.3 s each, four times an episode loop's cost), the pretrained one's once for all."""
    priced = cost.arm_seconds(find_lab("few-shot"), "quick", ["cosine_1shot", "random_1shot"])
    assert priced["random_1shot"] > 3 * priced["cosine_1shot"]


@pytest.mark.parametrize("downsample", ["early", "late"])
@pytest.mark.parametrize("channels, max_pools, size", [([8, 16, 16], 4, 16), ([16, 32, 32], 2, 28), ([4, 8], 3, 9)])
def test_a_small_cnn_is_counted_from_its_own_layers(downsample, channels, max_pools, size):
    """`cost.cnn_layers` counts what tutor/lab/models/smallcnn.py builds: each convolution's multiply-adds per
    image and the elements its max pools take in, read here off the real network with forward hooks."""
    import torch
    from torch import nn

    from tutor.lab.models.smallcnn import SmallCNN

    net = SmallCNN(10, tuple(channels), downsample, max_pools, norm="batch")
    macs: list[float] = []
    pooled: list[float] = []

    def seen(module, inputs, output):
        if isinstance(module, nn.Conv2d):
            macs.append(output[0].numel() * module.in_channels * module.kernel_size[0] * module.kernel_size[1])
        elif isinstance(module, nn.MaxPool2d):
            pooled.append(inputs[0][0].numel())

    for m in net.modules():
        m.register_forward_hook(seen)
    net.eval()
    with torch.no_grad():
        net(torch.zeros(1, 1, size, size))
    cfg = type("Cfg", (), {"channels": channels, "downsample": downsample, "max_pools": max_pools})()
    assert cost.cnn_layers(cfg, size) == (macs, sum(pooled))


def test_a_random_backbones_features_are_priced_once_for_each_seed():
    """The next arm on the same random backbone and table finds each seed's features in the feature cache (the
    idle first run of few-shot: random_5shot after random_1shot took 0.05 s a seed, as the pretrained prototype
    arms did, against random_1shot's 0.14): only the first arm that builds them pays for them."""
    lab = find_lab("few-shot")
    priced = cost.arm_seconds(lab, "quick", ["random_1shot", "random_5shot", "cosine_5shot"])
    assert priced["random_5shot"] < 1.5 * priced["cosine_5shot"] < priced["random_1shot"]
    alone = cost.arm_seconds(lab, "quick", ["random_5shot"])  # run on its own, it builds them
    assert alone["random_5shot"] > 3 * priced["random_5shot"]


def test_every_per_image_augmentation_is_priced():
    """A transform the table lacks would be priced as free: the lab page's first-run count would run out early."""
    from tutor.lab.kinds.augmentation import AUGMENTATIONS, BATCH_AUGMENTATIONS

    assert set(cost.AUGMENT_S) == set(AUGMENTATIONS) - set(BATCH_AUGMENTATIONS)
