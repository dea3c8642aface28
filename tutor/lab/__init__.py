"""The lab engine: real training runs that test a question's claim (`tutor lab NAME`).

    spec/      the lab file format, arm settings, claim grammar, metrics (torch-free)
    verdict/   the rule that judges a claim over seeds (torch-free)
    data/      datasets, procedural fractals, the disk cache, frozen features
    models/    backbones, plain nets, heads, how an arm's network is built, pretraining
    training/  the training loop and its callback events
    kinds/     one module per kind of experiment (a `Kind` subclass: its settings, callbacks, metrics, plot), listed
               once in `kinds.KINDS`, the registry that composes an arm's settings
    report/    the terminal report, result.json, plots, units
    runner/    run_lab(): a generator of events (events.py); cli.py: `tutor lab`, `tutor labs`

Kept tiny and torch-free on purpose: the quiz imports `tutor.lab.errors` and friends without paying for
torch; modules that need torch import it themselves. Import rules: pyproject.toml [tool.importlinter].

The spec is a lower layer than the kinds, which build on its settings: this entry hands it the registry
(`spec.registry.install`), imported only when the spec first needs it (validating a lab file).
"""

from __future__ import annotations

from tutor.lab.spec import registry as _registry


def _kinds() -> _registry.KindRegistry:
    from tutor.lab.kinds import KINDS

    return KINDS


_registry.install(_kinds)
