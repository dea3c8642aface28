"""Seconds per lab and per seed of each kind of arm, for the shipped labs' quick profiles. Asserts nothing.

    python benchmarks/bench_labs.py [LAB ...] [--seed N] [--device auto] [--out DIR] [--settle LOAD]
    python benchmarks/bench_labs.py --from-results DIR     # tabulate result.json files already written

Runs each lab's quick profile once (default: every lab in labs/) and prints, per lab, its wall time, verdict,
thread count and the machine's load average, and, per kind of arm (what the runner dispatched it to: "head"
= a head on cached frozen features, "top" = the top stages on cached lower-stage activations, "full" =
images every step, "plain", "search", "prototype"), the seconds one seed of one arm took. Compare the
tables before and after a change, or across machines; on a shared machine the load column says how far to
trust them. Before each lab the benchmark waits until other work keeps fewer than 0.3 cores busy (`--settle`,
measured as the engine does: `tutor.lab.threads.current_load`), so that each lab picks its threads and
processes as it would on an idle machine.
`--from-results` reads every result.json under DIR (older ones without the recorded kind get it inferred
from their arm settings) and trains nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


class _Settings(dict):
    """An old result's arm config read by attribute (a missing setting reads as None)."""

    def __getattr__(self, name: str) -> Any:
        return self.get(name)


def arm_kinds(result: dict[str, Any]) -> dict[str, str]:
    """Each arm's kind: as the runner recorded it, else inferred from the arm's settings (older results)."""
    recorded = result.get("timings", {}).get("kinds")
    if recorded:
        return dict(recorded)
    from tutor.lab.runner.arm import arm_kind

    stages = int((result.get("backbone") or {}).get("stages") or 5)
    return {name: arm_kind(_Settings(d["config"]), stages) for name, d in result["arm_details"].items()}


def seed_seconds(result: dict[str, Any]) -> dict[str, list[float]]:
    """Each arm's seconds per seed (the `seconds` metric: training and evaluating one seed)."""
    return {name: list(m["seconds"]["per_seed"]) for name, m in result["arms"].items() if "seconds" in m}


def _threads(result: dict[str, Any]) -> str:
    how = (result.get("threads_choice") or {}).get("how")
    per_arm = result.get("timings", {}).get("threads")
    if isinstance(per_arm, dict) and len(set(per_arm.values())) > 1:  # the old engine: chosen per arm
        return "/".join(str(n) for n in sorted(set(per_arm.values()))) + " (per arm)"
    workers = int(result.get("workers") or 1)
    procs = f"{workers}x" if workers > 1 else ""
    return f"{procs}{result.get('threads', '?')}" + (f" ({how})" if how else "")


def _load(result: dict[str, Any]) -> str:
    load = result.get("timings", {}).get("load") or {}
    fmt = lambda v: "?" if v is None else f"{v:.1f}"  # noqa: E731
    return f"{fmt(load.get('start'))}-{fmt(load.get('end'))}" if load else "?"


def lab_rows(results: list[dict[str, Any]]) -> list[list[str]]:
    rows = [["lab", "verdict", "total s", "features s", "seeds", "procs x threads", "load", "s/seed by kind (arms)"]]
    for r in results:
        kinds, secs = arm_kinds(r), seed_seconds(r)
        by_kind: dict[str, list[float]] = defaultdict(list)
        for arm, values in secs.items():
            by_kind[kinds.get(arm, "?")].append(statistics.mean(values))
        per_kind = ", ".join(f"{k} {statistics.mean(v):.2f} ({len(v)})" for k, v in sorted(by_kind.items()))
        t = r.get("timings", {})
        rows.append([r["lab"], r.get("verdict", "?"), f"{t.get('total_s', 0):.0f}", f"{t.get('features_s', 0):.1f}",
                     str(len(r.get("seeds", []))), _threads(r), _load(r), per_kind])
    return rows


