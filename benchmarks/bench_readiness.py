"""How good is the readiness prediction? Back-testing on simulated learners whose true recall is known.

Each simulated learner (tutor.study.simulate.backtest) studies a 144-question bank of 8 topics for 28 days
at their own pace and ability, reviewing as FSRS says; readiness then predicts a full mock (65 questions)
two days later from their answers alone, and the learner takes one. Printed per setting: the measured
coverage of the stated interval, the mean error and bias of the predicted score (percentage points), the
mean interval width, and how well the pass probability is calibrated (Brier score against passing 72 %).

Settings: the learner's memory as tutor's FSRS assumes, then forgetting faster (stabilities x0.6) and
slower (x1.5) than it assumes: the model is wrong there, and the coverage says how much that costs.
Usage: python benchmarks/bench_readiness.py [--learners N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tutor.study.simulate import backtest


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=400)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    print(f"{args.learners} simulated learners per row, full mock of 65 questions")
    print(f"{'memory':>8} {'level':>6} {'coverage':>9} {'mean |err|':>11} {'bias':>6} {'width':>6} {'pass Brier':>11}")
    for scale in (1.0, 0.6, 1.5):
        for level in (0.9, 0.8):
            results = backtest(args.learners, seed=args.seed, memory_scale=scale, level=level)
            cover = sum(p.low <= a <= p.high for p, a in results) / len(results)
            err = statistics.fmean(abs(p.score - a) for p, a in results)
            bias = statistics.fmean(p.score - a for p, a in results)
            width = statistics.fmean(p.high - p.low for p, _ in results)
            brier = statistics.fmean((p.pass_probability - (a >= 72 - 1e-9)) ** 2 for p, a in results)
            print(f"{scale:>8.1f} {level:>6.0%} {cover:>9.3f} {err:>11.2f} {bias:>6.2f} {width:>6.1f} {brier:>11.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
