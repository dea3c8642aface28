"""A lab file of one arm, for the tests of what the spec says about one bad arm setting."""
from __future__ import annotations

import pytest


def one_arm_error(arm: str, name: str) -> str:
    """The SpecError's message for a lab file (`name`) whose only arm `a` has the settings `arm` (a YAML flow
    mapping, on line 6 of the file)."""
    from tutor.lab.spec import loads_lab
    from tutor.lab.spec.lab import SpecError

    text = ("id: one\ntitle: t\nsummary: s\ndataset: {name: digits, size: 16}\narms:\n"
            f"  a: {arm}\nclaims:\n  - a.train_images > 0\n")
    with pytest.raises(SpecError) as info:
        loads_lab(text, name)
    return str(info.value)
