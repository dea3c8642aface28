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


def test_no_module_names_a_kind_of_experiment():
    """Kinds are found at run time (tutor.lab.kinds.all_kinds): outside tutor/lab/kinds/, no code imports one."""
    offenders = []
    for path in (ROOT / "tutor").rglob("*.py"):
        if (ROOT / "tutor" / "lab" / "kinds") in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            if any(n.startswith("tutor.lab.kinds.") for n in names) or (
                    isinstance(node, ast.ImportFrom) and node.module == "tutor.lab.kinds"):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, offenders


def test_lab_functions_are_short():
    long = []
    for path in sorted((ROOT / "tutor" / "lab").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines} lines)")
    assert not long, long
