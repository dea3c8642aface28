"""Frozen-backbone features, computed once and cached on disk.

A frozen backbone gives every image the same feature vector in every epoch, so a feature-extraction
arm runs the backbone once over the whole dataset (train pool, validation and test together) and trains
its head on the cached vectors. The cache key names the backbone by a hash of its weights, plus the
dataset, its options, image size and the input transform, so a different checkpoint or dataset can
never be served stale features; and the torch version, the device and the thread count, which change the
features' last bits of rounding (a run's numbers must not depend on which run filled the cache). Writes are atomic (`cache.disk_cache`): an interrupted extraction
leaves no entry behind.
"""

from __future__ import annotations

import hashlib
import time

import numpy as np
import torch
from torch import nn

from tutor.lab.data.cache import disk_cache

FEATURES_VERSION = 1  # bump when the extraction changes


def state_hash(module: nn.Module) -> str:
    """sha256 over a module's state dict (names, shapes, dtypes and bytes): identifies a checkpoint."""
    h = hashlib.sha256()
    for name, tensor in sorted(module.state_dict().items()):
        t = tensor.detach().to("cpu").contiguous()
        h.update(name.encode())
        h.update(str(tuple(t.shape)).encode())
        h.update(str(t.dtype).encode())
        h.update(t.numpy().tobytes() if t.dtype != torch.bfloat16 else t.float().numpy().tobytes())
    return h.hexdigest()


def computed_by(device: torch.device) -> dict[str, str | int]:
    """What, besides the weights and the data, decides a feature's rounding: torch, the device, the threads."""
    name = device.type
    if device.type == "cuda":
        name = f"cuda:{torch.cuda.get_device_name(device)}"
    return {"torch": torch.__version__, "device": name, "threads": torch.get_num_threads()}


@torch.inference_mode()
def extract(backbone: nn.Module, x: torch.Tensor, device: torch.device, batch_size: int = 256,
            pool: str = "avg") -> np.ndarray:
    """Run a frozen backbone (eval mode) over all images -> float32 array (N, feature_dim).

    pool "avg": the backbone's globally average-pooled features (N, channels); "flatten": its last
    feature map before pooling, flattened channel-major (N, channels x height x width), the classic
    Flatten -> Dense head input."""
    backbone = backbone.to(device).to(memory_format=torch.channels_last)
    backbone.eval()
    out = []
    for start in range(0, len(x), batch_size):
        batch = x[start:start + batch_size].to(device, non_blocking=True).contiguous(memory_format=torch.channels_last)
        if pool == "flatten":
            out.append(backbone.forward_stages(backbone.normalize(batch)).float().flatten(1).cpu())
        else:
            out.append(backbone(batch).float().cpu())
    return torch.cat(out).numpy().astype(np.float32, copy=False)


def cached_features(backbone: nn.Module, x: torch.Tensor, *, device: torch.device, key: dict,
                    weights_hash: str | None = None, pool: str = "avg") -> tuple[np.ndarray, bool, float]:
    """(features, came_from_cache, seconds). `key` names the data (dataset, size, options, count);
    `pool` ("avg" or "flatten", see `extract`) is part of the cache key."""
    full_key = {
        "kind": "frozen-features",
        "version": FEATURES_VERSION,
        "backbone": type(backbone).__name__,
        "weights": weights_hash or state_hash(backbone),
        "transform": "backbone.normalize+global-average-pool",
        "n": int(len(x)),
        "shape": list(x.shape[1:]),
        **computed_by(device),
        **key,
    }
    if pool != "avg":  # average-pooled entries keep their old key
        full_key["transform"] = f"backbone.normalize+{pool}"
        full_key["pool"] = pool
    built = []
    t0 = time.perf_counter()

    def build() -> dict[str, np.ndarray]:
        built.append(True)
        return {"features": extract(backbone, x, device, pool=pool)}

    arrays = disk_cache("features", full_key, build)
    return arrays["features"], not built, time.perf_counter() - t0
