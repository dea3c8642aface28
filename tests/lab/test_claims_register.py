"""The claims register (labs/README.md): a claim's text, tolerance, arms, data or seeds never change without an
entry, and the shipped labs' claims are registered as they are."""

from __future__ import annotations

from tutor import paths
from tutor.lab.spec import register
from tutor.lab.spec.lab import loads_lab

LAB = """\
id: t
title: T
summary: s
dataset: {name: digits, size: 32}
profiles: {quick: {seeds: 3}}
arms:
  a: {label: "arm a", per_class: %d}
  b: {}
  c: {}
claims:
  - a.val_acc > b.val_acc - 0.02
  - c.gap < b.gap
"""
TABLE = "## Claims register\n\n| date | lab | claim | what | why | seeds | failing |\n|---|---|---|---|---|---|---|\n"


def _lab(per_class: int = 5, text: str = LAB):
    return loads_lab(text % per_class, "t.yaml")


def _readme(lab, day="2026-12-07", rows=("| 2026-12-07 | t | `*` | registered | - | 0 | no |",)):
    return register.updated([lab], TABLE + "\n".join(rows) + "\n", day)


def test_a_registered_lab_passes_and_a_label_is_not_a_change():
    readme = _readme(_lab())
    assert register.check([_lab()], readme) == []
    relabelled = _lab(text=LAB.replace('label: "arm a"', 'label: "another label"'))
    assert register.check([relabelled], readme) == []


def test_a_changed_claim_text_tolerance_or_arm_needs_an_entry():
    readme = _readme(_lab())
    softened = _lab(text=LAB.replace("b.val_acc - 0.02", "b.val_acc - 0.05"))
    problems = register.check([softened], readme)
    assert any("`a.val_acc > b.val_acc - 0.05` is not in the register" in p for p in problems)
    assert any("`a.val_acc > b.val_acc - 0.02` is registered but no longer in the lab" in p for p in problems)
    more_data = register.check([_lab(per_class=50)], readme)
    assert len(more_data) == 1 and "changed since it was registered" in more_data[0] and "a.val_acc" in more_data[0]
    fewer_seeds = _lab(text=LAB.replace("seeds: 3", "seeds: 2"))
    assert len(register.check([fewer_seeds], readme)) == 2  # both claims run on the seeds


def test_an_entry_needs_its_row_and_write_sets_the_new_lines():
    changed = _lab(per_class=50)
    readme = _readme(_lab())
    rewritten = register.updated([changed], readme, "2026-12-08")
    problems = register.check([changed], rewritten)
    assert problems == [("t: claim `a.val_acc > b.val_acc - 0.02` is registered on 2026-12-08, but the Claims register "
                         "table has no row of that date for it (or `*` for the whole lab)")]
    row = "| 2026-12-08 | t | `a.val_acc > b.val_acc - 0.02` | a at 50 per class | power | 0 | no |\n"
    fixed = rewritten.replace("|---|---|---|---|---|---|---|\n", "|---|---|---|---|---|---|---|\n" + row)
    assert register.check([changed], fixed) == []
    assert "c.gap < b.gap | " in fixed and fixed.count("| 2026-12-07\n") == 1  # the unchanged claim keeps its date


def test_the_shipped_labs_claims_are_registered_as_they_are():
    readme = (paths.labs_dir() / "README.md").read_text(encoding="utf-8")
    assert register.check(register.shipped_labs(), readme) == []
