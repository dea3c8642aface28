"""An arm's merged configuration. Torch-free.

Its model, `ArmConfig`, is the core settings plus every kind's (composed in tutor/lab/kinds/, handed to the
spec through `registry.kinds()`), so a new kind adds its settings to the lab format without an edit here. The
lab file still sees one flat mapping; `merged_arm` adds the rules that only make sense once the layers (lab
defaults, profile defaults, the arm, the profile's arm) are merged.
"""

from __future__ import annotations

from typing import Any

from tutor.lab.spec.registry import kinds
from tutor.lab.spec.settings import CoreSettings


def validate_settings(value: dict[str, Any]) -> CoreSettings:
    """Validate a mapping of arm settings (a fragment or a merged arm) against the core and every kind's."""
    return kinds().arm_config.model_validate(value)


def merged_arm(merged: dict[str, Any]) -> CoreSettings:
    """Validate an arm's merged settings, plus each kind's rules that only make sense once layers are merged."""
    cfg = validate_settings(merged)
    kinds().check(cfg)  # ValueError with the first rule broken
    return cfg
