"""A finished run's result.json as the runner writes it, for the tests of what reads it."""

from __future__ import annotations

import copy
from pathlib import Path

LAB = Path(__file__).resolve().parent.parent / "data" / "tiny-lab.yaml"

RESULT = {
    "lab": "tiny-lab",
    "title": "Tiny lab",
    "lab_file": str(LAB),
    "lab_digest": "abc",
    "profile": "quick",
    "status": "finished",
    "device": "cpu",
    "seeds": [0, 1],
    "versions": {"torch": "2.14.1", "torchvision": "0.29.1", "tutor": "0.1.0", "python": "3.11.7"},
    "arms": {
        "few": {"val_acc": {"mean": 0.35, "sd": 0.1, "per_seed": [0.28, 0.43]}},
        "many": {"val_acc": {"mean": 0.75, "sd": 0.0, "per_seed": [0.75, 0.75]}},
    },
    "claims": [{"text": "many.train_images > few.train_images", "says": None, "holds": True, "opposite_holds": False,
                "numbers": {"margin": {"mean": 180.0, "sd": 0.0, "per_seed": [180.0, 180.0]}, "needed": 0.0, "seeds": 2}}],
    "verdict": "reproduced",
    "timings": {"total_s": 6.4},
    "started_at": "2026-11-23T23:19:42+00:00",
    "finished_at": "2026-11-23T23:19:49+00:00",
}


def result(**changes) -> dict:
    out = copy.deepcopy(RESULT)
    out.update(changes)
    return out
