"""Null labs, really trained: claims between arms that differ by a negligible setting never end reproduced
(a false effect taught) or contradicted, and the same claims reversed are never reproduced either.

The simulation in test_verdict_rule.py checks the rule's false-pass rate over thousands of draws; this
checks the whole path (data, seeds, pairing, metrics, judging) on real training, on two seed bases.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.labcheck import inverted_verdict

pytest.importorskip("torch")

from tutor.lab.runner import run_lab  # noqa: E402
from tutor.lab.spec import load_lab  # noqa: E402

NULL_LAB = Path(__file__).parents[1] / "data" / "null-lab.yaml"


@pytest.mark.slow
@pytest.mark.parametrize("base", [0, 7000])
def test_null_lab_is_inconclusive(base, tmp_path):
    final = list(run_lab(load_lab(NULL_LAB), profile="quick", seeds=base, write=False))[-1]
    assert final.kind == "lab_finished"
    result = final.result.to_json()
    assert len(result["seeds"]) == 10
    shown = [c["text"] for c in result["claims"] if c["holds"] or c["opposite_holds"]]
    assert not shown, shown
    assert result["verdict"] == "inconclusive"
    assert inverted_verdict(result) == "inconclusive"
