"""How fast the quiz app answers keys while a lab trains (issue 5: the UI must not freeze).

Runs the app headless (Textual's Pilot, 80x24), opens a lab, starts the real `tutor lab --json` child
and, while it trains, presses a key every `--every` seconds, timing each press from sending it to the
app having handled it (and redrawn). The same presses with no lab running give the baseline.

    .venv/bin/python benchmarks/bench_lab_ui.py                      # tests/data/tiny-lab.yaml
    .venv/bin/python benchmarks/bench_lab_ui.py --lab output-layer   # a shipped lab, quick profile

Prints the latency numbers (median, 95th percentile, max, in ms); not a timed test. Uses a temporary
TUTOR_HOME so nothing is stored in your progress.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEYS = ("end", "home", "pagedown", "pageup", "r", "f")  # scrolling, plus run keys that must be refused mid-run


def summary(name: str, ms: list[float]) -> str:
    if not ms:
        return f"{name:<22} no samples"
    ms = list(ms)
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return f"{name:<22} n={len(ms):>3}  median {statistics.median(ms):6.1f} ms  p95 {p95:6.1f} ms  max {max(ms):6.1f} ms"


async def bench(lab: str, profile: str, every: float, idle_presses: int) -> int:
    from tutor import paths
    from tutor.app import make_app
    from tutor.bank import load_bank
    from tutor.bank.labrefs import LabRef, lab_catalog
    from tutor.study.store import Store

    path = Path(lab)
    if path.suffix in (".yaml", ".yml"):
        import yaml

        lab_id = yaml.safe_load(path.read_text(encoding="utf-8"))["id"]
        labs = {lab_id: LabRef(id=lab_id, title={"en": lab_id}, summary={}, path=path.resolve())}
    else:
        labs = lab_catalog([paths.labs_dir()])
        lab_id = lab
        if lab_id not in labs:
            print(f"no lab named {lab_id}", file=sys.stderr)
            return 1
    with Store() as store:
        app = make_app(bank=load_bank(), store=store, labs=labs)
        app.animation_level = "none"  # scrolling jumps: a press's round trip is handling + redraw, not an animation
        async with app.run_test(size=(80, 24)) as pilot:
            app.open_lab(lab_id)
            await pilot.pause()
            screen = app.screen
            async def press(key: str) -> float:
                """ms from sending the key to the app having handled it and gone idle (Pilot's round trip,
                which includes Pilot's own short wait for the app to settle: compare with the idle baseline)"""
                t0 = time.perf_counter()
                await pilot.press(key)
                return 1000 * (time.perf_counter() - t0)

            idle: list[float] = []
            for i in range(idle_presses):
                idle.append(await press(KEYS[i % 4]))
            t_start = time.perf_counter()
            await pilot.press("r" if profile == "quick" else "f")
            running: list[float] = []
            lag: list[float] = []
            i = 0
            while screen.state != "done":
                t0 = time.perf_counter()
                await asyncio.sleep(every)  # event-loop lag: how late the loop wakes us after `every`
                lag.append(1000 * (time.perf_counter() - t0 - every))
                if screen.state != "running":
                    break
                running.append(await press(KEYS[i % len(KEYS)]))
                i += 1
            wall = time.perf_counter() - t_start
            print(f"lab {lab_id} ({profile}): {screen.outcome}, verdict {(screen.result or {}).get('verdict')}, "
                  f"{wall:.1f} s wall, {screen.keys_seen} keys handled during the run")
            print(summary("key, no lab running", idle))
            print(summary("key, lab training", running))
            print(summary("event-loop lag", lag))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lab", default=str(ROOT / "tests" / "data" / "tiny-lab.yaml"), help="lab id or lab .yaml path")
    parser.add_argument("--full", action="store_true", help="run the full profile instead of the quick one")
    parser.add_argument("--every", type=float, default=0.25, help="seconds between key presses during the run")
    parser.add_argument("--idle", type=int, default=20, help="key presses before the run (baseline)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="tutor-bench-") as home:
        os.environ["TUTOR_HOME"] = home
        return asyncio.run(bench(args.lab, "full" if args.full else "quick", args.every, args.idle))


if __name__ == "__main__":
    sys.exit(main())
