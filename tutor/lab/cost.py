"""What a lab will cost, estimated from the lab file alone, before torch or any data is loaded.

An order of magnitude, not a forecast: memory is the images (float32) while they are built (the decoded
copies too) plus the cached feature tables plus one batch of the frozen-feature pass plus the largest
arm's weights with their gradients and Adam's two moments plus one batch of activations; time is making
the data (fractal classes drawn distinct from each other and from the source classes, a search that
grows with the square of the count; images rendered or decoded) plus multiply-adds (forward and
backward, every epoch, trial and seed, plus the one pass of frozen features) at `MACS_PER_S`, a slow
laptop CPU. A user's folder is counted from its files' headers (tutor.lab.data.images), never decoded.
`tutor lab` refuses a lab whose estimate passes `MAX_MEMORY_BYTES` or `MAX_SECONDS` unless given
`--allow-large` (labs/README.md, "Limits"). Torch-free (it reads the kinds' settings, never their code
that trains). tests/lab/test_lab_cost_measured.py holds the estimate to measured runs.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tutor.lab.kinds import KINDS
from tutor.lab.spec.lab import DATASET_DOMAINS

MAX_MEMORY_BYTES = 8 * 1024**3  # 8 GiB
MAX_SECONDS = 4 * 3600  # 4 hours at MACS_PER_S
MACS_PER_S = 1e10  # multiply-adds a second: 2 laptop CPU cores on small tensors
STAGES = 4  # an arm that unfreezes the top N stages trains about N / STAGES of the backbone's work

# feature dim, multiply-adds per 64 x 64 image (forward), weights: measured with forward hooks
BACKBONES = {"tutornet": (128, 16e6, 0.31e6), "resnet18": (512, 148e6, 11.2e6), "mobilenet_v3_small": (1024, 5.5e6, 1.5e6)}
# images and classes of the fixed datasets (tutor/lab/data/datasets.py)
FIXED = {"elpv": (2624, 2), "digits": (1797, 10), "oxford-pet": (7349, 37)}
PET_SPECIES = {"cat": (2371, 12), "dog": (4978, 25)}
EVALS_PER_EPOCH = 2  # validation and a training-accuracy pass over at most the same number of images
# Making the data, measured on this machine (2 busy cores): drawing fractal classes compares each candidate
# with every class kept and every source class (200 source classes: 4.2 s; 10 new ones against them: 0.8 s);
# rendering an image takes about 2 ms up to 64 px, growing with the area above; decoding a user's image a
# file's overhead plus its pixels and the resized ones.
CLASS_PAIR_S = 1.2e-4  # a candidate class against one class already drawn, rejected candidates included
NEW_PAIR_S = 4e-4  # a new class against one source class (more candidates fail the distinctness test)
RENDER_S = 2.5e-3  # one fractal image at 64 px or less
DECODE_FILE_S, DECODE_PIXEL_S = 2e-3, 3e-8  # one folder image: open, decode, resize
EXTRACT_BATCH = 256  # images per batch of the frozen-feature pass (tutor.lab.data.features.extract)
FIXED_S = 5.0  # starting Python and torch, writing the result and the plots
# Rendering a fractal class keeps every visited point of its images at once: per image `points` (600 up to
# 64 px, growing with the area) x 18 iterations, as float32 x and y and three int64 index arrays.
RENDER_POINT_BYTES = 18 * 32
RUNTIME_BYTES = 64 * 1024**2  # torch's allocator and thread pools once a model runs (measured: 50-90 MB)


@dataclass(frozen=True)
class Cost:
    memory_bytes: float
    seconds: float

    @property
    def too_large(self) -> bool:
        return self.memory_bytes > MAX_MEMORY_BYTES or self.seconds > MAX_SECONDS

    def __str__(self) -> str:
        return f"about {_bytes(self.memory_bytes)} of memory for data and weights and {_duration(self.seconds)} of training"


def limits() -> str:
    return f"{_bytes(MAX_MEMORY_BYTES)} and {_duration(MAX_SECONDS)}"


def _bytes(n: float) -> str:
    for unit, size in (("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{max(n, 0) / 1024:.3g} KiB"


def _duration(s: float) -> str:
    if s >= 86400 * 365:
        return f"{s / (86400 * 365):.3g} years"
    if s >= 86400:
        return f"{s / 86400:.3g} days"
    if s >= 3600:
        return f"{s / 3600:.3g} h"
    return f"{s / 60:.2g} min" if s >= 60 else f"{s:.2g} s"


def dataset_size(spec: Any) -> tuple[int, int]:
    """(images, classes) of a dataset spec; a user's folder is counted from its files (headers only)."""
    opts = spec.options
    if spec.name in ("fractals", "fractal-source"):
        c = _int(opts.get("classes"), 10 if spec.name == "fractals" else 100)
        return c * _int(opts.get("per_class"), 150 if spec.name == "fractals" else 200), c
    if spec.name == "oxford-pet" and opts.get("species") in PET_SPECIES:
        return PET_SPECIES[opts["species"]]
    if spec.name == "folder" and "path" in opts:
        found = _folder(str(opts["path"]))
        return len(found.files), len(found.classes)
    return FIXED.get(spec.name, (0, 2))


