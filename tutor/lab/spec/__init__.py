"""The lab file format (`lab.py`), an arm's settings (`arm.py`, `settings.py`), the claim grammar (`claims.py`),
the metrics a claim may name (`metrics.py`) and what the spec needs of the kinds of experiment (`registry.py`:
installed by tutor/lab/__init__.py, never imported from tutor/lab/kinds/). Torch-free: the quiz app validates
lab files with it.

The names below are loaded on first use (PEP 562): kind modules import `tutor.lab.spec.settings`, which need
not pay for the lab format.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "Lab": "lab", "LabFile": "lab", "SpecError": "lab", "find_lab": "lab", "lab_files": "lab", "load_lab": "lab",
    "loads_lab": "lab", "parse": "lab", "DatasetSpec": "lab", "Profile": "lab",
    "merged_arm": "arm", "metric_help": "metrics",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from tutor.lab.spec import arm, lab, metrics

    return getattr({"lab": lab, "arm": arm, "metrics": metrics}[_EXPORTS[name]], name)
