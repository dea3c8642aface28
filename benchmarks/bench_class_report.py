"""Class report speed and accuracy on a simulated class (issue 27): 300 learners x 65 questions under a 2PL
IRT model with known parameters (tutor.classreport.simulate), written as JSON lines and read back by
`tutor class report` as an instructor would run it.

Run: .venv/bin/python benchmarks/bench_class_report.py [--learners 300] [--items 65] [--seeds 0 1 2]
Prints numbers and asserts nothing: the whole command's wall time in a fresh process (best of 3), the
time per statement of Ralph's validation, and, per seed, how the report tracks the truth (mean absolute
error of facility and discrimination, the 95 % intervals' coverage, the rank correlation of item-rest with
the IRT discrimination, dead distractors flagged).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr

from tutor.bank.loader import load_bank
from tutor.classreport.report import build
from tutor.classreport.responses import from_files
from tutor.classreport.simulate import simulate, write_bank


def _write(folder: Path, learners: int, items: int, seed: int):
    statements, truth = simulate(learners=learners, items=items, seed=seed)
    bank_dir = write_bank(folder / f"bank-{seed}", truth)
    path = folder / f"class-{seed}.jsonl"
    path.write_text("".join(json.dumps(s) + "\n" for s in statements), encoding="utf-8")
    return path, bank_dir, truth


def tracking(path: Path, bank_dir: Path, truth) -> dict:
    bank = load_bank([bank_dir])
    t = time.perf_counter()
    gathered = from_files([path], bank)
    read_s = time.perf_counter() - t
    rep = build(gathered.answers, bank)
    fac = np.array([i.facility for i in rep.items])
    disc = np.array([i.discrimination for i in rep.items])
    by = {i.question: i for i in rep.items}
    dead = [any(o.key == k and "non-functioning" in o.flags for o in by[q].options) for q, k in truth.dead.items()]
    live_flagged = sum(1 for i in rep.items for o in i.options if o.flags and truth.dead.get(i.question) != o.key)
    return {
        "facility_mae": float(np.abs(fac - truth.facility).mean()),
        "discrimination_mae": float(np.abs(disc - truth.item_rest).mean()),
        "facility_ci_coverage": float(np.mean([i.facility_ci[0] <= t <= i.facility_ci[1] for i, t in zip(rep.items, truth.facility)])),
        "discrimination_ci_coverage": float(np.mean([i.discrimination_ci[0] <= t <= i.discrimination_ci[1] for i, t in zip(rep.items, truth.item_rest)])),
        "spearman_discrimination_vs_a": float(spearmanr(disc, truth.a).statistic),
        "dead_flagged": f"{sum(dead)}/{len(dead)}",
        "live_distractors_under_5pct": live_flagged,
        "alpha": round(rep.alpha["value"], 3),
        "validation_us_per_statement": round(1e6 * read_s / len(gathered.answers), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=300)
    parser.add_argument("--items", type=int, default=65)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for seed in args.seeds:
            path, bank_dir, truth = _write(folder, args.learners, args.items, seed)
            print(f"seed {seed}: " + ", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in tracking(path, bank_dir, truth).items()))
        path, bank_dir = folder / f"class-{args.seeds[0]}.jsonl", folder / f"bank-{args.seeds[0]}"
        cmd = [sys.executable, "-m", "tutor", "class", "report", str(path), "--bank", str(bank_dir), "--json", "--out", str(folder / "out")]
        walls = []
        for _ in range(3):
            t = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True, env={**__import__("os").environ, "TUTOR_HOME": str(folder / "home")})
            walls.append(time.perf_counter() - t)
        statements = args.learners * args.items
        print(f"tutor class report, {args.learners} learners x {args.items} questions ({statements:,} statements, "
              f"JSON + PNG): best {min(walls):.2f} s of 3 ({', '.join(f'{w:.2f}' for w in walls)})")


if __name__ == "__main__":
    main()
