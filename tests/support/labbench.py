"""A lab's workbench on the CPU with its backbone and default dataset loaded, and each arm's inputs for one seed:
what the data tests of an arm setting (a rare minority, a domain split) look at, without training."""
from __future__ import annotations

from typing import Any


def arm_inputs(lab: Any, weights: Any, seed: int = 0) -> tuple[Any, Any, dict[str, Any]]:
    """(workbench, its loaded default dataset, arm -> ArmData) of `lab`'s quick profile for `seed`."""
    import torch
    from support.drain import drain

    from tutor.lab.runner.prepare import Workbench
    from tutor.lab.runner.state import RunState

    configs = lab.arm_configs("quick")
    state = RunState(lab, "quick", [seed], configs)
    bench = Workbench(lab.datasets("quick"), "tutornet", str(weights), torch.device("cpu"), state)
    drain(bench.load_backbone(configs))
    drain(bench.data_for("default"))
    d = bench.loaded["default"]
    labels = d.y.clone()
    inputs = {arm: drain(bench.arm_inputs(configs[arm], d, seed))[0][0] for arm in configs}
    assert torch.equal(d.y, labels)  # an arm's setting never changes the shared dataset's labels
    return bench, d, inputs
