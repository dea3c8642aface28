"""Where the lab trains: device choice (CUDA, then MPS, then CPU) and the CPU thread count."""

from __future__ import annotations

import multiprocessing
import os
import sys

import torch

from tutor.lab.errors import LabError

DEVICES = ("auto", "cpu", "cuda", "mps")


def _mps_available() -> bool:
    mps = getattr(torch.backends, "mps", None)
    return bool(mps is not None and mps.is_available())


def pick_device(pref: str = "auto") -> torch.device:
    """`auto`: CUDA if present, then Apple MPS, then CPU. An explicit device that is absent is a LabError."""
    pref = (pref or "auto").strip().lower()
    if pref == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")
    if pref == "cpu":
        return torch.device("cpu")
    if pref.startswith("cuda"):
        if not torch.cuda.is_available():
            raise LabError(f"--device {pref}: no CUDA GPU is available here (torch {torch.__version__}); use --device cpu or auto")
        return torch.device(pref)
    if pref == "mps":
        if not _mps_available():
            raise LabError("--device mps: Apple MPS is not available here; use --device cpu or auto")
        return torch.device("mps")
    raise LabError(f"--device {pref!r}: expected one of {', '.join(DEVICES)}")


def available_cores() -> int:
    """Cores this process may run on (respects CPU affinity / container limits where the OS exposes them)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # macOS / Windows
        return max(1, os.cpu_count() or 1)


def forkable() -> bool:
    """Whether worker processes can inherit a run by fork: Linux only (unsafe on macOS, absent on Windows)."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def configure_threads(n: int | None = None) -> int:
    """Set torch's intra-op threads to `n`, else `TUTOR_THREADS`, else the available cores; return the number set."""
    fixed = os.environ.get("TUTOR_THREADS", "").strip()
    n = int(n) if n else (int(fixed) if fixed.isdigit() and int(fixed) > 0 else available_cores())
    torch.set_num_threads(n)
    return n