@functools.lru_cache(maxsize=8)
def _folder(path: str) -> Any:
    """The folder surveyed once per estimate (a DatasetUnavailable when it cannot be used: one line)."""
    from tutor.lab.data.images import survey

    return survey(Path(path).expanduser().resolve())


def data_seconds(spec: Any) -> float:
    """Seconds to make a dataset before any training: classes drawn, images rendered or decoded."""
    opts, (images, classes) = spec.options, dataset_size(spec)
    if spec.name == "fractals":
        source = _int(opts.get("source_classes"), 100)
        drawing = CLASS_PAIR_S * (source**2 + classes**2) + NEW_PAIR_S * classes * source
        return drawing + images * RENDER_S * max(1.0, (spec.size / 64) ** 2)
    if spec.name == "fractal-source":
        return CLASS_PAIR_S * classes**2 + images * RENDER_S * max(1.0, (spec.size / 64) ** 2)
    if spec.name == "folder" and "path" in opts:
        found = _folder(str(opts["path"]))
        pixels = sum(w * h for w, h in found.sizes) + images * spec.size**2
        return images * DECODE_FILE_S + pixels * DECODE_PIXEL_S
    return 0.0


def data_bytes_peak(spec: Any, backbone: str) -> float:
    """Bytes a dataset holds while it is made and its frozen features computed, beyond its float32 images:
    the decoded uint8 copies (a list, then a stack), the largest source image decoded, one batch of the
    frozen-feature pass (its activations, about the backbone's multiply-adds / 300 floats an image)."""
    images, classes = dataset_size(spec)
    largest = _folder(str(spec.options["path"])).largest_pixels if spec.name == "folder" and "path" in spec.options else 0
    if spec.name in ("fractals", "fractal-source"):  # one class rendered at a time
        largest = images / max(classes, 1) * 600 * max(1.0, (spec.size / 64) ** 2) * RENDER_POINT_BYTES / 8
    bb_macs = BACKBONES.get(backbone, BACKBONES["resnet18"])[1] * (spec.size / 64) ** 2
    return 2 * images * spec.size**2 + 8 * largest + 4 * bb_macs / 300 * min(images, EXTRACT_BATCH)


def _int(value: Any, default: int) -> int:
    try:
        return max(int(value), 0) if value is not None else default
    except (TypeError, ValueError):
        return default


def _head_weights(dims: list[int]) -> int:
    return sum(a * b + b for a, b in itertools.pairwise(dims))


def _train_images(cfg: Any, images: int, classes: int) -> float:
    added = cfg.domain.add if getattr(cfg, "domain", None) is not None else 0
    if cfg.per_class is not None:
        return cfg.per_class * classes + added
    return (cfg.train_size if cfg.train_size is not None else images * 0.6) + added


