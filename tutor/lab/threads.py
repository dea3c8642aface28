"""How many CPU threads a lab run trains with, and in how many processes: picked once per run, then fixed for
every arm and seed.

torch uses one intra-op thread per available core. On a machine whose cores are shared with other busy
processes, every parallel region then waits for a thread that the OS has not scheduled: measured on a
shared 2-core machine, a training step became ~20x slower with 2 threads than with 1. So at the start of a
run the engine caps the count at the cores that other processes leave free (measured over half a second
from /proc/stat where there is one: the 1-minute load average still counts a run that ended a minute
ago, and it made a lab started right after another one train on one core of an idle machine), then times
a tiny training step with that many threads and with one, interleaved, and keeps the many only when they
are clearly faster (medians, so that one lucky lull cannot pick them). On an idle machine that is all
cores.

Once per run, not per arm: the thread count can change a seed's last bits of rounding, so every arm of a
run must use the same count for its numbers to be comparable and repeatable; the count is recorded in
result.json. `TUTOR_THREADS=N` pins it (no timing).

Where children can be forked (Linux), a CPU run with two or more free cores skips the timing: it trains
with one thread per process and an arm's seeds in as many processes as there are free cores
(`runner.parallel`), which on these small nets beats more threads in one process (measured: two
one-thread processes each ran as fast as one alone; a second thread gained under 10 %). `TUTOR_WORKERS=N`
pins the number of processes (1: every seed in this one).
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import torch
from torch import nn

from tutor.lab.device import available_cores, forkable

SAMPLE_S = 0.5  # how long the CPU's idle time is watched to count the busy cores
CLEARLY_FASTER = 0.9  # many threads must take at most this fraction of one thread's step time
REPS = 5


@dataclass
class ThreadChoice:
    """The run's thread count and how it was chosen (written to result.json as `threads_choice`)."""

    threads: int
    how: str  # "pinned" (TUTOR_THREADS), "device" (not a CPU run), "one core", "busy", "seeds in parallel", "timed"
    cores: int
    load: float | None = None  # cores busy with other work when chosen (current_load)
    step_s: dict[str, float] = field(default_factory=dict)  # median seconds of the timed step, by thread count
    workers: int = 1  # processes that train an arm's seeds side by side

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def load_average() -> float | None:
    """The 1-minute load average (runnable processes), or None where the OS has none (Windows)."""
    try:
        return float(os.getloadavg()[0])
    except (AttributeError, OSError):
        return None


def _cpu_times() -> tuple[float, float] | None:
    """(idle, total) jiffies of all CPUs from /proc/stat (Linux), None elsewhere. Steal counts as busy."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            fields = f.readline().split()
    except OSError:
        return None
    if not fields or fields[0] != "cpu" or len(fields) < 5:
        return None
    values = [float(v) for v in fields[1:9]]  # user nice system idle iowait irq softirq steal (guest is in user)
    return values[3] + values[4], sum(values)


def current_load(cores: int, seconds: float = SAMPLE_S) -> float | None:
    """Cores of this process's `cores` that other work keeps busy now: the machine's busy fraction over
    `seconds` times `cores`, less what this process itself spent meanwhile (its own threads are not other
    work); the 1-minute load average where /proc/stat is missing."""
    before = _cpu_times()
    if before is None:
        return load_average()
    own_before, wall_before = _own_cpu(), time.perf_counter()
    time.sleep(seconds)
    after = _cpu_times()
    if after is None or after[1] <= before[1]:
        return load_average()
    idle = (after[0] - before[0]) / (after[1] - before[1])
    wall = time.perf_counter() - wall_before
    own = (_own_cpu() - own_before) / wall if seconds > 0 and wall > 0 else 0.0
    return round(max(0.0, cores * (1.0 - idle) - own), 2)


def _own_cpu() -> float:
    """CPU seconds this process has used, all its threads."""
    return time.process_time()


def other_load(cores: int) -> float | None:
    """Busy cores (current_load), sampled again when the first sample leaves fewer than all cores free, the
    lower of the two kept: a process that is just ending (the last lab's workers, an editor saving) is not
    load that will last the run, and one such half second made an idle machine's first run of a lab train
    in one process at about twice its time. Sustained work shows in both samples."""
    load = current_load(cores)
    if load is None or free_cores(cores, load) == cores:
        return load
    again = current_load(cores)
    return load if again is None else min(load, again)


def free_cores(cores: int, load: float | None) -> int:
    """Cores that `load` (busy cores, see current_load) leaves to this run (at least one)."""
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


def _env_count(name: str) -> int | None:
    value = os.environ.get(name, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def pick_threads(device: torch.device) -> ThreadChoice:
    """Choose, set and return the run's thread count and processes (see the module docstring)."""
    cores = available_cores()
    fixed = _env_count("TUTOR_THREADS")
    load = other_load(cores) if cores > 1 else None
    free = free_cores(cores, load)
    if fixed:
        choice = ThreadChoice(fixed, "pinned", cores, load)
    elif device.type != "cpu":
        choice = ThreadChoice(cores, "device", cores, load)
    elif cores == 1:
        choice = ThreadChoice(1, "one core", cores, load)
    elif free == 1:
        choice = ThreadChoice(1, "busy", cores, load)
    elif forkable() and _env_count("TUTOR_WORKERS") != 1:
        choice = ThreadChoice(1, "seeds in parallel", cores, load)
    else:
        secs = _timed(free)
        best = free if secs[free] <= CLEARLY_FASTER * secs[1] else 1
        choice = ThreadChoice(best, "timed", cores, load, {str(n): s for n, s in secs.items()})
    choice.workers = _workers(choice, free)
    torch.set_num_threads(choice.threads)
    return choice


def _workers(choice: ThreadChoice, free: int) -> int:
    """Processes for an arm's seeds: TUTOR_WORKERS, else the free cores' worth of the run's threads (CPU, Linux)."""
    if choice.how == "device" or not forkable():
        return 1
    return _env_count("TUTOR_WORKERS") or max(1, free // choice.threads)


def calibrate_threads(device: torch.device) -> int:
    """Set and return the thread count `pick_threads` chooses (kept for callers that want the number only)."""
    return pick_threads(device).threads
