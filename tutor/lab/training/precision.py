"""Mixed precision in the training loop: bfloat16 autocast where the CPU computes bfloat16 natively.

`TUTOR_PRECISION` picks it: `fp32` (float32 everywhere), `bf16` (`torch.autocast(device, bfloat16)`
around every forward pass, training and evaluation; weights, gradients, optimiser state and losses stay
float32) or `auto` (the default): float32, unless `AUTO_BF16` is set, when it picks bf16 on a CPU whose
flags include `avx512_bf16` or `amx_bf16`, and only for arms that run convolutions (`full` and `top`
data modes); labs/README.md ("bfloat16") has the measurements behind the choice. A head on cached
features or a plain fully connected net is dominated by per-step overheads, where casting costs more than
it saves.
"""

from __future__ import annotations

import contextlib
import functools
import os
from typing import Any

PRECISIONS = ("auto", "bf16", "fp32")
CONV_MODES = ("full", "top")  # data modes whose forward pass runs backbone stages (tutor/lab/training/arm.py)
AUTO_BF16 = False  # `auto` picks bf16 only once it is measured faster with the same verdicts (labs/README.md)


@functools.cache
def cpu_has_bf16() -> bool:
    """Whether this CPU computes bfloat16 natively (Linux /proc/cpuinfo flags; False where unreadable)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            flags = set(fh.read().split())
    except OSError:
        return False
    return bool(flags & {"avx512_bf16", "amx_bf16"})


def requested() -> str:
    """`TUTOR_PRECISION` (auto, bf16, fp32); anything else counts as auto."""
    value = os.environ.get("TUTOR_PRECISION", "auto").strip().lower()
    return value if value in PRECISIONS else "auto"


def choose(device_type: str, mode: str) -> str:
    """"bf16" or "fp32" for an arm whose data mode is `mode`, on a device of type `device_type`."""
    want = requested()
    if want != "auto":
        return want if device_type in ("cpu", "cuda") else "fp32"
    auto_bf16 = AUTO_BF16 and device_type == "cpu" and mode in CONV_MODES and cpu_has_bf16()
    return "bf16" if auto_bf16 else "fp32"


def autocast(device_type: str, precision: str) -> Any:
    """The context a forward pass runs in: bfloat16 autocast, or nothing."""
    if precision != "bf16":
        return contextlib.nullcontext()
    import torch

    return torch.autocast(device_type, dtype=torch.bfloat16)


def describe() -> dict[str, Any]:
    """What a run records: the request and whether this CPU has native bfloat16."""
    return {"requested": requested(), "cpu_bf16": cpu_has_bf16()}
