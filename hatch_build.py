"""Build hook: compile the gettext catalogues (tutor/locale/*/LC_MESSAGES/*.po) to .mo files.

A wheel gets each .mo beside its .po; an editable install (`pip install -e .`) gets it written into the
source tree, where the package is read from. The compiler is tutor/i18n/po.py, loaded by path so that
building needs nothing beyond hatchling. (At run time a .po newer than its .mo is read directly, so a
translator's edit shows without rebuilding.)
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def _po_module(root: Path):
    spec = importlib.util.spec_from_file_location("_tutor_po", root / "tutor" / "i18n" / "po.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


class CatalogueBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        root = Path(self.root)
        po = _po_module(root)
        staging = Path(tempfile.mkdtemp(prefix="tutor-mo-"))
        for source in sorted((root / "tutor" / "locale").glob("*/LC_MESSAGES/*.po")):
            data = po.compile_mo(po.parse(source.read_text(encoding="utf-8")))
            relative = source.with_suffix(".mo").relative_to(root).as_posix()
            if version == "editable":
                source.with_suffix(".mo").write_bytes(data)  # the package is read from here
            else:
                target = staging / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                build_data["force_include"][str(target)] = relative
