"""Confidence per answer (certainty-based marking, as Moodle's CBM) and how well calibrated it is.

Before submitting, the learner may say how sure they are: guessing (C1), fairly sure (C2) or sure (C3).
Moodle's CBM marks and the probabilities behind its levels: C1 pays off below 67 % chance of being right,
C2 between 67 % and 80 %, C3 above 80 %. Each level is read as the probability in the middle of its band
(`STATED`, C1's band taken from 1/3) to score calibration with the Brier score
(`sklearn.metrics.brier_score_loss`: 0 is perfect, 0.25 is what always saying 50 % earns).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tutor.study.store import CONFIDENCES

if TYPE_CHECKING:  # pragma: no cover
    from tutor.study.store import Attempt

LEVELS = CONFIDENCES
STATED = {"guessing": 0.5, "fairly_sure": 0.735, "sure": 0.9}
CBM_MARKS = {"guessing": (1, 0), "fairly_sure": (2, -2), "sure": (3, -6)}  # (right, wrong), Moodle's CBM


@dataclass(frozen=True)
class Level:
    level: str
    answers: int
    stated: float  # the probability the level stands for
    observed: float  # the share of these answers that were right (0 when none)


@dataclass(frozen=True)
class Calibration:
    answers: int  # answers with a confidence
    brier: float | None  # None when no answer has a confidence
    levels: tuple[Level, ...]
    cbm_mean: float | None  # mean CBM mark per answer (Moodle's scale: -6..3)

    def to_json(self) -> dict:
        return {"answers": self.answers, "brier": None if self.brier is None else round(self.brier, 4),
                "cbm_mean": None if self.cbm_mean is None else round(self.cbm_mean, 3),
                "levels": [{"level": lv.level, "answers": lv.answers, "stated": lv.stated, "observed": round(lv.observed, 3)}
                           for lv in self.levels]}


def calibration(attempts: Iterable[Attempt]) -> Calibration:
    rated = [(a.confidence, bool(a.correct)) for a in attempts if getattr(a, "confidence", None) in STATED]
    levels = []
    for level in LEVELS:
        hits = [right for c, right in rated if c == level]
        levels.append(Level(level, len(hits), STATED[level], sum(hits) / len(hits) if hits else 0.0))
    if not rated:
        return Calibration(0, None, tuple(levels), None)
    from sklearn.metrics import brier_score_loss

    truth = [int(right) for _, right in rated]
    brier = float(brier_score_loss(truth, [STATED[c] for c, _ in rated], pos_label=1))
    marks = [CBM_MARKS[c][0 if right else 1] for c, right in rated]
    return Calibration(len(rated), brier, tuple(levels), sum(marks) / len(marks))
