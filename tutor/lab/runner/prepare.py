"""What a lab's arms train on: its datasets (validation/test capped as the spec asks), its backbone, and the
cached tables of frozen features or lower-stage activations, built once and shared by the arms and seeds."""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch

from tutor.lab.kinds import KINDS
from tutor.lab.data import datasets, domains
from tutor.lab.data.features import cached_features, state_hash
from tutor.i18n import N_
from tutor.lab.errors import LabError
from tutor.lab.events import Event, Stage
from tutor.lab.models import backbones
from tutor.lab.spec.settings import CoreSettings
from tutor.lab.training.arm import CURVE_TRAIN_IMAGES, ArmData, ModelParts, subset

FIXED_SUBSAMPLE_SEED = 0  # validation/test caps take the same images on every run


class LoadedData:
    """One loaded dataset of the lab, with its validation/test indices (capped as the spec asks)."""

    def __init__(self, key: str, spec, dev: torch.device):
        self.key, self.spec = key, spec
        self.ds = datasets.load(spec.name, size=spec.size, **spec.options)
        ds = self.ds
        self.val_idx, self.test_idx = ds.splits["val"], ds.splits["test"]
        if spec.val:
            self.val_idx = datasets.sample(self.val_idx, ds.y, n=min(spec.val, len(self.val_idx)), seed=FIXED_SUBSAMPLE_SEED)
        if spec.test:
            self.test_idx = datasets.sample(self.test_idx, ds.y, n=min(spec.test, len(self.test_idx)), seed=FIXED_SUBSAMPLE_SEED)
        self.x = ds.x.to(dev)
        self.y = ds.y.to(dev)
        self.cache_key = {"dataset": spec.name, "size": spec.size, "options": spec.options}

    def held_out(self, cfg: CoreSettings) -> tuple[np.ndarray, np.ndarray]:
        """The arm's validation and test images: the lab's, or only its `domain`'s `eval` images."""
        name = cfg.domain.eval if cfg.domain is not None else None
        return (domains.held_out(self.val_idx, self.ds, name, "validation"),
                domains.held_out(self.test_idx, self.ds, name, "test"))

    def info(self) -> dict[str, Any]:
        return {"name": self.spec.name, "size": self.spec.size, "options": self.spec.options, "classes": self.ds.classes,
                "train_pool": int(len(self.ds.splits["train"])), "val": int(len(self.val_idx)),
                "test": int(len(self.test_idx)), "license": self.ds.license}


def arm_mode(cfg: CoreSettings, n_stages: int) -> str:
    """How an arm trains: "head" (cached frozen features), "top" (cached lower-stage activations), "full"."""
    if KINDS.needs_images(cfg):  # augmentation, gradual unfreezing, a plain net: images every step
        return "full"
    if cfg.unfreeze == 0:
        return "head"
    if cfg.unfreeze == "all" or int(cfg.unfreeze) >= n_stages:
        return "full"
    return "top"


