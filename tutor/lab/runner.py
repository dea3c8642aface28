"""Run a lab: a plain generator of events (see `events.py`).

    for event in run_lab(lab, profile="quick"):
        ...

The CLI prints the events with progress bars; the quiz app can drive the same generator from a worker
thread, or run `tutor lab` in a subprocess that streams `event.to_json()` lines. Closing the generator
(or a KeyboardInterrupt inside it) cancels cleanly: the partial result is written with
`status: cancelled` (never as a finished one), and no cache entry is left half-written.
"""

from __future__ import annotations

import copy
import platform
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import torch

import tutor
from tutor.lab import backbones, datasets, train
from tutor.lab import inputnorm  # the `normalize` arm setting
from tutor.lab.claims import METRICS, Judgement, mean_sd
from tutor.lab.verdict import RULE_TEXT, judge_all, verdict
from tutor.lab.device import configure_threads, pick_device
from tutor.lab.errors import LabError
from tutor.lab.events import (ArmFinished, ArmStarted, Cancelled, ClaimResult, Event, LabFinished,
                              LabStarted, SeedFinished, Stage)
from tutor.lab.features import cached_features, state_hash
from tutor.lab.spec import ArmConfig, Lab, find_lab
from tutor.lab.threads import calibrate_threads
from tutor.bank.schema import text

FIXED_SUBSAMPLE_SEED = 0  # validation/test caps take the same images on every run


def resolve_seeds(seeds: int | list[int] | tuple[int, ...] | None, count: int) -> list[int]:
    """None -> 0..count-1; an int N -> N..N+count-1; a list -> itself."""
    if seeds is None:
        return list(range(count))
    if isinstance(seeds, int):
        return list(range(seeds, seeds + count))
    out = [int(s) for s in seeds]
    if not out:
        raise LabError("no seeds to run")
    return out


