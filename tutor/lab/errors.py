"""Errors the lab engine reports as one clean line (torch-free)."""

from __future__ import annotations


class LabError(Exception):
    """Base class: the CLI prints `str(exc)` as one line, without a traceback."""


class DatasetUnavailable(LabError):
    """A dataset cannot be had here, e.g. a torchvision download while offline."""


class BackboneUnavailable(LabError):
    """A backbone's weights cannot be had here (missing checkpoint, offline without --weights FILE)."""