def arm_labels(cfg: CoreSettings, d: LoadedData, idx: np.ndarray, seed: int) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Every image's label as this arm sees it, and its training images' labels as drawn when a kind (label
    noise) replaced some of them: (`d.y` itself, None), or (a copy with the replaced labels, the drawn ones).
    The shared tensor is never changed."""
    t = torch.from_numpy(np.asarray(idx, dtype=np.int64)).to(d.y.device)
    drawn = d.y[t]
    before = drawn.cpu().numpy()
    given = KINDS.train_labels(cfg, before, np.asarray(idx, dtype=np.int64), len(d.ds.classes), seed)
    if given is before:
        return d.y, None
    y = d.y.clone()
    y[t] = torch.as_tensor(given, dtype=y.dtype).to(y.device)
    return y, drawn


def train_indices(cfg: CoreSettings, d: LoadedData, seed: int) -> np.ndarray:
    """The arm's training images (dataset indices) for the seed: drawn from the training pool, or from its
    `domain`'s `train` part, plus the domain's `add` images (tutor/lab/data/domains.py)."""
    split = cfg.domain
    pool = d.ds.splits["train"]
    if split is None:
        return _drawn(cfg, d, pool, seed)
    part = domains.part(pool, d.ds, split.train) if split.train is not None else pool
    try:
        idx = _drawn(cfg, d, part, seed)
    except LabError as exc:
        raise LabError(f"domain: training images of '{split.train or d.ds.name}': {exc}") from None
    if split.add and split.eval is not None:
        idx = domains.with_added(idx, pool, d.ds, split.eval, split.add, seed)
    return idx


def _drawn(cfg: CoreSettings, d: LoadedData, pool: np.ndarray, seed: int) -> np.ndarray:
    """A kind's own draw from `pool` (a rare minority), else `per_class` or `train_size` drawn stratified, else
    the whole pool."""
    own = KINDS.train_indices(cfg, pool, d.ds.y.cpu().numpy(), len(d.ds.classes), seed)
    if own is not None:
        return own
    if cfg.per_class is not None:
        return datasets.sample(pool, d.ds.y, per_class=cfg.per_class, seed=seed)
    if cfg.train_size is not None:
        return datasets.sample(pool, d.ds.y, n=cfg.train_size, seed=seed)
    return pool


@torch.inference_mode()
def _prefix(net: torch.nn.Module, x: torch.Tensor, frozen: int, batch: int = 256) -> torch.Tensor:
    """Activations after the first `frozen` stages (eval mode) for all images."""
    net.eval()
    out = []
    for i in range(0, len(x), batch):
        h = net.normalize(x[i:i + batch]).contiguous(memory_format=torch.channels_last)
        for stage in list(net.stages)[:frozen]:
            h = stage(h)
        out.append(h)
    return torch.cat(out).contiguous(memory_format=torch.channels_last)


def random_backbone(name: str, seed: int) -> torch.nn.Module:
    """The backbone's architecture, randomly initialised from `seed` (same seed -> same weights)."""
    torch.manual_seed(seed)
    net, _ = backbones.load_backbone(name, pretrained=False)
    return net


