"""Run a lab: a plain generator of events (see `events.py`).

    for event in run_lab(lab, profile="quick"):
        ...

The CLI prints the events with progress bars; the quiz app can drive the same generator from a worker
thread, or run `tutor lab` in a subprocess that streams `event.to_json()` lines. Closing the generator
(or a KeyboardInterrupt inside it) cancels cleanly: the partial result is written with
`status: cancelled` (never as a finished one), and no cache entry is left half-written.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
import torch

from tutor.i18n import N_
from tutor.lab.kinds import KINDS
from tutor.lab.errors import LabError
from tutor.lab.report import outdir
from tutor.lab.events import ArmFinished, ArmStarted, Cancelled, ClaimResult, Event, LabFinished, LabStarted, SeedFinished, Stage
from tutor.lab.runner.arm import arm_kind, total_epochs, train_arm
from tutor.lab.runner.parallel import SeedDone, train_seeds
from tutor.lab.runner.prepare import Workbench
from tutor.lab.result import LabResult
from tutor.lab.runner.state import RunState
from tutor.lab.spec.lab import Lab, find_lab
from tutor.lab.spec.settings import CoreSettings
from tutor.lab.device import pick_device
from tutor.lab.threads import pick_threads
from tutor.lab.verdict.judged import judge_lab


def resolve_seeds(seeds: int | list[int] | tuple[int, ...] | None, count: int) -> list[int]:
    """None -> 0..count-1; an int N -> N..N+count-1; a list -> itself."""
    if seeds is None:
        return list(range(count))
    out = list(range(seeds, seeds + count)) if isinstance(seeds, int) else [int(s) for s in seeds]
    if not out:
        raise LabError("no seeds to run")
    if min(out) < 0:
        raise LabError(f"seed {min(out)}: seeds must be 0 or more")
    return out


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
    state = RunState(lab, profile, seed_list, configs)
    dev = pick_device(device)
    state.device = str(dev)
    state.set_threads(pick_threads(dev))  # once per run: every arm and seed trains with the same count
    out_dir, fresh = None, False
    if write:
        target = Path(out).expanduser() if out is not None else default_out_dir(lab.id, profile)
        fresh = not target.exists()  # a folder made for this run is removed again if the run fails before writing
        out_dir = outdir.prepare(target)  # before any training
    files: list[str] = []
    yield LabStarted(lab=lab.id, title=lab.title(), profile=profile, device=state.device, seeds=seed_list,
                     arms={n: c.describe() for n, c in configs.items()},
                     epochs={n: total_epochs(c) for n, c in configs.items()},
                     out=str(out_dir) if out_dir else None, threads=state.threads, workers=state.workers)
    try:
        yield from _run(lab, state, configs, data_specs, bb_name, bb_weights, dev)
        result = state.result("finished")
        if out_dir is not None:
            yield Stage.of(N_("writing result.json and plots"))
            files = _write(out_dir, result, plots=True)
        yield LabFinished(result=result, out=str(out_dir) if out_dir else None, files=files)
    except KeyboardInterrupt:
        result = state.result("cancelled")
        files = _write(out_dir, result, plots=False) if out_dir is not None else []
        yield Cancelled(reason="interrupted", result=result, out=str(out_dir) if out_dir else None, files=files)
    except GeneratorExit:
        if out_dir is not None:
            _write(out_dir, state.result("cancelled"), plots=False)
        raise
    except Exception:
        if out_dir is not None and fresh:
            outdir.remove_if_empty(out_dir)
        raise


def _write(out_dir: Path, result: LabResult, *, plots: bool) -> list[str]:
    """result.json (and the plots) into `out_dir`, swapped in whole (tutor.lab.report.outdir)."""
    draw = None
    if plots:
        from tutor.lab.report.plots import write_plots

        draw = lambda r, folder: write_plots(r, folder, more=KINDS.plots)  # noqa: E731
    write = outdir.staged(result, draw)
    return [str(p) for p in outdir.publish(out_dir, write, cancelled=not result.finished)]


def _run(lab: Lab, state: RunState, configs: dict[str, CoreSettings], data_specs: dict, bb_name: str, bb_weights: str | None,
         dev: torch.device) -> Iterator[Event]:
    bench = Workbench(data_specs, bb_name, bb_weights, dev, state)
    yield from bench.load_backbone(configs)
    for name, cfg in configs.items():
        yield from _run_arm(lab, state, bench, name, cfg, dev)
    yield from _judge(lab, state, configs)


def _run_arm(lab: Lab, state: RunState, bench: Workbench, name: str, cfg: CoreSettings, dev: torch.device) -> Iterator[Event]:
    t_arm = time.perf_counter()
    yield ArmStarted(arm=name, description=cfg.describe(), seeds=state.seeds, epochs=total_epochs(cfg))
    key = lab.dataset_key(cfg)
    yield from bench.data_for(key)
    d = bench.loaded[key]
    state.timings["kinds"][name] = arm_kind(cfg, bench.n_stages)
    if state.workers > 1:  # the tables every seed shares are built once, before any worker forks
        yield from bench.arm_inputs(cfg, d, state.seeds[0])

    def job(seed: int):
        data, parts = yield from bench.arm_inputs(cfg, d, seed)
        return (yield from train_arm(cfg, data, parts, seed=seed, device=dev, arm=name))

    for item in train_seeds(job, state.seeds, state.workers, state.threads):
        if not isinstance(item, SeedDone):
            yield item
            continue
        seed, res = item.seed, item.result
        state.per_seed[name][seed] = res.metrics
        state.history[name][seed] = res.history
        state.chosen[name][seed] = res.chosen
        yield SeedFinished(arm=name, seed=seed, metrics=res.metrics, history=res.history, chosen=res.chosen)
    secs = time.perf_counter() - t_arm
    state.timings["arms"][name] = secs
    yield ArmFinished(arm=name, metrics=state.summary(name), seconds=secs)


def _judge(lab: Lab, state: RunState, configs: dict[str, CoreSettings]) -> Iterator[Event]:
    """The claims and checks judged, and the verdict decided with them (tutor.lab.verdict.judged)."""
    values = [{(arm, m): v for arm in configs for m, v in state.per_seed[arm].get(seed, {}).items()} for seed in state.seeds]
    state.judged = judge_lab(lab.claims, lab.checks, values, configs)
    for claim in state.judged.claims:
        yield ClaimResult(claim=claim)
    for check in state.judged.checks:
        yield ClaimResult(claim=check, check=True)
