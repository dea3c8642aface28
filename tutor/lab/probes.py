"""Per-layer statistics of a plain network: how large the signal is going forward and the gradient going back.

`layer_stats(net, x, y)` runs one forward and backward pass on a copy of the network in training mode
(the arm's own model, its optimiser state and its batch-norm running statistics are never touched) and
returns, for every hidden layer in order:

- `act_std`: standard deviation of the layer's output (after normalisation and activation) over the batch;
- `grad_norm`: Frobenius norm of the gradient of the cross-entropy with respect to the layer's weights.

A signal that shrinks (or grows) by a constant factor per layer shows up as a straight falling (rising)
line on a log scale: vanishing (exploding) activations or gradients.
"""

from __future__ import annotations

import copy
import math

import torch
from torch.nn import functional as F


def layer_stats(net: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> dict[str, list[float]]:
    """{"act_std": [...], "grad_norm": [...]} per hidden block of `net` (a PlainNet: `.blocks`, `block.linear`)."""
    probe = copy.deepcopy(net)
    probe.train()
    acts: list[torch.Tensor] = []
    hooks = [b.register_forward_hook(lambda _m, _i, out: acts.append(out.detach())) for b in probe.blocks]
    try:
        probe.zero_grad(set_to_none=True)
        loss = F.cross_entropy(probe(x), y)
        loss.backward()
    finally:
        for h in hooks:
            h.remove()
    act_std = [_finite(float(a.float().std())) for a in acts]
    grad_norm = [_finite(float(b.linear.weight.grad.norm())) if b.linear.weight.grad is not None else 0.0
                 for b in probe.blocks]
    return {"act_std": act_std, "grad_norm": grad_norm}


def _finite(v: float) -> float:
    return v if math.isfinite(v) else float("nan")


def log_ratio(values: list[float], floor: float = 1e-30) -> float:
    """log10(last / first): how many orders of magnitude the quantity changes across the hidden layers
    (0: kept its scale; -3: a thousand times smaller). Zeros count as `floor`; NaN (a diverged net) as 0."""
    if len(values) < 2 or not all(math.isfinite(v) for v in (values[0], values[-1])):
        return 0.0
    return math.log10(max(values[-1], floor) / max(values[0], floor))
