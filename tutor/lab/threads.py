"""How many CPU threads a lab run trains with: picked once per run, then fixed for every arm and seed.

torch uses one intra-op thread per available core. On a machine whose cores are shared with other busy
processes, every parallel region then waits for a thread that the OS has not scheduled: measured on a
shared 2-core machine, a training step became ~20x slower with 2 threads than with 1. So at the start of a
run the engine caps the count at the cores that the load average leaves free, then times a tiny training
step with that many threads and with one, interleaved, and keeps the many only when they are clearly faster
(medians, so that one lucky lull cannot pick them). On an idle machine that is all cores.

Once per run, not per arm: the thread count can change a seed's last bits of rounding, so every arm of a
run must use the same count for its numbers to be comparable and repeatable; the count is recorded in
result.json. `TUTOR_THREADS=N` pins it (no timing).
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import torch
from torch import nn

from tutor.lab.device import available_cores

CLEARLY_FASTER = 0.9  # many threads must take at most this fraction of one thread's step time
REPS = 5


@dataclass
class ThreadChoice:
    """The run's thread count and how it was chosen (written to result.json as `threads_choice`)."""

    threads: int
    how: str  # "pinned" (TUTOR_THREADS), "device" (not a CPU run), "one core", "busy", "timed"
    cores: int
    load: float | None = None  # 1-minute load average when chosen
    step_s: dict[str, float] = field(default_factory=dict)  # median seconds of the timed step, by thread count

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def load_average() -> float | None:
    """The 1-minute load average (runnable processes), or None where the OS has none (Windows)."""
    try:
        return float(os.getloadavg()[0])
    except (AttributeError, OSError):
        return None


def free_cores(cores: int, load: float | None) -> int:
    """Cores the load average leaves to this run (at least one)."""
    if load is None:
        return cores
    return max(1, min(cores, cores - int(load + 0.5)))


def _probe() -> tuple[nn.Module, torch.Tensor]:
    gen = torch.Generator().manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 16, 3, 2, 1), nn.BatchNorm2d(16), nn.ReLU(), nn.Conv2d(16, 32, 3, 2, 1),
                        nn.BatchNorm2d(32), nn.ReLU(), nn.Conv2d(32, 64, 3, 2, 1), nn.AdaptiveAvgPool2d(1),
                        nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))
    net = net.to(memory_format=torch.channels_last)
    x = torch.rand(16, 1, 48, 48, generator=gen).contiguous(memory_format=torch.channels_last)
    return net, x


def _step_seconds(threads: int, net: nn.Module, x: torch.Tensor) -> float:
    torch.set_num_threads(threads)
    t0 = time.perf_counter()
    net.zero_grad(set_to_none=True)
    net(x).sum().backward()
    return time.perf_counter() - t0


def _timed(many: int) -> dict[int, float]:
    """Median step seconds with `many` threads and with one, measured alternately (after one warm-up each)."""
    net, x = _probe()
    runs: dict[int, list[float]] = {many: [], 1: []}
    for rep in range(REPS + 1):
        for n in (many, 1):
            secs = _step_seconds(n, net, x)
            if rep:
                runs[n].append(secs)
    return {n: statistics.median(v) for n, v in runs.items()}


def pick_threads(device: torch.device) -> ThreadChoice:
    """Choose, set and return the run's thread count (see the module docstring)."""
    cores = available_cores()
    fixed = os.environ.get("TUTOR_THREADS", "").strip()
    load = load_average()
    if fixed.isdigit() and int(fixed) > 0:
        choice = ThreadChoice(int(fixed), "pinned", cores, load)
    elif device.type != "cpu":
        choice = ThreadChoice(cores, "device", cores, load)
    elif cores == 1:
        choice = ThreadChoice(1, "one core", cores, load)
    elif (free := free_cores(cores, load)) == 1:
        choice = ThreadChoice(1, "busy", cores, load)
    else:
        secs = _timed(free)
        best = free if secs[free] <= CLEARLY_FASTER * secs[1] else 1
        choice = ThreadChoice(best, "timed", cores, load, {str(n): s for n, s in secs.items()})
    torch.set_num_threads(choice.threads)
    return choice


def calibrate_threads(device: torch.device) -> int:
    """Set and return the thread count `pick_threads` chooses (kept for callers that want the number only)."""
    return pick_threads(device).threads
