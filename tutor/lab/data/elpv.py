"""The elpv solar cells (the `elpv-dataset` package's 2,624 PNGs and labels.csv), decoded in threads. Torch-free.

`elpv_dataset.utils.load_dataset` decodes the 300 x 300 PNGs one after another and copies the list into
one 236 MB array; the dataset then resizes that array in chunks. Here the same files are decoded by a small
thread pool (Pillow lets go of the GIL while it inflates a PNG, so the lab's otherwise idle cores help
before any training starts) and handed over chunk by chunk, as the resize takes them: the same pixels,
labels and cell types as `load_dataset`, with no second copy of the whole set
(tests/lab/test_labdata_elpv.py checks them against `load_dataset`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from pathlib import Path

import numpy as np

from tutor.lab.errors import DatasetUnavailable

DECODE_THREADS = 2  # the labs' machines have 2-16 cores; more threads than cores buys nothing


def data_dir() -> Path:
    """The package's data folder (labels.csv, images/)."""
    try:
        import elpv_dataset
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise DatasetUnavailable("elpv needs the 'elpv-dataset' package (pip install elpv-dataset)") from exc
    return Path(elpv_dataset.__file__).resolve().parent / "data"


def labels() -> tuple[list[Path], np.ndarray, np.ndarray]:
    """(image files, defect probabilities float64, cell types 'mono'/'poly'), as `load_dataset` reads labels.csv."""
    fname = data_dir() / "labels.csv"
    data = np.genfromtxt(fname, dtype=["|S19", "<f8", "|S4"], names=["path", "probability", "type"])
    files = [fname.parent / p for p in np.char.decode(data["path"])]
    return files, data["probability"], np.char.decode(data["type"])


def _decode(path: Path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image)


def images(files: list[Path], chunk: int = 256, threads: int = DECODE_THREADS) -> Iterator[np.ndarray]:
    """The decoded images, `chunk` at a time (uint8 stacks (<= chunk, H, W)), in the files' order."""
    workers = max(1, min(threads, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="elpv-decode") as pool:
        decoded = pool.map(_decode, files)
        while batch := list(islice(decoded, chunk)):
            yield np.stack(batch)
