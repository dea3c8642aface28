"""The lab file format (`lab.py`), an arm's settings (`arm.py`, `settings.py`), the claim grammar (`claims.py`)
and the metrics a claim may name (`metrics.py`). Torch-free: the quiz app validates lab files with it.

The names below are loaded on first use (PEP 562): kind modules import `tutor.lab.spec.settings` while the
arm configuration is being assembled from them, so this package must not import `lab.py` eagerly.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Lab": "lab", "LabFile": "lab", "SpecError": "lab", "find_lab": "lab", "lab_files": "lab", "load_lab": "lab",
    "loads_lab": "lab", "parse": "lab", "DatasetSpec": "lab", "Profile": "lab",
    "ArmConfig": "arm", "merged_arm": "arm", "METRICS": "metrics",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