class Workbench:
    """The lab's datasets, backbone and cached tables; `state` receives their timings and descriptions."""

    def __init__(self, data_specs: dict, bb_name: str, bb_weights: str | None, dev: torch.device, state: Any):
        self.data_specs, self.bb_name, self.bb_weights, self.dev, self.state = data_specs, bb_name, bb_weights, dev, state
        self.loaded: dict[str, LoadedData] = {}
        self.tables: dict[Any, torch.Tensor] = {}
        state.timings["dataset_s"] = 0.0
        state.timings["features_s"] = 0.0

    def load_backbone(self, configs: dict[str, Any]) -> Iterator[Event]:
        t = time.perf_counter()
        needs_pretrained = any(KINDS.uses_backbone(c) and (c.backbone == "pretrained" or c.output_layer == "pretrained")
                               for c in configs.values())
        self.source_head, self.pre_hash = None, None
        if needs_pretrained:
            yield Stage.of(N_("loading backbone {name}"), name=self.bb_name)
            self.pre, self.source_head = backbones.load_backbone(self.bb_name, pretrained=True, weights=self.bb_weights)
            self.pre_hash = state_hash(self.pre)
        else:
            self.pre = random_backbone(self.bb_name, 0)
        self.pre.to(self.dev)
        self.feature_dim = self.pre.feature_dim
        self.n_stages = len(self.pre.stages)
        self.state.backbone_info = {"name": self.bb_name, "weights": self.bb_weights or "shipped/default",
                                    "sha256_state": self.pre_hash, "feature_dim": self.feature_dim, "stages": self.n_stages}
        self.state.timings["backbone_s"] = time.perf_counter() - t

    def data_for(self, key: str) -> Iterator[Event]:
        if key in self.loaded:
            return
        spec = self.data_specs[key]
        yield Stage.of(N_("loading dataset {name} ({size} px)"), name=spec.name, size=spec.size)
        t = time.perf_counter()
        self.loaded[key] = LoadedData(key, spec, self.dev)
        self.state.timings["dataset_s"] += time.perf_counter() - t
        info = self.loaded[key].info()
        if key == "default":
            self.state.data_info = info
        else:
            self.state.data_info[key] = info

    def backbone_of(self, kind: str, seed: int) -> torch.nn.Module:
        return self.pre if kind == "pretrained" else random_backbone(self.bb_name, seed).to(self.dev)

    def maker(self, cfg: CoreSettings, seed: int):
        """A function giving a fresh backbone for this arm and seed (as the arm feeds it)."""
        if cfg.backbone == "pretrained":
            make = lambda: copy.deepcopy(self.pre)  # noqa: E731
        else:
            make = lambda s=seed: random_backbone(self.bb_name, s)  # noqa: E731
        return lambda m=make: KINDS.adapt_backbone(cfg, m())

    def table_for(self, d: LoadedData, cfg: CoreSettings, seed: int, mode: str, frozen: int, pool: str = "avg") -> Iterator[Event]:
        """Builds (or finds) the table of frozen features ("head") or lower-stage activations; returns its key."""
        kind = cfg.backbone
        memo = (d.key, kind, seed if kind == "random" else None, mode, frozen)
        if pool != "avg":  # flattened feature maps (cached under their own key)
            memo += (pool,)
        extra = KINDS.feature_key(cfg)  # e.g. another input normalisation: features of their own
        memo += tuple(repr(v) for v in extra.values())
        if memo in self.tables:
            return memo
        net = KINDS.adapt_backbone(cfg, self.backbone_of(kind, seed))
        t0 = time.perf_counter()
        if mode == "head":
            message = (N_("frozen features: pretrained backbone over {n} {name} images") if kind == "pretrained"
                       else N_("frozen features: random backbone over {n} {name} images"))
            yield Stage.of(message, n=len(d.ds), name=d.spec.name)
            h = self.pre_hash if kind == "pretrained" else state_hash(net)
            feats, hit, secs = cached_features(net, d.ds.x, device=self.dev, key={**d.cache_key, **extra},
                                               weights_hash=h, pool=pool)
            self.tables[memo] = torch.from_numpy(feats).to(self.dev)
            yield Stage.of(N_("frozen features loaded from cache in {seconds} s") if hit else N_("frozen features extracted in {seconds} s"),
                           seconds=f"{secs:.1f}")
        else:
            yield Stage.of(N_("activations of the {frozen} frozen lower stages over {n} {name} images"), frozen=frozen, n=len(d.ds),
                           name=d.spec.name)
            self.tables[memo] = _prefix(net, d.x, frozen)
        self.state.timings["features_s"] += time.perf_counter() - t0
        return memo

    def arm_inputs(self, cfg: CoreSettings, d: LoadedData, seed: int) -> Iterator[Event]:
        """(ArmData, ModelParts) of one arm and seed; yields Stage events while tables are built."""
        n_stages, dev = self.n_stages, self.dev
        mode = arm_mode(cfg, n_stages)
        frozen = 0 if mode != "top" else n_stages - int(cfg.unfreeze)
        idx = train_indices(cfg, d, seed)
        val_idx, test_idx = d.held_out(cfg)
        curve_idx = idx if len(idx) <= CURVE_TRAIN_IMAGES else np.sort(
            np.random.default_rng(seed).choice(idx, CURVE_TRAIN_IMAGES, replace=False))
        x = d.x if mode == "full" else self.tables[(yield from self.table_for(d, cfg, seed, mode, frozen, cfg.pool))]
        make = None if mode == "head" else self.maker(cfg, seed)
        curve = len(curve_idx) < len(idx)
        y, drawn = arm_labels(cfg, d, idx, seed)  # the training images' labels as trained (label noise); val/test: d.y
        data = ArmData(subset(x, y, idx, dev), subset(x, d.y, val_idx, dev), subset(x, d.y, test_idx, dev),
                       len(d.ds.classes), mode=mode, train_eval=subset(x, y, curve_idx, dev) if curve else None,
                       train_drawn=None if drawn is None else drawn.to(dev))
        # augmented arms with frozen lower stages evaluate their top on cached activations
        if mode == "full" and cfg.unfreeze != "all" and int(cfg.unfreeze) < n_stages and KINDS.uses_backbone(cfg):
            eval_frozen = n_stages - int(cfg.unfreeze)
            emode = "head" if eval_frozen == n_stages else "top"
            ex = self.tables[(yield from self.table_for(d, cfg, seed, emode, 0 if emode == "head" else eval_frozen))]
            data.eval_frozen = eval_frozen
            data.eval_train = subset(ex, y, idx, dev)
            data.eval_val = subset(ex, d.y, val_idx, dev)
            data.eval_test = subset(ex, d.y, test_idx, dev)
            data.eval_curve = subset(ex, y, curve_idx, dev) if curve else None
        parts = ModelParts(make_backbone=make, feature_dim=x.shape[1] if mode == "head" else self.feature_dim,
                           source_head=self.source_head, image_size=d.spec.size)
        return data, parts
