"""Kinds of experiment arms: one module each, holding one `Kind` subclass (tutor/lab/kinds/base.py: every hook
has a default) and its `Settings` (the core settings plus its own fields), listed once in `KINDS` below. The
loop, the models, the report and the spec never name a kind: the runner asks the registry, and the spec gets it
from the lab package's entry (tutor/lab/__init__.py). Adding a kind = one new module here and one entry in
`KINDS` (see labs/README.md, "For developers: adding a kind of experiment").

`KINDS` is in order: the kinds' settings, callbacks, metrics, description parts and figures follow it.
`ArmConfig` is one arm's whole configuration, composed from the core settings and every kind's `Settings`.

Module tops import no torch (the spec reads the settings and metrics in the quiz app); import torch inside
functions, or for types only under TYPE_CHECKING.
"""

from __future__ import annotations

from tutor.lab.kinds import augmentation, capacity_curve, heads, imbalance, input_norm, label_noise, learning_curve
from tutor.lab.kinds import penalties, plain
from tutor.lab.kinds import occlusion, prototype, search, stability, unfreezing
from tutor.lab.kinds.base import Kind, Traits
from tutor.lab.kinds.registry import Kinds

KINDS = Kinds((
    plain.PlainKind(),
    prototype.PrototypeKind(),
    heads.HeadsKind(),
    imbalance.ImbalanceKind(),
    augmentation.AugmentationKind(),
    unfreezing.UnfreezingKind(),
    penalties.PenaltiesKind(),
    stability.StabilityKind(),
    search.SearchKind(),
    learning_curve.LearningCurveKind(),
    capacity_curve.CapacityCurveKind(),
    input_norm.InputNormKind(),
    label_noise.LabelNoiseKind(),
    occlusion.OcclusionKind(),
), module=__name__)

ArmConfig = KINDS.arm_config

__all__ = ["KINDS", "ArmConfig", "Kind", "Kinds", "Traits"]
