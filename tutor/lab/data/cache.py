"""A small on-disk cache of numpy arrays, safe against interrupted writes.

`disk_cache(namespace, key, build)` returns the arrays stored under
`paths.cache_dir()/namespace/<sha256 of the canonical JSON of key>.npz`, or calls `build()` and stores
its result. Writes go to a temporary file in the same directory followed by `os.replace`, so a reader
never sees a half-written entry; a file that cannot be read back (truncated, corrupt, missing arrays)
is treated as a miss and rebuilt. Leftover temporary files from a killed process are ignored and
swept once they are an hour old. Entries are plain `.npz` (no pickles): deleting the folder is always safe.
"""

from __future__ import annotations

import hashlib
import json
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from tutor import paths
from tutor.atomic import atomic_open

_TMP_PREFIX = ".tmp-"
_STALE_TMP_S = 3600


def key_digest(key: dict) -> str:
    """sha256 of the canonical JSON of `key` (sorted keys, no whitespace; non-JSON values via str())."""
    text = json.dumps(key, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry_path(namespace: str, key: dict) -> Path:
    return paths.cache_dir() / namespace / f"{key_digest(key)}.npz"


def _read(path: Path) -> dict[str, np.ndarray] | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile):
        return None
    return arrays or None


def _write(path: Path, arrays: dict[str, np.ndarray]) -> None:
    with atomic_open(path, "wb", prefix=_TMP_PREFIX) as f:
        np.savez(f, **arrays)


def _sweep_stale_tmp(folder: Path) -> None:
    now = time.time()
    try:
        for tmp in folder.glob(_TMP_PREFIX + "*"):
            try:
                if now - tmp.stat().st_mtime > _STALE_TMP_S:
                    tmp.unlink()
            except OSError:
                pass
    except OSError:
        pass


def disk_cache(namespace: str, key: dict, build: Callable[[], dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """The arrays cached under (namespace, key); built with `build()` and stored atomically on a miss."""
    path = entry_path(namespace, key)
    if path.exists():
        cached = _read(path)
        if cached is not None:
            return cached
    arrays = {name: np.asarray(value) for name, value in build().items()}
    if not arrays:
        raise ValueError(f"disk_cache({namespace!r}): build() returned no arrays")
    try:
        _write(path, arrays)
        _sweep_stale_tmp(path.parent)
    except OSError:
        pass  # a read-only or full disk costs speed, never correctness
    return arrays