def arm_cost(cfg: Any, images: int, classes: int, size: int, backbone: str) -> tuple[float, float]:
    """(multiply-adds of one seed, bytes while it trains) of one arm: its training set as the arm holds it
    (features or images), its weights with gradients and Adam's moments, one batch of activations."""
    feat, bb_macs, bb_weights = BACKBONES.get(backbone, BACKBONES["resnet18"])
    bb_macs *= (size / 64) ** 2
    pool = images * 0.6
    train = _train_images(cfg, images, classes)
    if getattr(cfg, "model", "backbone") == "plain":
        weights = _head_weights([size * size, *[cfg.width] * cfg.depth, classes])
        per_image, acts, held = weights, cfg.width * cfg.depth, size * size
    elif getattr(cfg, "model", "backbone") == "cnn":  # its own convolutions, not the backbone's
        macs, pooled = cnn_layers(cfg, size)
        weights = sum(9 * a * b + b for a, b in itertools.pairwise([1, *cfg.channels])) + (cfg.channels[-1] + 1) * classes
        per_image, acts, held = sum(macs), 3 * pooled, size * size
    else:
        head_in = feat * (size // 32) ** 2 if cfg.pool == "flatten" else feat
        head = _head_weights([head_in, *cfg.hidden, classes])
        trains_backbone = cfg.unfreeze != 0 or KINDS.needs_images(cfg)
        share = 1.0 if cfg.unfreeze in ("all", 0) else min(int(cfg.unfreeze) / STAGES, 1.0)
        per_image = head + (bb_macs * share if trains_backbone else 0)
        weights = head + (bb_weights if trains_backbone else 0)
        acts = (bb_macs / 300 if trains_backbone else 0) + head_in + sum(cfg.hidden)
        held = size * size if trains_backbone else head_in
    epochs = KINDS.epochs(cfg)  # every trial of a search counted
    evals = min(train, pool or train) * EVALS_PER_EPOCH
    return epochs * (3 * train + evals) * per_image, 4 * train * held + 16 * weights + 8 * acts * cfg.batch_size


# A running lab's time left (tutor.study.labtime.RunClock) needs the arms' RELATIVE costs: how much longer one
# arm trains than another. Multiply-adds alone get them wrong by 3-20x (issue 24): a head on cached features
# costs its optimiser steps, a plain net its layers' overheads, a fine-tune mostly its evaluations (every
# epoch scores up to 200 training and all validation images, more than it trains on). So an arm's work is
# counted in kinds of work (`arm_work`), each priced in seconds of one core (`WORK_S`). The prices were fitted
# once (non-negative least squares on relative error: `benchmarks/bench_lab_estimate.py --fit`) to the
# per-seed seconds of 124 arms of the 15 shipped labs (idle, base 0; base 9241 gives the same), those that do
# not stop early by design; a running lab rescales them to its own pace, so only their ratios matter.
# A small CNN (`model: cnn`) is priced by its own layers (`cnn_layers`), not the backbone's: its multiply-adds
# at the backbone's prices, its modules at `module_step`, and its max pools by the elements they take in
# (`pool`): PyTorch's CPU max pooling costs ~3 ns an element, over 100 times a multiply-add, and is about half
# of a 16 px CNN's seconds. `pool` was fitted to the two such arms of heads' idle first run (early 0.353 s,
# late 0.799 s a seed; priced 0.348 and 0.813: in-sample, one price for two arms; refitting every price to
# all 134 arms of the 15 idle first runs gives the same 3.3e-9; the other prices are kept as fitted before);
# timing the pool alone (batch 32, 8 x 16 x 16, channels last, one thread, a busy machine) gave 2.6-2.9e-9.
WORK_S = {
    "fit": 4.8e-4,  # one training run: building the model and its optimiser
    "epoch": 3.5e-4,  # an epoch's own overhead (its event made and sent up from a worker included)
    "step": 1.2e-4,  # an optimiser step, whatever the model (Python, autograd, the batch)
    "module_step": 5.6e-5,  # a backbone stage's or head's module in one step (forward, backward, update)
    "plain_module_step": 2.9e-5,  # a plain net's module in one step
    "conv_train": 7.8e-12,  # a backbone multiply-add of a training image (trained stages counted 3x)
    "conv_eval": 2.3e-11,  # a backbone multiply-add of a scored image (batches of EVAL_BATCH)
    "dense": 2.5e-11,  # a fully connected multiply-add (trained ones counted 3x)
    "eval_module": 2.6e-6,  # a module in one evaluation batch
    "pool": 3.3e-9,  # an element a small CNN's max pool takes in (trained images counted 3x): see above
    "augment": 0.58,  # a training image's augmentation, in seconds of `AUGMENT_S` (measured on a busier machine)
    "episode_class": 2.1e-5,  # a prototype episode, per class (support drawn, prototypes, two query sets)
    "extract": 2.3e-11,  # a backbone multiply-add of a seed's own frozen features (not fitted: priced as conv_eval)
}
# An epoch's JSON line to the lab page (`tutor lab --json`, what a first run in the app prints), beyond "epoch"
# (fitted on runs that drew progress bars instead): tiny head arms of 420 epochs are mostly this. Set by
# replaying recorded first runs (0, 0.6, 1.2, 2 ms tried: 0.6 best on heads without moving the others).
EVENT_S = 6e-4
EVAL_BATCH = 512  # tutor.lab.models.build.EVAL_BATCH
CURVE_IMAGES = 200  # training images scored every epoch (tutor.lab.training.arm.CURVE_TRAIN_IMAGES)
STAGE_MODULES = 7  # modules of a backbone stage (two convolutions, two batch norms, activations, shortcut)
# share of the backbone's multiply-adds in each of its 5 stages (stem first), and its total stride
STAGE_SHARES = {"tutornet": (0.01, 0.30, 0.23, 0.23, 0.23), "resnet18": (0.06, 0.25, 0.23, 0.23, 0.23)}
STRIDE = {"tutornet": 16}
# Seconds of one per-image augmentation (tutor.lab.kinds.augmentation, torchvision.transforms.v2, one image at a
# time, so mostly each call's own overhead: about the same at 16, 32 and 64 px; pixel-bound above 64 px, so
# scaled by the area there). Measured once, the least of 7 interleaved repeats at 16, 32 and 64 px, one thread,
# on this machine while others worked (load 7-9): their RATIOS are what counts. The price `augment` scales them
# to the idle first runs (fitted to the 8 augmented arms of augmentation, digits-augmentation and
# regularisation, in-sample: one price; the table alone puts them at 0.46-0.69 of it). Mixup and cutmix work on
# the whole batch: not counted.
AUGMENT_S = {"hflip": 14.6e-6, "vflip": 14.8e-6, "transpose": 12.9e-6, "rotate90": 36.2e-6, "rotate180": 14.6e-6,
             "shift": 41.4e-6, "rotate": 156e-6, "brightness": 72.6e-6, "contrast": 87.2e-6, "crop": 103e-6,
             "crop_keep": 79.6e-6, "noise": 29.3e-6, "cutout": 22.3e-6, "erasing": 44.1e-6, "erase": 70.7e-6}


def splits(spec: Any) -> tuple[int, int, int]:
    """(training pool, validation, test) images of a dataset spec, as tutor.lab.data.datasets splits them
    (validation and test capped as the spec asks)."""
    images, classes = dataset_size(spec)
    if spec.name in ("fractals", "fractal-source"):
        per_class = images // max(classes, 1)
        held = classes * max(1, per_class // (6 if spec.name == "fractals" else 10))
        val = test = held
    else:
        val, test = {"elpv": (324, 500), "digits": (300, 500)}.get(spec.name, (round(0.1 * images), round(0.2 * images)))
    pool = max(0, images - val - test)  # a cap leaves the held-out images out of the pool all the same
    return pool, min(val, spec.val or val), min(test, spec.test or test)


def domain_splits(cfg: Any, spec: Any) -> tuple[int, int, int, int]:
    """(training pool the arm draws from, validation, test, added images) of an arm, its `domain` counted
    (tutor/lab/spec/lab.py DATASET_DOMAINS): the `train` domain's part of the pool, the `eval` domain's share
    of validation and test (capped ones in proportion), and the `add` images that join its training set."""
    pool, val, test = splits(spec)
    split, known = getattr(cfg, "domain", None), DATASET_DOMAINS.get(spec.name)
    if split is None or known is None:
        return pool, val, test, 0
    if split.train in known:
        pool = known[split.train]["train"]
    if split.eval in known:
        val = round(val * known[split.eval]["val"] / sum(c["val"] for c in known.values()))
        test = round(test * known[split.eval]["test"] / sum(c["test"] for c in known.values()))
    return pool, val, test, split.add


def cnn_layers(cfg: Any, size: int) -> tuple[list[float], float]:
    """A small CNN's (`model: cnn`, tutor/lab/models/smallcnn.py) multiply-adds per image of each convolution, and
    the elements per image its max pools take in. The pools sit right after the first convolution (`early`: the
    later ones run on the pooled map) or after the last (`late`: every convolution at full size, each pool
    taking in the whole map): the same weights, and for heads' 8-16-16 channels at 16 px 41 times the
    multiply-adds and twice the pooling."""
    widths = [1, *cfg.channels]  # every dataset is grayscale: one input channel
    at = 1 if cfg.downsample == "early" else len(cfg.channels)  # the pools come after this many convolutions
    side, macs, pooled = size, [], 0.0
    for i, (c_in, c_out) in enumerate(itertools.pairwise(widths)):
        if i == at:
            side, pooled = _pools(side, c_in, cfg.max_pools)
        macs.append(float(side * side * 9 * c_in * c_out))
    if at == len(cfg.channels):
        side, pooled = _pools(side, widths[-1], cfg.max_pools)
    return macs, pooled


def _pools(side: int, channels: int, pools: int) -> tuple[int, float]:
    """The map's side after `pools` 2 x 2 max pools, and the elements they take in."""
    taken = 0.0
    for _ in range(pools):
        taken += channels * side * side
        side = max(1, side // 2)
    return side, taken


def augment_seconds(cfg: Any, size: int) -> float:
    """`AUGMENT_S` of one training image's augmentations (every epoch augments every training image)."""
    names = [name for name, _ in getattr(cfg, "augment", None) or []]
    return sum(AUGMENT_S.get(name, 0.0) for name in names) * max(1.0, (size / 64) ** 2)


def arm_work(cfg: Any, spec: Any, backbone: str) -> dict[str, float]:
    """One seed of an arm, counted in the kinds of work `WORK_S` prices (every trial of a search)."""
    pool, val, test, added = domain_splits(cfg, spec)
    images, classes = dataset_size(spec)
    feat, bb_macs, _ = BACKBONES.get(backbone, BACKBONES["resnet18"])
    stages = [share * bb_macs * (spec.size / 64) ** 2 for share in STAGE_SHARES.get(backbone, STAGE_SHARES["resnet18"])]
    n = len(stages)
    whole = KINDS.needs_images(cfg) or cfg.unfreeze == "all" or (cfg.unfreeze != 0 and int(cfg.unfreeze) >= n)
    # a random backbone's frozen features (or lower-stage activations) are the seed's own: built for each seed
    tables = images * sum(stages[:n - (0 if cfg.unfreeze in (0, "all") else int(cfg.unfreeze))]) \
        if cfg.backbone == "random" and not whole and getattr(cfg, "model", "backbone") == "backbone" else 0.0
    if getattr(cfg, "method", "train") == "prototype":
        return {"fit": 1.0, "epoch": 1.0, "episode_class": float(cfg.episodes * classes), "extract": tables}
    train = cfg.per_class * classes if cfg.per_class is not None else cfg.train_size if cfg.train_size is not None else pool
    train += added
    runs = max(1, KINDS.epochs(cfg) // max(1, cfg.epochs))  # a search's trials
    epochs = cfg.epochs
    steps = epochs * math.ceil(train / max(1, cfg.batch_size))
    scored = epochs * (min(train, CURVE_IMAGES) + val) + train + val + test  # every epoch's scores and the final ones
    batches = epochs * (math.ceil(min(train, CURVE_IMAGES) / EVAL_BATCH) + math.ceil(val / EVAL_BATCH)) + 3
    if getattr(cfg, "occlude", None) is not None:  # the final model scored again on occluded val and test images
        scored += val + test
        batches += math.ceil(val / EVAL_BATCH) + math.ceil(test / EVAL_BATCH)
    pooled = 0.0
    if getattr(cfg, "model", "backbone") == "plain":
        dims = [spec.size * spec.size, *[cfg.width] * cfg.depth, classes]
        modules = cfg.depth * (3 if cfg.norm != "none" else 2) + 1
        work = {"plain_module_step": steps * modules, "eval_module": batches * modules}
        conv_train = conv_eval = 0.0
    elif getattr(cfg, "model", "backbone") == "cnn":  # a small CNN from scratch: its own layers, every one trained
        macs, pooled = cnn_layers(cfg, spec.size)
        dims = [cfg.channels[-1], classes]
        modules = len(cfg.channels) * (3 if cfg.norm == "batch" else 2) + cfg.max_pools + 1
        work = {"module_step": steps * modules, "eval_module": batches * modules}
        conv_train, conv_eval = 3 * sum(macs), sum(macs)
    else:
        cells = max(1, spec.size // STRIDE.get(backbone, 32)) ** 2
        dims = [feat * cells if cfg.pool == "flatten" else feat, *cfg.hidden, classes]
        head_modules = 3 * len(cfg.hidden) + 1
        if whole:
            trained = n if cfg.unfreeze == "all" else min(n, int(cfg.unfreeze))  # images every step
            top = sum(stages[n - trained:])
            conv_train, conv_eval = 3 * top + sum(stages) - top, top if trained < n else sum(stages)
            bb_modules = n * STAGE_MODULES
        elif cfg.unfreeze != 0:  # the top stages on cached lower-stage activations
            top = sum(stages[n - int(cfg.unfreeze):])
            conv_train, conv_eval, bb_modules = 3 * top, top, int(cfg.unfreeze) * STAGE_MODULES
        else:  # a head on cached features
            conv_train = conv_eval = 0.0
            bb_modules = 0
        modules = head_modules + bb_modules
        work = {"module_step": steps * modules, "eval_module": batches * modules}
    dense = sum(a * b for a, b in itertools.pairwise(dims))
    work.update({"fit": 1.0, "epoch": float(epochs), "step": float(steps), "conv_train": epochs * train * conv_train,
                 "conv_eval": scored * conv_eval,
                 "dense": 3 * steps * cfg.batch_size * dense + scored * dense,
                 "pool": epochs * train * 3 * pooled + scored * pooled,
                 "augment": epochs * train * augment_seconds(cfg, spec.size)})
    return {**{k: runs * v for k, v in work.items()}, "extract": tables}


def arm_seconds(lab: Any, profile: str, arms: list[str] | None = None) -> dict[str, float]:
    """Arm -> seconds one seed of it trains on one core of the machine `WORK_S` was fitted on: the arms'
    relative costs, which a running lab's time left scales to the pace this machine shows
    (tutor.study.labtime.RunClock). A random backbone's per-seed features are priced for the first arm that
    builds them only: the arms after it with the same table (dataset, frozen stages, pooling, input transform)
    find each seed's in the feature cache (tutor.lab.runner.prepare.table_for)."""
    specs = lab.datasets(profile)
    backbone = lab.file.backbone.name
    out, built = {}, set()
    for name, cfg in lab.arm_configs(profile, arms).items():
        work = arm_work(cfg, specs[lab.dataset_key(cfg)], backbone)
        table = (lab.dataset_key(cfg), cfg.unfreeze, cfg.pool, repr(sorted(KINDS.feature_key(cfg).items())))
        if work["extract"] and table in built:
            work["extract"] = 0.0
        elif work["extract"]:
            built.add(table)
        out[name] = sum(WORK_S[k] * v for k, v in work.items()) + EVENT_S * work["epoch"]
    return out


def estimate(lab: Any, profile: str, arms: list[str] | None = None) -> Cost:
    """The cost of `tutor lab` for this lab, profile and arms (see the module docstring)."""
    configs = lab.arm_configs(profile, arms)
    seeds = lab.profile(profile).seeds
    specs = lab.datasets(profile)
    backbone = lab.file.backbone.name
    feat, bb_macs, _ = BACKBONES.get(backbone, BACKBONES["resnet18"])
    data_bytes = macs = building = peak = 0.0
    _folder.cache_clear()  # a folder is read afresh for each estimate (its files may have changed)
    for spec in specs.values():
        images, _ = dataset_size(spec)
        data_bytes += images * spec.size**2 * 4
        macs += images * bb_macs * (spec.size / 64) ** 2  # the frozen features, once
        building += data_seconds(spec)
        peak = max(peak, data_bytes_peak(spec, backbone))
    model_bytes = 0.0
    for cfg in configs.values():
        spec = specs[lab.dataset_key(cfg)]
        images, classes = dataset_size(spec)
        seed_macs, arm_bytes = arm_cost(cfg, images, classes, spec.size, backbone)
        macs += seeds * seed_macs
        model_bytes = max(model_bytes, arm_bytes)
    tables = data_bytes / (4 * 64 * 64) * feat * 4 * 2  # two feature tables per image at most
    return Cost(memory_bytes=RUNTIME_BYTES + data_bytes + tables + peak + model_bytes,
                seconds=FIXED_S + building + macs / MACS_PER_S)
