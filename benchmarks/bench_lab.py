"""Lab engine speed, in one run:

1. A frozen arm (frozen backbone + linear head, elpv, 300 training images, 30 epochs) with the on-disk
   feature cache vs a naive loop that runs the backbone over the images every epoch. Goal: >= 10x.
2. The fine-tuning loop's achieved FLOP/s (FLOPs counted by torch's FlopCounterMode for one training
   step, times measured images/s) as a fraction of this machine's measured float32 matmul throughput.

    python benchmarks/bench_lab.py [--device cpu] [--epochs 30] [--dataset elpv]

Timings on a shared machine are noisy; run it twice and compare.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="auto")
    ap.add_argument("--dataset", default="elpv")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--train", type=int, default=300)
    ap.add_argument("--size", type=int, default=64)
    args = ap.parse_args()
    os.environ.setdefault("TUTOR_HOME", tempfile.mkdtemp(prefix="bench-lab-"))

    import torch
    from torch.utils.flop_counter import FlopCounterMode

    from tutor.lab.data import datasets
    from tutor.lab.data.features import cached_features, extract, state_hash
    from tutor.lab.models import backbones
    from tutor.lab.models.heads import Net, make_head
    from tutor.lab.runner.arm import train_arm
    from tutor.lab.kinds import ArmConfig
    from tutor.lab.training import arm as train
    from tutor.lab.device import configure_threads, pick_device
    from tutor.lab.threads import calibrate_threads

    dev = pick_device(args.device)
    configure_threads()
    threads = calibrate_threads(dev)  # what a lab run does (1 thread when the cores are busy elsewhere)
    try:
        pre, _ = backbones.load_backbone("tutornet")
        which = "shipped tutornet"
    except Exception:  # timing does not depend on the weights
        torch.manual_seed(0)
        pre, _ = backbones.load_backbone("tutornet", pretrained=False)
        which = "tutornet (random weights: no shipped checkpoint)"
    pre.to(dev)
    print(f"device {dev}, {threads} threads, torch {torch.__version__}, backbone {which}")

    ds = datasets.load(args.dataset, size=args.size)
    idx = datasets.sample(ds.splits["train"], ds.y, n=args.train, seed=0)
    x, y = ds.x.to(dev), ds.y.to(dev)
    cfg = ArmConfig(epochs=args.epochs, lr=0.003, batch_size=32, train_size=args.train)
    n_cls = len(ds.classes)

    def run(data: train.ArmData, make) -> float:
        parts = train.ModelParts(make_backbone=make, feature_dim=pre.feature_dim, source_head=None, image_size=args.size)
        t0 = time.perf_counter()
        gen = train_arm(cfg, data, parts, seed=0, device=dev, arm="bench")
        try:
            while True:
                next(gen)
        except StopIteration:
            pass
        return time.perf_counter() - t0

    # --- 1. frozen arm: cached features vs the backbone every epoch
    key = {"dataset": args.dataset, "size": args.size, "options": {}}
    h = state_hash(pre)
    t0 = time.perf_counter()
    extract(pre, ds.x, dev)  # what a cold cache costs (the cache below may already be warm)
    cold_extract = time.perf_counter() - t0
    cached_features(pre, ds.x, device=dev, key=key, weights_hash=h)
    t0 = time.perf_counter()
    feats, hit, _ = cached_features(pre, ds.x, device=dev, key=key, weights_hash=h)
    warm_load = time.perf_counter() - t0
    assert hit
    table = torch.from_numpy(feats).to(dev)
    feat_data = train.ArmData(train.subset(table, y, idx, dev), train.subset(table, y, ds.splits["val"], dev),
                              train.subset(table, y, ds.splits["test"], dev), n_cls, mode="head")
    run(feat_data, None)  # warm-up (optimizer import etc.)
    cached = warm_load + run(feat_data, None)
    import copy

    img_data = train.ArmData(train.subset(x, y, idx, dev), train.subset(x, y, ds.splits["val"], dev),
                             train.subset(x, y, ds.splits["test"], dev), n_cls, mode="full")
    naive = run(img_data, lambda: copy.deepcopy(pre))
    print(f"\n1. frozen arm ({args.dataset}, {args.train} train / {len(ds.splits['val'])} val images, {args.epochs} epochs)")
    print(f"   feature extraction, all {len(ds)} images (cold cache): {cold_extract:6.2f} s")
    print(f"   with the feature cache (warm: load + train the head):  {cached:6.2f} s")
    print(f"   naive (backbone over the images every epoch):          {naive:6.2f} s")
    print(f"   speed-up: {naive / cached:5.1f}x warm (goal >= 10x); {naive / (cold_extract + cached - warm_load):5.1f}x "
          f"including a cold extraction")

    # --- 2. FLOP/s of the fine-tuning loop vs measured matmul throughput
    n = 1024 if dev.type == "cpu" else 8192
    a = torch.randn(n, n, device=dev)
    b = torch.randn(n, n, device=dev)
    for _ in range(2):
        a @ b
    reps = 5
    _sync(dev)
    t0 = time.perf_counter()
    for _ in range(reps):
        a @ b
    _sync(dev)
    peak = 2 * n**3 * reps / (time.perf_counter() - t0)

    ft_cfg = ArmConfig(epochs=3, lr=0.001, batch_size=64, unfreeze="all")
    net = Net(copy.deepcopy(pre), make_head(ft_cfg, pre.feature_dim, n_cls, None, None)).to(dev)
    net = net.to(memory_format=torch.channels_last)
    xb = x[idx[:64]].contiguous(memory_format=torch.channels_last)
    yb = y[idx[:64]]
    with FlopCounterMode(display=False) as counter:
        torch.nn.functional.cross_entropy(net(xb), yb).backward()
    flops_per_image = counter.get_total_flops() / len(xb)
    cfg_ft = ft_cfg.model_copy(update={"train_size": args.train})
    big = datasets.sample(ds.splits["train"], ds.y, n=min(1000, len(ds.splits["train"])), seed=1)
    ft_data = train.ArmData(train.subset(x, y, big, dev), train.subset(x, y, ds.splits["val"][:64], dev),
                            train.subset(x, y, ds.splits["test"][:64], dev), n_cls, mode="full",
                            train_eval=train.subset(x, y, big[:64], dev))
    parts = train.ModelParts(make_backbone=lambda: copy.deepcopy(pre), feature_dim=pre.feature_dim, source_head=None,
                             image_size=args.size)
    # time only the optimisation steps: epochs minus the (small) evaluation, measured per epoch
    gen = train_arm(cfg_ft, ft_data, parts, seed=0, device=dev, arm="bench")
    t0 = time.perf_counter()
    steps_time = []
    try:
        while True:
            next(gen)
            steps_time.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
    except StopIteration:
        pass
    per_epoch = min(steps_time)  # best epoch (first one includes warm-up)
    imgs_per_s = len(big) / per_epoch
    achieved = flops_per_image * imgs_per_s
    print(f"\n2. fine-tuning loop (all layers, {args.size} px, batch 64, {len(big)} images/epoch incl. a small evaluation)")
    print(f"   {flops_per_image / 1e6:.1f} MFLOP per training image (forward + backward, FlopCounterMode)")
    print(f"   {imgs_per_s:,.0f} images/s -> {achieved / 1e9:.2f} GFLOP/s achieved")
    print(f"   matmul {n}x{n} float32: {peak / 1e9:.1f} GFLOP/s measured")
    print(f"   training loop reaches {100 * achieved / peak:.1f} % of the measured matmul throughput")
    return 0


def _sync(dev) -> None:
    import torch

    if dev.type == "cuda":
        torch.cuda.synchronize()


if __name__ == "__main__":
    raise SystemExit(main())
