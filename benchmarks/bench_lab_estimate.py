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


def record(lab: str, profile: str, folder: Path) -> Path:
    """One first run of `lab`, every event line with its arrival time (seconds since the start)."""
    lines: list[dict] = []
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, TUTOR_HOME=home, PYTHONPATH=str(ROOT))
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "tutor", "lab", lab, f"--{profile}", "--json", "--no-record"],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("{"):
                lines.append({"t": time.perf_counter() - t0, "event": json.loads(line)})
        proc.wait()
        total = time.perf_counter() - t0
    path = folder / f"{lab}-{profile}.json"
    path.write_text(json.dumps({"lab": lab, "profile": profile, "total_s": total, "events": lines}), encoding="utf-8")
    return path


def replay(trace: dict) -> tuple[list[float | None], float]:
    """The shown/true ratio at each tenth, and the longest time the shown value stood still mid-arm."""
    from tutor.lab.events import from_dict
    from tutor.study.labtime import RunClock

    total = trace["total_s"]
    events = [(e["t"], from_dict(dict(e["event"]))) for e in trace["events"]]
    if not events or events[-1][1].kind != "lab_finished":
        return [], 0.0  # the run failed or was cut short: nothing to compare
    costs = _costs(trace["lab"], trace["profile"])
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
                event.costs = event.costs or costs
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


def _costs(lab_name: str, profile: str) -> dict[str, float]:
    from tutor.lab import cost
    from tutor.lab.spec import find_lab

    return cost.arm_seconds(find_lab(lab_name), profile)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("labs", nargs="*", help="lab ids (default: every shipped lab)")
    ap.add_argument("--profile", default="quick")
    ap.add_argument("--traces", type=Path, default=ROOT / ".bench" / "lab-traces", help="where traces are kept")
    ap.add_argument("--replay", action="store_true", help="replay the kept traces instead of running the labs")
    args = ap.parse_args()
    args.traces.mkdir(parents=True, exist_ok=True)
    if args.replay:
        paths = sorted(p for p in args.traces.glob(f"*-{args.profile}.json") if not args.labs or p.name.rsplit("-", 1)[0] in args.labs)
    else:
        from tutor import paths as tpaths
        from tutor.lab.spec.lab import lab_files, load_lab

        names = args.labs or [load_lab(p).id for p in lab_files([tpaths.labs_dir()])]
        paths = [record(name, args.profile, args.traces) for name in names]
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
