"""A long fuzz run of the bank loader: generated YAML-ish files (tests/support/bank_fuzz.py) through yamlsrc and
the loader; prints inputs per second, and the first failing input (shrunk) if any.

    python benchmarks/fuzz_bank.py [--examples 5000] [--seed N]

CI runs a bounded version (tests/bank/test_bank_fuzz.py); run this after changing yamlsrc or the loader.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()

    from support.bank_fuzz import check, yaml_texts
    from hypothesis import HealthCheck, given, seed, settings

    count = 0

    @settings(max_examples=args.examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(yaml_texts)
    def run(text: str) -> None:
        nonlocal count
        count += 1
        if count % 1000 == 0:  # a long run shows it is alive (and how fast) before it ends
            print(f"  {count} inputs, {count / (time.perf_counter() - start):.0f}/s", flush=True)
        check(text)

    if args.seed is not None:
        run = seed(args.seed)(run)
    start = time.perf_counter()
    failed = None
    try:
        run()
    except Exception as exc:  # noqa: BLE001 - report the failure hypothesis found (it prints the input)
        failed = exc
    elapsed = time.perf_counter() - start
    print(f"{count} inputs in {elapsed:.1f} s: {count / elapsed:.0f} inputs/s")
    if failed is not None:
        print(f"FAILED: {failed.__class__.__name__}: {failed}")
        return 1
    print("no failure")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
