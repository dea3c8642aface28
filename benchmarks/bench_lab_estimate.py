"""The lab page's time left on a FIRST run, against the truth, at each tenth of the run (issue 24).

For each lab: run `tutor lab LAB --quick --json --no-record` in a fresh TUTOR_HOME (nothing measured on
this machine yet, as for a learner's first run), stamp every event line with the time it arrived, and
keep the trace (`--traces DIR`, JSON). Then replay the trace through the page's own clock
(tutor.study.labtime.RunClock, fed as the lab page feeds it) and, at 10 %, 20 % ... 90 % of the run's
wall time, compare the time left it shows with the true time left. Prints, per lab, the worst ratio
(shown / true; 1.00 is exact, "none" while it shows no number) and whether the shown value ever stayed
put for more than `FROZEN_S` seconds while an arm trained.

    python benchmarks/bench_lab_estimate.py [LAB ...]             # default: every shipped lab
    python benchmarks/bench_lab_estimate.py --replay DIR          # replay traces kept earlier
    python benchmarks/bench_lab_estimate.py --fit RUNS...         # refit tutor.lab.cost.WORK_S to finished runs
    python benchmarks/bench_lab_estimate.py --synth RUNS... --traces DIR   # traces made from finished runs
    python benchmarks/bench_lab_estimate.py --augment [SIZE ...]  # time each per-image augmentation (cost.AUGMENT_S)

`--synth` makes a trace from each result.json under RUNS (e.g. bench_labs.py's idle runs): each arm's
measured seconds, its seeds' epochs evenly spread over their measured seconds (two workers as the run
had them), start-up and tail as `SYNTH_START_S` and `SYNTH_TAIL_S`. It shows the estimate on a steady
machine, where a recorded trace also carries whatever load other processes added during the run.

`--fit` takes folders holding result.json files (e.g. bench_labs.py's output: one idle run of every lab)
and fits the prices of `tutor.lab.cost.arm_work`'s kinds of work to every arm's measured seconds per seed
(non-negative least squares on relative error), printing the prices and each kind of arm's error.

Timings depend on how busy the machine is: report `uptime` with the numbers. Not a timed test.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TENTHS = [k / 10 for k in range(1, 10)]
FROZEN_S = 10.0  # a shown time left that does not move for this long while epochs end counts as frozen


def record(lab: str, profile: str, folder: Path, seed: int | None = None) -> Path:
    """One first run of `lab`, every event line with its arrival time (seconds since the start); its result.json
    and plots land in `folder/<lab>-<profile>-run` (a run from the app writes them too), so the same first runs
    can be judged as a seed base (`seed`: the first seed, as `tutor lab --seed`)."""
    from tutor.lab.spec import find_lab

    lines: list[dict] = []
    lab_file = Path(find_lab(lab).path).read_text(encoding="utf-8")  # the lab as it ran: replays price these arms
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, TUTOR_HOME=home, PYTHONPATH=str(ROOT))
        t0 = time.perf_counter()
        out = folder / f"{lab}-{profile}-run"
        seeded = [] if seed is None else ["--seed", str(seed)]
        proc = subprocess.Popen([sys.executable, "-m", "tutor", "lab", lab, f"--{profile}", "--json", "--no-record",
                                 "--out", str(out), *seeded],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("{"):
                lines.append({"t": time.perf_counter() - t0, "event": json.loads(line)})
        proc.wait()
        total = time.perf_counter() - t0
    path = folder / f"{lab}-{profile}.json"
    path.write_text(json.dumps({"lab": lab, "profile": profile, "total_s": total, "lab_file": lab_file, "events": lines}),
                    encoding="utf-8")
    return path


def replay(trace: dict) -> tuple[list[float | None], float]:
    """The shown/true ratio at each tenth, and the longest time the shown value stood still mid-arm."""
    from tutor.lab.events import from_dict
    from tutor.study.labtime import RunClock

    total = trace["total_s"]
    events = [(e["t"], from_dict(dict(e["event"]))) for e in trace["events"]]
    if not events or events[-1][1].kind != "lab_finished":
        return [], 0.0  # the run failed or was cut short: nothing to compare
    costs = _costs(trace["lab"], trace["profile"], trace.get("lab_file"))
    clock = RunClock(now=0.0)
    ratios: list[float | None] = []
    marks = iter(TENTHS)
    mark = next(marks)
    last_value, since, frozen, training = None, 0.0, 0.0, False
    step = 0.25
    t, i = 0.0, 0
    while t < total:
        while i < len(events) and events[i][0] <= t:
            event = events[i][1]
            if event.kind == "lab_started":
                event.costs = costs  # the cost model as it is now, not as it was when the trace was recorded
            clock.feed(event, events[i][0])
            training = clock.training
            i += 1
        shown = clock.left(t)
        if clock.finishing or (clock.all_epochs_done and not clock.training):
            shown = None  # the page says "finishing", no number
        value = None if shown is None else round(shown)
        if value != last_value:
            last_value, since = value, t
        elif training and value is not None:
            frozen = max(frozen, t - since)
        if mark is not None and t >= mark * total:
            ratios.append(None if shown is None else max(shown, 1.0) / max(total - t, 1.0))
            mark = next(marks, None)
        t += step
    return ratios, frozen


def _costs(lab_name: str, profile: str, lab_file: str | None = None) -> dict[str, float]:
    """The cost model's arms as it prices them now, of the lab file the trace ran (the shipped one when the
    trace did not keep it): a lab edited since would price other arms than the trace has."""
    from tutor.lab import cost
    from tutor.lab.spec import find_lab
    from tutor.lab.spec.lab import loads_lab

    return cost.arm_seconds(loads_lab(lab_file, f"{lab_name}.yaml") if lab_file else find_lab(lab_name), profile)


SYNTH_START_S, SYNTH_TAIL_S = 2.0, 2.0  # before the first event, after the last arm: 1.7-2.5 and 1-4 s in the traces


def synth(path: Path, lab_dir: Path | None = None) -> dict:
    """A trace from one finished run's result.json (see the module docstring); its lab file from `lab_dir`
    (the shipped labs by default: give the folder of the labs as they ran when they have changed since)."""
    from tutor.lab.spec import find_lab

    data = json.loads(path.read_text(encoding="utf-8"))
    lab, profile, seeds = find_lab(data["lab"], [lab_dir] if lab_dir else None), data["profile"], data["seeds"]
    configs = lab.arm_configs(profile, list(data["arms"]))
    from tutor.lab.kinds import KINDS

    epochs = {a: KINDS.epochs(c) for a, c in configs.items()}
    workers = max(1, int(data.get("workers") or 1))
    events = [(SYNTH_START_S, {"event": "lab_started", "lab": data["lab"], "title": "", "profile": profile, "device": "cpu",
                               "seeds": seeds, "arms": {a: "" for a in configs}, "epochs": epochs})]
    t = SYNTH_START_S
    for arm, cfg in configs.items():
        arm_s = float(data["timings"]["arms"][arm])
        per_seed = data["arms"][arm]["seconds"]["per_seed"]
        history = (data.get("arm_details", {}).get(arm, {}).get("history") or {})
        shares = [list(range(len(seeds)))[w::workers] for w in range(workers)]
        busy = max(sum(per_seed[i] for i in share) for share in shares)
        start = t + max(0.0, arm_s - busy)  # loading data, building tables: before the first epoch
        events.append((t, {"event": "arm_started", "arm": arm, "description": "", "seeds": seeds, "epochs": epochs[arm]}))
        for share in shares:
            at = start
            for i in share:
                ran = len((history.get(str(seeds[i])) or {}).get("val_acc") or []) if cfg.early_stopping else epochs[arm]
                for e in range(max(1, ran)):
                    events.append((at + per_seed[i] * (e + 1) / max(1, ran), {
                        "event": "epoch_end", "arm": arm, "seed": seeds[i], "epoch": e + 1, "epochs": epochs[arm],
                        "train_acc": 0.0, "train_loss": 0.0, "val_acc": 0.0, "val_loss": 0.0}))
                at += per_seed[i]
        t += arm_s
        events.append((t, {"event": "arm_finished", "arm": arm, "metrics": {}, "seconds": arm_s}))
    events.append((t + SYNTH_TAIL_S, {"event": "lab_finished", "result": data, "out": None, "files": []}))
    events.sort(key=lambda e: e[0])
    return {"lab": data["lab"], "profile": profile, "total_s": t + SYNTH_TAIL_S + 0.1,
            "lab_file": Path(lab.path).read_text(encoding="utf-8"),
            "events": [{"t": when, "event": event} for when, event in events]}


def fit(folders: list[Path], lab_dir: Path | None = None) -> int:
    """Fit `cost.WORK_S` to the per-seed seconds of the arms of the runs under `folders` (see the docstring)."""
    import numpy as np
    from scipy.optimize import nnls

    from tutor.lab import cost
    from tutor.lab.spec import find_lab

    rows = []
    for path in sorted(p for folder in folders for p in folder.rglob("result.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        lab = find_lab(data["lab"], [lab_dir] if lab_dir else None)
        specs, kinds = lab.datasets(data["profile"]), (data.get("timings") or {}).get("kinds", {})
        for arm, cfg in lab.arm_configs(data["profile"], list(data["arms"])).items():
            seconds = [s for s in data["arms"][arm].get("seconds", {}).get("per_seed", []) if s]
            if seconds and not (cfg.early_stopping or arm == "high_lr"):  # stopped early by design (high_lr: a NaN)
                rows.append((f"{data['lab']}/{arm}", kinds.get(arm, "?"), sum(seconds) / len(seconds),
                             cost.arm_work(cfg, specs[lab.dataset_key(cfg)], lab.file.backbone.name)))
    names = [n for n in cost.WORK_S if n != "extract"]  # a seed's seconds leave out its tables
    a = np.array([[w.get(n, 0.0) for n in names] for *_, w in rows])
    y = np.array([s for _, _, s, _ in rows])
    scale = np.where(a.max(0) > 0, a.max(0), 1.0)
    prices = nnls(a / scale / y[:, None], np.ones(len(y)))[0] / scale
    print("WORK_S = {" + ", ".join(f'"{n}": {p:.2g}' for n, p in zip(names, prices)) + "}")
    for label, prices_now in (("fitted", prices), ("shipped", np.array([cost.WORK_S[n] for n in names]))):
        ratio = a @ prices_now / y
        by_kind: dict[str, list[float]] = {}
        for (_, kind, _, _), r in zip(rows, ratio):
            by_kind.setdefault(kind, []).append(r)
        cells = "  ".join(f"{k} {min(v):.2f}-{max(v):.2f}" for k, v in sorted(by_kind.items()))
        print(f"{label}: predicted / measured per arm, {len(rows)} arms: {cells}")
    return 0


def time_augmentations(sizes: list[int], repeats: int = 7) -> int:
    """Seconds per image of each per-image augmentation (tutor.lab.kinds.augmentation) on batches of 32 one-channel
    images, one thread, the least of `repeats` interleaved repeats (the least is what load adds least to), less
    stacking the batch; side by side with `tutor.lab.cost.AUGMENT_S`. Ratios are what the cost model uses."""
    import torch

    from tutor.lab import cost
    from tutor.lab.kinds.augmentation import (
        AUGMENTATIONS,
        BATCH_AUGMENTATIONS,
        Settings,
        make_augment,
    )

    torch.set_num_threads(1)
    names = [n for n in AUGMENTATIONS if n not in BATCH_AUGMENTATIONS]
    print(f"load average {os.getloadavg()[0]:.1f}; microseconds per image, least of {repeats} repeats")
    print(f"{'':12s}" + "".join(f"{size:>8d} px" for size in sizes) + "   AUGMENT_S")
    table: dict[str, list[float]] = {n: [] for n in names}
    for size in sizes:
        x = torch.rand(32, 1, size, size)
        fns = {n: make_augment(Settings(augment=[n]), size) for n in names}
        fns[""] = lambda b: torch.stack(list(b))  # stacking alone
        best = dict.fromkeys(fns, float("inf"))
        for _ in range(repeats):
            for n, f in fns.items():
                f(x)
                t = time.perf_counter()
                for _ in range(20):
                    f(x)
                best[n] = min(best[n], (time.perf_counter() - t) / 20 / len(x))
        for n in names:
            table[n].append(best[n] - best[""])
    for n in names:
        print(f"{n:12s}" + "".join(f"{1e6 * v:11.1f}" for v in table[n]) + f"{1e6 * cost.AUGMENT_S.get(n, 0):12.1f}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("labs", nargs="*", help="lab ids (default: every shipped lab)")
    ap.add_argument("--profile", default="quick")
    ap.add_argument("--seed", type=int, help="the first seed of each recorded run (default: the lab's own)")
    ap.add_argument("--traces", type=Path, default=ROOT / ".bench" / "lab-traces", help="where traces are kept")
    ap.add_argument("--replay", action="store_true", help="replay the kept traces instead of running the labs")
    ap.add_argument("--fit", nargs="+", type=Path, metavar="RUNS", help="refit cost.WORK_S to the result.json files under RUNS")
    ap.add_argument("--synth", nargs="+", type=Path, metavar="RUNS", help="make traces from the result.json files under RUNS, then replay them")
    ap.add_argument("--augment", nargs="*", type=int, metavar="SIZE", help="time each per-image augmentation at these sizes (default 16 32 64)")
    ap.add_argument("--lab-dir", type=Path, help="--synth, --fit: the lab files as the runs had them (default: the shipped labs)")
    args = ap.parse_args()
    if args.augment is not None:
        return time_augmentations(args.augment or [16, 32, 64])
    args.traces.mkdir(parents=True, exist_ok=True)
    if args.fit:
        return fit(args.fit, args.lab_dir)
    if args.synth:
        for path in sorted(p for folder in args.synth for p in folder.rglob("result.json")):
            trace = synth(path, args.lab_dir)
            (args.traces / f"{trace['lab']}-{trace['profile']}.json").write_text(json.dumps(trace), encoding="utf-8")
        args.replay = True
    if args.replay:
        paths = sorted(p for p in args.traces.glob(f"*-{args.profile}.json") if not args.labs or p.name.rsplit("-", 1)[0] in args.labs)
    else:
        from tutor import paths as tpaths
        from tutor.lab.spec.lab import lab_files, load_lab

        names = args.labs or [load_lab(p).id for p in lab_files([tpaths.labs_dir()])]
        paths = [record(name, args.profile, args.traces, args.seed) for name in names]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; time left shown / true, at each tenth of a first run")
    worst_all = 0.0
    for path in paths:
        trace = json.loads(path.read_text(encoding="utf-8"))
        ratios, frozen = replay(trace)
        known = [r for r in ratios if r is not None]
        worst = max(known, key=lambda r: abs(r - 1.0)) if known else None
        worst_all = max(worst_all, abs(worst - 1.0) if worst else 0.0)
        cells = " ".join("  -  " if r is None else f"{r:5.2f}" for r in ratios)
        print(f"{trace['lab']:<22} {trace['total_s']:6.1f} s  {cells}  worst {'-' if worst is None else f'{worst:.2f}'}"
              f"  longest still while training {frozen:4.1f} s")
    print(f"worst error over all labs: {100 * worst_all:.0f} % ({'within' if worst_all <= 0.30 else 'outside'} 30 %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
