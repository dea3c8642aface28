"""Running a lab: `run_lab(lab)` is a plain generator of events (tutor.lab.events); `run.py` drives the arms,
`prepare.py` loads what they train on, `arm.py` joins the kinds of experiment to the training loop, and
`state.py` keeps the (partial) result."""

from tutor.lab.runner.run import resolve_seeds, run_lab

__all__ = ["resolve_seeds", "run_lab"]