class _State:
    """Everything gathered so far: enough to write a (partial) result at any moment."""

    def __init__(self, lab: Lab, profile: str, seeds: list[int], configs: dict[str, ArmConfig]):
        self.lab, self.profile, self.seeds, self.configs = lab, profile, seeds, configs
        self.t0 = time.perf_counter()
        self.started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.device = "?"
        self.threads = 0
        self.per_seed: dict[str, dict[int, dict[str, float]]] = {name: {} for name in configs}
        self.history: dict[str, dict[int, dict[str, list[float]]]] = {name: {} for name in configs}
        self.chosen: dict[str, dict[int, Any]] = {name: {} for name in configs}
        self.timings: dict[str, Any] = {"arms": {}}
        self.judgements: list[Judgement] = []
        self.skipped_claims: list[str] = []
        self.data_info: dict[str, Any] = {}
        self.backbone_info: dict[str, Any] = {}

    def summary(self, arm: str) -> dict[str, dict[str, Any]]:
        runs = self.per_seed[arm]
        seeds = [s for s in self.seeds if s in runs]
        out = {}
        for metric in (runs[seeds[0]] if seeds else {}):
            values = [runs[s][metric] for s in seeds]
            mean, sd = mean_sd(values)
            out[metric] = {"mean": mean, "sd": sd, "per_seed": values}
        return out

    def result(self, status: str) -> dict[str, Any]:
        import torchvision

        arms = {name: self.summary(name) for name in self.configs if self.per_seed[name]}
        finished = status == "finished"
        return {
            "lab": self.lab.id,
            "title": self.lab.title(),
            "lab_file": self.lab.path,
            "lab_digest": self.lab.digest(),
            "profile": self.profile,
            "status": status,
            "device": self.device,
            "threads": self.threads,
            "seeds": self.seeds,
            "versions": {"torch": torch.__version__, "torchvision": torchvision.__version__, "tutor": tutor.__version__,
                         "python": platform.python_version()},
            "dataset": self.data_info,
            "backbone": self.backbone_info,
            "arms": arms,
            "show": list(self.lab.file.show),
            "arm_details": {
                name: {
                    "description": cfg.describe(),
                    "config": cfg.model_dump(mode="json"),
                    "seeds_done": [s for s in self.seeds if s in self.per_seed[name]],
                    "history": {str(s): h for s, h in self.history[name].items()},
                    "chosen": {str(s): c for s, c in self.chosen[name].items() if c is not None} or None,
                }
                for name, cfg in self.configs.items()
            },
            "claims": [
                {"text": j.text, "says": says, "holds": j.holds, "opposite_holds": j.opposite_holds, "numbers": j.numbers}
                for j, says in zip(self.judgements, self._says())
            ],
            "claims_not_run": self.skipped_claims,
            "verdict": verdict(self.judgements + [_unjudged(t) for t in self.skipped_claims]) if finished else "cancelled",
            "verdict_rule": RULE_TEXT,
            "metrics_help": METRICS,
            "timings": {**self.timings, "total_s": time.perf_counter() - self.t0},
            "started_at": self.started_at,
            "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }

    def _says(self) -> list[str | None]:
        says = {c.text: s for c, s in zip(self.lab.claims, self.lab.claim_says)}
        return [text(says.get(j.text)) or None for j in self.judgements]


def _unjudged(claim_text: str) -> Judgement:
    return Judgement(claim_text, False, False, {})


def default_out_dir(lab_id: str, profile: str) -> Path:
    from tutor import paths

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    base = paths.runs_dir() / f"{stamp}-{lab_id}-{profile}"
    out, i = base, 1
    while out.exists():
        i += 1
        out = base.with_name(f"{base.name}-{i}")
    return out


def run_lab(lab: Lab | str, *, profile: str = "quick", seeds: int | list[int] | None = None, device: str = "auto",
            backbone: str | None = None, out: str | Path | None = None, arms: list[str] | None = None,
            write: bool = True) -> Iterator[Event]:
    """Run `lab` and yield its events. `out`: folder for result.json and PNGs (default: a fresh folder
    under the runs dir; `write=False` writes nothing). `arms`: run only these arms (claims that need
    another arm are reported as not run). `seeds`: the first seed, or the list of seeds."""
    if isinstance(lab, str):
        lab = find_lab(lab)
    configs = lab.arm_configs(profile, arms)
    prof = lab.profile(profile)
    seed_list = resolve_seeds(seeds, prof.seeds)
    data_specs = lab.datasets(profile)
    bb_name = backbone or lab.file.backbone.name
    bb_weights = lab.file.backbone.weights if backbone in (None, lab.file.backbone.name) else None
    if bb_weights and not Path(bb_weights).is_absolute():
        bb_weights = str((Path(lab.path).parent / bb_weights).resolve())
    state = _State(lab, profile, seed_list, configs)
    dev = pick_device(device)
    state.device = str(dev)
    state.threads = configure_threads() if dev.type == "cpu" else torch.get_num_threads()
    out_dir = None
    if write:
        out_dir = Path(out).expanduser() if out is not None else default_out_dir(lab.id, profile)
    files: list[str] = []
    yield LabStarted(lab=lab.id, title=lab.title(), profile=profile, device=state.device, seeds=seed_list,
                     arms={n: c.describe() for n, c in configs.items()},
                     epochs={n: train.total_epochs(c) for n, c in configs.items()},
                     out=str(out_dir) if out_dir else None)
    try:
        yield from _run(lab, state, configs, data_specs, bb_name, bb_weights, dev)
        result = state.result("finished")
        if out_dir is not None:
            yield Stage("writing result.json and plots")
            files = _write(out_dir, result, plots=True)
        yield LabFinished(result=result, verdict=result["verdict"], out=str(out_dir) if out_dir else None, files=files)
    except KeyboardInterrupt:
        result = state.result("cancelled")
        files = _write(out_dir, result, plots=False) if out_dir is not None else []
        yield Cancelled(reason="interrupted", result=result, out=str(out_dir) if out_dir else None, files=files)
    except GeneratorExit:
        if out_dir is not None:
            _write(out_dir, state.result("cancelled"), plots=False)
        raise


def _write(out_dir: Path, result: dict[str, Any], *, plots: bool) -> list[str]:
    from tutor.lab.report import write_result

    files = [str(write_result(out_dir, result))]
    if plots:
        from tutor.lab.plots import write_plots

        files += [str(p) for p in write_plots(result, out_dir)]
    return files


class _Data:
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

    def info(self) -> dict[str, Any]:
        return {"name": self.spec.name, "size": self.spec.size, "options": self.spec.options, "classes": self.ds.classes,
                "train_pool": int(len(self.ds.splits["train"])), "val": int(len(self.val_idx)),
                "test": int(len(self.test_idx)), "license": self.ds.license}


def arm_mode(cfg: ArmConfig, n_stages: int) -> str:
    """How an arm trains: "head" (cached frozen features), "top" (cached lower-stage activations), "full"."""
    if cfg.model == "plain":  # a plain net from scratch sees the images; no backbone stage is involved
        return "full"
    if cfg.augment or cfg.unfreeze_at is not None:  # unfreeze_at: the whole net runs from the first epoch
        return "full"
    if cfg.unfreeze == 0:
        return "head"
    if cfg.unfreeze == "all" or int(cfg.unfreeze) >= n_stages:
        return "full"
    return "top"


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


def _run(lab: Lab, state: _State, configs: dict[str, ArmConfig], data_specs: dict, bb_name: str, bb_weights: str | None,
         dev: torch.device) -> Iterator[Event]:
    loaded: dict[str, _Data] = {}
    state.timings["dataset_s"] = 0.0

    def data_for(key: str) -> Iterator[Event]:
        if key in loaded:
            return
        spec = data_specs[key]
        yield Stage(f"loading dataset {spec.name} ({spec.size} px)")
        t = time.perf_counter()
        loaded[key] = _Data(key, spec, dev)
        state.timings["dataset_s"] += time.perf_counter() - t
        info = loaded[key].info()
        if key == "default":
            state.data_info = info
        else:
            state.data_info[key] = info

    t = time.perf_counter()
    needs_pretrained = any(c.model != "plain" and (c.backbone == "pretrained" or c.output_layer == "pretrained")
                           for c in configs.values())
    pre, source_head, pre_hash = None, None, None
    if needs_pretrained:
        yield Stage(f"loading backbone {bb_name}")
        pre, source_head = backbones.load_backbone(bb_name, pretrained=True, weights=bb_weights)
        pre_hash = state_hash(pre)
    else:
        pre = _random_backbone(bb_name, 0)
    pre.to(dev)
    feature_dim = pre.feature_dim
    n_stages = len(pre.stages)
    state.backbone_info = {"name": bb_name, "weights": bb_weights or "shipped/default", "sha256_state": pre_hash,
                           "feature_dim": feature_dim, "stages": n_stages}
    state.timings["backbone_s"] = time.perf_counter() - t
    state.timings["features_s"] = 0.0
    tables: dict[Any, torch.Tensor] = {}

    def backbone_of(kind: str, seed: int) -> torch.nn.Module:
        return pre if kind == "pretrained" else _random_backbone(bb_name, seed).to(dev)

    def table_for(d: _Data, kind: str, seed: int, mode: str, frozen: int, norm: Any = None,
                  pool: str = "avg") -> Iterator[Event]:
        memo = (d.key, kind, seed if kind == "random" else None, mode, frozen)
        if pool != "avg":  # flattened feature maps (cached under their own key)
            memo += (pool,)
        norm_tag = inputnorm.tag(norm)  # None unless the arm overrides the input normalisation
        if norm_tag is not None:
            memo += (repr(norm_tag),)
        if memo in tables:
            return memo
        net = inputnorm.apply(backbone_of(kind, seed), norm)
        t0 = time.perf_counter()
        if mode == "head":
            yield Stage(f"frozen features: {kind} backbone over {len(d.ds)} {d.spec.name} images")
            h = pre_hash if kind == "pretrained" else state_hash(net)
            key = d.cache_key if norm_tag is None else {**d.cache_key, "normalize": norm_tag}
            feats, hit, secs = cached_features(net, d.ds.x, device=dev, key=key, weights_hash=h, pool=pool)
            tables[memo] = torch.from_numpy(feats).to(dev)
            yield Stage(f"frozen features {'loaded from cache' if hit else 'extracted'} in {secs:.1f} s")
        else:
            yield Stage(f"activations of the {frozen} frozen lower stages over {len(d.ds)} {d.spec.name} images")
            tables[memo] = _prefix(net, d.x, frozen)
        state.timings["features_s"] += time.perf_counter() - t0
        return memo

    for name, cfg in configs.items():
        t_arm = time.perf_counter()
        yield ArmStarted(arm=name, description=cfg.describe(), seeds=state.seeds, epochs=train.total_epochs(cfg))
        if dev.type == "cpu":
            state.timings.setdefault("threads", {})[name] = calibrate_threads(dev)
        key = lab.dataset_key(cfg)
        yield from data_for(key)
        d = loaded[key]
        mode = arm_mode(cfg, n_stages)
        frozen = 0 if mode != "top" else n_stages - int(cfg.unfreeze)
        # augmented arms with frozen lower stages evaluate their top on cached activations
        eval_frozen = None
        if mode == "full" and cfg.unfreeze != "all" and int(cfg.unfreeze) < n_stages and cfg.model != "plain":
            eval_frozen = n_stages - int(cfg.unfreeze)
        for seed in state.seeds:
            idx = d.ds.splits["train"]
            if cfg.per_class is not None:
                idx = datasets.sample(idx, d.ds.y, per_class=cfg.per_class, seed=seed)
            elif cfg.train_size is not None:
                idx = datasets.sample(idx, d.ds.y, n=cfg.train_size, seed=seed)
            curve_idx = idx if len(idx) <= train.CURVE_TRAIN_IMAGES else np.sort(
                np.random.default_rng(seed).choice(idx, train.CURVE_TRAIN_IMAGES, replace=False))
            if mode == "full":
                x = d.x
                if cfg.backbone == "pretrained":
                    make = lambda: copy.deepcopy(pre)  # noqa: E731
                else:
                    make = lambda s=seed: _random_backbone(bb_name, s)  # noqa: E731
            else:
                x = tables[(yield from table_for(d, cfg.backbone, seed, mode, frozen, cfg.normalize, cfg.pool))]
                make = (lambda: copy.deepcopy(pre)) if cfg.backbone == "pretrained" else (lambda s=seed: _random_backbone(bb_name, s))
                if mode == "head":
                    make = None
            if make is not None and inputnorm.tag(cfg.normalize) is not None:
                make = lambda m=make: inputnorm.apply(m(), cfg.normalize)  # noqa: E731
            data = train.ArmData(train.subset(x, d.y, idx, dev), train.subset(x, d.y, d.val_idx, dev),
                                 train.subset(x, d.y, d.test_idx, dev), len(d.ds.classes), mode=mode,
                                 train_eval=train.subset(x, d.y, curve_idx, dev) if len(curve_idx) < len(idx) else None)
            if eval_frozen is not None:
                emode = "head" if eval_frozen == n_stages else "top"
                ex = tables[(yield from table_for(d, cfg.backbone, seed, emode, 0 if emode == "head" else eval_frozen,
                                                  cfg.normalize))]
                data.eval_frozen = eval_frozen
                data.eval_train = train.subset(ex, d.y, idx, dev)
                data.eval_val = train.subset(ex, d.y, d.val_idx, dev)
                data.eval_test = train.subset(ex, d.y, d.test_idx, dev)
                data.eval_curve = train.subset(ex, d.y, curve_idx, dev) if len(curve_idx) < len(idx) else None
            parts = train.ModelParts(make_backbone=make, feature_dim=x.shape[1] if mode == "head" else feature_dim,
                                     source_head=source_head,
                                     image_size=d.spec.size)
            res = yield from train.train_arm(cfg, data, parts, seed=seed, device=dev, arm=name)
            state.per_seed[name][seed] = res.metrics
            state.history[name][seed] = res.history
            state.chosen[name][seed] = res.chosen
            yield SeedFinished(arm=name, seed=seed, metrics=res.metrics, history=res.history, chosen=res.chosen)
        secs = time.perf_counter() - t_arm
        state.timings["arms"][name] = secs
        yield ArmFinished(arm=name, metrics=state.summary(name), seconds=secs)

    values = [{(arm, m): v for arm in configs for m, v in state.per_seed[arm].get(seed, {}).items()} for seed in state.seeds]
    runnable = []
    for claim, says in zip(lab.claims, lab.claim_says):
        if any(arm not in configs for arm, _ in claim.refs()):
            state.skipped_claims.append(claim.text)
        else:
            runnable.append((claim, says))
    for j, (_, says) in zip(judge_all([c for c, _ in runnable], values), runnable):  # Holm across the claims
        state.judgements.append(j)
        yield ClaimResult(text=j.text, holds=j.holds, opposite_holds=j.opposite_holds, numbers=j.numbers,
                          says=text(says) or None)


def _random_backbone(name: str, seed: int) -> torch.nn.Module:
    """The backbone's architecture, randomly initialised from `seed` (same seed -> same weights)."""
    torch.manual_seed(seed)
    net, _ = backbones.load_backbone(name, pretrained=False)
    return net