def kind_rows(results: list[dict[str, Any]]) -> list[list[str]]:
    """Per kind over every lab: arms, seeds, mean / min / max seconds per seed, and total training seconds."""
    seeds: dict[str, list[float]] = defaultdict(list)
    arms: dict[str, int] = defaultdict(int)
    for r in results:
        kinds = arm_kinds(r)
        for arm, values in seed_seconds(r).items():
            seeds[kinds.get(arm, "?")] += values
            arms[kinds.get(arm, "?")] += 1
    rows = [["kind", "arms", "seeds", "s/seed mean", "min", "max", "total s"]]
    for k in sorted(seeds):
        v = seeds[k]
        rows.append([k, str(arms[k]), str(len(v)), f"{statistics.mean(v):.2f}", f"{min(v):.2f}", f"{max(v):.2f}",
                     f"{sum(v):.0f}"])
    return rows


def print_table(rows: list[list[str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for j, row in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if j == 0:
            print("  ".join("-" * w for w in widths))


def machine_line(results: list[dict[str, Any]]) -> str:
    devices = sorted({str(r.get("device")) for r in results})
    torches = sorted({str((r.get("versions") or {}).get("torch")) for r in results})
    try:
        now = "load now {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    except (AttributeError, OSError):
        now = "load now ?"
    return (f"{platform.node()}: {os.cpu_count()} cores, {platform.processor() or platform.machine()}; "
            f"device {'/'.join(devices)}; torch {'/'.join(torches)}; {now}")


def read_results(folder: Path) -> list[dict[str, Any]]:
    out = []
    for path in sorted(folder.rglob("result.json")):
        try:
            r = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            print(f"{path}: skipped ({exc})", file=sys.stderr)
            continue
        if r.get("status") == "finished":
            out.append(r)
        else:
            print(f"{path}: skipped (status {r.get('status')})", file=sys.stderr)
    return out


def settle(below: float, patience: float = 300.0) -> None:
    """Wait until other work keeps fewer than `below` cores busy (at most `patience` seconds): the engine picks
    its threads and processes from the free cores, and a lab timed while something else runs would be timed
    as a busy machine's."""
    from tutor.lab.device import available_cores
    from tutor.lab.threads import current_load

    t0 = time.perf_counter()
    while True:
        load = current_load(available_cores())
        if load is None:
            return
        if load < below or time.perf_counter() - t0 > patience:
            if time.perf_counter() - t0 > 1:
                print(f"  (waited {time.perf_counter() - t0:.0f} s for the load to settle: {load:.2f})", flush=True)
            return
        time.sleep(1)


def run_labs(names: list[str], seed: int, device: str, out: Path, settle_below: float | None = None,
             ) -> list[dict[str, Any]]:
    from tutor.lab.runner import run_lab
    from tutor.lab.spec.lab import find_lab, lab_files

    names = names or [p.stem for p in lab_files([ROOT / "labs"])]
    results = []
    for name in names:
        if settle_below is not None:
            settle(settle_below)
        t0 = time.perf_counter()
        final = None
        for event in run_lab(find_lab(name), profile="quick", seeds=seed, device=device, out=out / name):
            final = event
        if final is None or final.kind != "lab_finished":
            print(f"{name}: did not finish ({final.kind if final else 'no events'})", file=sys.stderr)
            continue
        print(f"{name}: {time.perf_counter() - t0:.0f} s, {final.verdict}", flush=True)
        results.append(final.result.to_json())  # the tables read result.json's plain data
    return results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("labs", nargs="*", help="lab ids (default: every lab in labs/)")
    ap.add_argument("--from-results", type=Path, metavar="DIR", help="tabulate the result.json files under DIR")
    ap.add_argument("--seed", type=int, default=0, help="first seed (default 0)")
    ap.add_argument("--device", default="auto")
    ap.add_argument("--out", type=Path, help="where the runs write (default: a temporary folder)")
    ap.add_argument("--settle", type=float, default=0.3, metavar="LOAD",
                    help="before each lab, wait until other work keeps fewer than LOAD cores busy (default 0.3; "
                         "a negative value: do not wait)")
    args = ap.parse_args()
    if args.from_results:
        results = read_results(args.from_results)
        results = [r for r in results if not args.labs or r["lab"] in args.labs]
    else:
        out = args.out or Path(tempfile.mkdtemp(prefix="bench-labs-"))
        results = run_labs(args.labs, args.seed, args.device, out, None if args.settle < 0 else args.settle)
    if not results:
        print("no finished results", file=sys.stderr)
        return 1
    print(machine_line(results))
    print()
    print_table(lab_rows(results))
    print()
    print_table(kind_rows(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
