"""Write tutor YAML that reads like the hand-written bank: block text for multi-line strings, no key sorting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tutor.atomic import atomic_open


class Flow(list):
    """A short list written inline, as the hand-written bank does: `concepts: [bias, variance]`."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False):  # indent lists under their key
        return super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))


def dumps(data: Any, header: str = "") -> str:
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False, indent=2)
    return (header + body) if header else body


def write(path: Path, data: Any, header: str = "") -> None:
    """Atomically: an interrupted import never leaves half a bank file."""
    with atomic_open(path, "w") as f:
        f.write(dumps(data, header))
