"""The labs that questions may link to, read without the lab engine.

Validating `lab:` links and showing a lab's name in the quiz must stay torch-free, so this only peeks
at `id`, `title`, `summary` and the arm names in each lab file; full validation belongs to `tutor.lab.spec`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tutor import yamlsrc


@dataclass(frozen=True)
class LabRef:
    id: str
    title: dict[str, str]
    summary: dict[str, str]
    arms: frozenset[str] = field(default_factory=frozenset)
    path: Path | None = None


def _text(value: object) -> dict[str, str]:
    if isinstance(value, str):
        return {"en": value.strip()}
    if isinstance(value, dict):
        return {str(k): str(v).strip() for k, v in value.items() if isinstance(v, str)}
    return {}


def lab_catalog(dirs: list[Path]) -> dict[str, LabRef]:
    """Lab id -> LabRef for every readable lab file in `dirs` (unreadable ones are `tutor lab`'s to report)."""
    catalog: dict[str, LabRef] = {}
    for d in dirs:
        if not d.is_dir():
            continue
        for path in sorted(d.glob("*.y*ml")):
            try:
                data = yamlsrc.load(path).data
            except yamlsrc.YamlError:
                continue
            if isinstance(data, dict) and isinstance(data.get("id"), str):
                arms = data.get("arms")
                catalog[data["id"]] = LabRef(
                    id=data["id"],
                    title=_text(data.get("title")) or {"en": data["id"]},
                    summary=_text(data.get("summary")),
                    arms=frozenset(arms) if isinstance(arms, dict) else frozenset(),
                    path=path,
                )
    return catalog
