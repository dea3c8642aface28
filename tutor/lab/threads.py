"""How many CPU threads to train with: the available cores, unless this machine is busy.

torch uses one intra-op thread per available core. On a machine whose cores are shared with other busy
processes, every parallel region then waits for a thread that the OS has not scheduled: measured on a
shared 2-core machine, a training step became ~20x slower with 2 threads than with 1. So before each arm
the engine times a tiny training step with all cores and with one thread (~50 ms when the machine is
idle) and keeps the faster. On an idle machine that is all cores.
"""

from __future__ import annotations

import os
import time

import torch
from torch import nn

from tutor.lab.device import available_cores


def _step_seconds(threads: int, net: nn.Module, x: torch.Tensor, reps: int = 3) -> float:
    torch.set_num_threads(threads)
    best = float("inf")
    for _ in range(reps + 1):
        t0 = time.perf_counter()
        net.zero_grad(set_to_none=True)
        net(x).sum().backward()
        best = min(best, time.perf_counter() - t0)
    return best


def calibrate_threads(device: torch.device) -> int:
    """Set and return the faster of (available cores, 1) for a small conv training step; CPU only."""
    cores = available_cores()
    fixed = os.environ.get("TUTOR_THREADS", "").strip()
    if fixed.isdigit() and int(fixed) > 0:
        torch.set_num_threads(int(fixed))
        return int(fixed)
    if device.type != "cpu" or cores == 1:
        torch.set_num_threads(cores)
        return cores
    gen = torch.Generator().manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 16, 3, 2, 1), nn.BatchNorm2d(16), nn.ReLU(), nn.Conv2d(16, 32, 3, 2, 1),
                        nn.BatchNorm2d(32), nn.ReLU(), nn.Conv2d(32, 64, 3, 2, 1), nn.AdaptiveAvgPool2d(1),
                        nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))
    net = net.to(memory_format=torch.channels_last)
    x = torch.rand(16, 1, 48, 48, generator=gen).contiguous(memory_format=torch.channels_last)
    many = _step_seconds(cores, net, x)
    one = _step_seconds(1, net, x)
    chosen = cores if many <= one else 1
    torch.set_num_threads(chosen)
    return chosen
