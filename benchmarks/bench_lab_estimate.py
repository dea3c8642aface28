"""The lab page's run-time estimate against the run it predicts (issue 13: within 30 % on an idle machine).

Runs `tutor lab LAB --quick` twice in a fresh TUTOR_HOME: the first run is recorded in the store; the
estimate the lab page would show before the second run is computed from it (tutor.study.labtime, the
same code the page uses) and compared with the second run's wall-clock time.

    python benchmarks/bench_lab_estimate.py [--lab optimisation] [--profile quick]

Report `uptime` with the numbers: on a busy machine the second run can take longer than the first.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def run(lab: str, profile: str, env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tutor", "lab", lab, f"--{profile}", "--json"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lab", default="optimisation")
    ap.add_argument("--profile", default="quick")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, TUTOR_HOME=home, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
        first = run(args.lab, args.profile, env)
        os.environ["TUTOR_HOME"] = home
        from tutor.lab.spec import find_lab
        from tutor.study import labtime
        from tutor.study.labruns import host, last_run
        from tutor.study.store import Store

        lab = find_lab(args.lab)
        with Store() as store:
            measured = labtime.measure(last_run(store, lab.id, profile=args.profile, host_name=host()))
        epochs = {n: labtime.epochs_per_seed(c) for n, c in lab.arm_configs(args.profile).items()}
        est = labtime.estimate(measured, lab.profile(args.profile).seeds, epochs, profile=args.profile)
        second = run(args.lab, args.profile, env)
    error = (est.total_s - second) / second
    print(f"{args.lab} {args.profile}: first run {first:.1f} s; estimate {est.total_s:.1f} s; second run {second:.1f} s; "
          f"error {100 * error:+.0f} % ({'within' if abs(error) <= 0.30 else 'outside'} 30 %)")
    print(f"  per arm, s/seed: " + ", ".join(f"{a} {s:.2f}" for a, s in est.per_seed_s.items()) + f"; fixed {est.overhead_s:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
