"""The import rules of pyproject.toml ([tool.importlinter]), checked with import-linter, and the lab engine's
function-length rule (no function over ~80 lines: each one readable at once)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAX_FUNCTION_LINES = 80


def test_import_contracts_are_kept():
    pytest.importorskip("importlinter", reason="import-linter is a dev dependency (pip install -e '.[dev]')")
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    out = subprocess.run([exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env={"PYTHONPATH": str(ROOT), "PATH": str(Path(sys.executable).parent)})
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "0 broken" in out.stdout


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in a file, `from X import y` counted as X and X.y."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            out += [(node.lineno, node.module)] + [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
        elif isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
    return out


KINDS_DIR = ROOT / "tutor" / "lab" / "kinds"
REGISTRY_PARTS = {"tutor.lab.kinds.base", "tutor.lab.kinds.registry"}  # what a kind module may import of its package


def test_no_module_names_a_kind_of_experiment():
    """Kinds are listed once, in tutor.lab.kinds.KINDS: outside tutor/lab/kinds/, code asks the registry (KINDS,
    ArmConfig) and never imports a kind module; and no kind module imports another (each reads only its own
    settings and the core's)."""
    kind_modules = {f"tutor.lab.kinds.{p.stem}" for p in KINDS_DIR.glob("*.py") if not p.stem.startswith("_")}
    kind_modules -= REGISTRY_PARTS
    offenders = []
    for path in (ROOT / "tutor").rglob("*.py"):
        inside = KINDS_DIR in path.parents
        if inside and path.name == "__init__.py":
            continue  # the registry lists them
        own = f"tutor.lab.kinds.{path.stem}" if inside else None
        for line, name in _imports(path):
            if name in kind_modules and name != own:
                offenders.append(f"{path.relative_to(ROOT)}:{line} {name}")
    assert not offenders, offenders


def test_the_spec_is_handed_the_kinds_never_imports_them():
    """The layers contract sees static imports only: the spec reaches the kinds through nothing else either."""
    spec = ROOT / "tutor" / "lab" / "spec"
    found = [f"{p.relative_to(ROOT)}:{line}" for p in spec.glob("*.py") for line, name in _imports(p)
             if name.startswith(("importlib", "tutor.lab.kinds"))]
    found += [str(p.relative_to(ROOT)) for p in spec.glob("*.py") if "import_module" in p.read_text(encoding="utf-8")]
    assert not found, found


def test_lab_functions_are_short():
    long = []
    for path in sorted((ROOT / "tutor" / "lab").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines} lines)")
    assert not long, long
