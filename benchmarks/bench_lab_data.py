"""Lab datasets made from nothing: CPU seconds of each, and a sha256 of its arrays (proof that a faster
generator makes the same images).

Every dataset a shipped lab uses (each profile's `dataset:` / `datasets:`, labs/*.yaml), plus with `--source`
the pretraining source `tutor pretrain` draws (fractal-source, 100 x 200 at 64 px), is built with the dataset's
own builder, bypassing the disk cache, and hashed: every array (images, labels, class names, splits, ...) by
name, dtype, shape and bytes.

    python benchmarks/bench_lab_data.py                        # CPU seconds and sha256 of each dataset
    python benchmarks/bench_lab_data.py --check benchmarks/lab_data.sha256.json   # ... compared (exit 1 if any differs)
    python benchmarks/bench_lab_data.py --write benchmarks/lab_data.sha256.json   # record them
    python benchmarks/bench_lab_data.py --against REV [--rounds 3]   # the fractal generator of git revision REV
        # against today's, interleaved round by round: CPU seconds of each fractal dataset, and its hash both ways

benchmarks/lab_data.sha256.json holds the hashes as made on this project's 2-vCPU AMD EPYC with the generator
before it was made faster (2026-12-07): another CPU's BLAS kernels may draw other last bits of the fractal
coefficients (so compare there with --against, which runs both generators on the same CPU).

CPU seconds (time.process_time, one torch thread) rather than wall time: the machine is shared. Say the load
(printed) with the numbers. Not a timed test.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SOURCE = ("fractal-source", 64, ())  # what `tutor pretrain` trains on


def array_digest(arrays: dict) -> str:
    """sha256 over every array by name (sorted), dtype, shape and bytes."""
    import numpy as np

    h = hashlib.sha256()
    for name in sorted(arrays):
        a = np.ascontiguousarray(np.asarray(arrays[name]))
        h.update(name.encode())
        h.update(a.dtype.str.encode())
        h.update(str(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def lab_datasets(source: bool = False) -> list[tuple[str, int, tuple]]:
    """(name, size, sorted options) of every dataset the shipped labs use, in every profile, once each."""
    from tutor.lab.spec.register import shipped_labs

    seen: dict[tuple, None] = {}
    for lab in shipped_labs():
        for profile in lab.profile_names():
            for spec in lab.datasets(profile).values():
                seen[(spec.name, spec.size, tuple(sorted(spec.options.items())))] = None
    if source:
        seen[SOURCE] = None
    return list(seen)


def label(item: tuple[str, int, tuple]) -> str:
    name, size, opts = item
    return f"{name} {size}px" + "".join(f" {k}={v}" for k, v in opts)


def build(item: tuple[str, int, tuple]) -> tuple[float, str]:
    """(CPU seconds, sha256) of one dataset built from nothing (no disk cache, no in-process copy)."""
    from tutor.lab.data import datasets

    name, size, opts = item
    _, builder, _ = datasets._spec(name, size, dict(opts))
    memo = getattr(datasets.fractals, "_prototype", None)
    if memo is not None:  # each build from nothing, as in a lab's own process: no prototype kept from the last
        memo.cache_clear()
    t0 = time.process_time()
    arrays = builder()
    return time.process_time() - t0, array_digest(arrays)


def old_fractals(rev: str):
    """tutor/lab/data/fractals.py as it was at git revision `rev`, imported as a module of its own."""
    text = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:tutor/lab/data/fractals.py"], check=True,
                          capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp(prefix="bench-lab-data-")) / "fractals_old.py"
    path.write_text(text, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("fractals_old", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def against(rev: str, rounds: int, source: bool) -> int:
    """Each fractal dataset built by REV's generator and by today's, interleaved: CPU seconds and hashes."""
    from tutor.lab.data import datasets

    new, old = datasets.fractals, old_fractals(rev)
    items = [i for i in lab_datasets(source) if i[0] in ("fractals", "fractal-source")]
    same = True
    print(f"fractal generator of {rev} (old) against the working tree (new): CPU seconds, {rounds} rounds interleaved")
    for item in items:
        times: dict[str, list[float]] = {"old": [], "new": []}
        digests: dict[str, set[str]] = {"old": set(), "new": set()}
        for r in range(rounds):
            for which in (("old", "new") if r % 2 == 0 else ("new", "old")):
                datasets.fractals = old if which == "old" else new
                try:
                    secs, digest = build(item)
                finally:
                    datasets.fractals = new
                times[which].append(secs)
                digests[which].add(digest)
        o, n = min(times["old"]), min(times["new"])
        ok = len(digests["old"]) == 1 and digests["old"] == digests["new"]
        same &= ok
        print(f"  {label(item):45s} old {o:6.2f} s  new {n:6.2f} s  x{o / max(n, 1e-9):5.1f}  "
              f"{'identical' if ok else 'DIFFERENT'} {sorted(digests['new'])[0][:16]}")
    print(f"load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0 if same else 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", type=Path, help="compare the hashes with this JSON file (exit 1 on a difference)")
    ap.add_argument("--write", type=Path, help="write the hashes to this JSON file")
    ap.add_argument("--against", metavar="REV", help="time and hash the fractal generator of this git revision too")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--source", action="store_true", help="also the pretraining source (fractal-source, ~20,000 images)")
    args = ap.parse_args()
    os.environ.setdefault("TUTOR_HOME", tempfile.mkdtemp(prefix="bench-lab-data-"))
    import torch

    torch.set_num_threads(1)
    if args.against:
        return against(args.against, args.rounds, args.source)
    expected = json.loads(args.check.read_text(encoding="utf-8")) if args.check else {}
    found, bad = {}, 0
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; CPU seconds (one torch thread), sha256")
    for item in lab_datasets(args.source):
        secs, digest = build(item)
        found[label(item)] = digest
        mark = ""
        if args.check:
            want = expected.get(label(item))
            mark = "  (not recorded)" if want is None else ("  identical" if want == digest else "  DIFFERENT")
            bad += want is not None and want != digest
        print(f"  {label(item):45s} {secs:6.2f} s  {digest[:16]}{mark}")
    if args.write:
        args.write.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
