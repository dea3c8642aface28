"""`ArmConfig`: one arm's full configuration, the core settings plus every kind's. Torch-free.

Built once, when the spec is first imported, from `CoreSettings` and the `Settings` of each kind module
in tutor/lab/kinds/, so a new kind adds its settings to the lab format without an edit here. The lab
file still sees one flat mapping; `merged_arm` adds the rules that only make sense once the layers
(lab defaults, profile defaults, the arm, the profile's arm) are merged.
"""

from __future__ import annotations

from typing import Any

from pydantic import create_model

from tutor.lab.spec.settings import CoreSettings, kinds


def _build() -> type[CoreSettings]:
    # Bases in reverse so that pydantic lists the core fields first, then each kind's in the registry's order.
    bases = (*reversed(kinds().settings_classes()), CoreSettings)
    model = create_model("ArmConfig", __base__=bases, __module__=__name__)
    model.__doc__ = "One arm's training configuration: CoreSettings plus each kind's Settings (tutor/lab/kinds/)."
    return model


ArmConfig = _build()


def merged_arm(merged: dict[str, Any]) -> CoreSettings:
    """Validate an arm's merged settings, plus each kind's rules that only make sense once layers are merged."""
    cfg = ArmConfig.model_validate(merged)
    kinds().check(cfg)  # ValueError with the first rule broken
    return cfg
