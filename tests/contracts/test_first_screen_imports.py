"""The quiz's first screen, on a start after the first, loads no pydantic, no YAML parser, no torch and no
matplotlib: the home screen is drawn from the bank's cached index (tutor/bank/cache.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from support.app import write_bank

SCRIPT = """
import json, sys
from pathlib import Path
from tutor import paths
paths.lab_dirs = lambda: [Path({labs!r})]
from tutor.app import make_app
from tutor.bank import load_bank
app = make_app(bank=load_bank([Path({bank!r})], cached=True), exit_when_ready=True)
ms = app.run(headless=True, size=(80, 24))
print(json.dumps({{"ms": ms, "cached": type(app.bank).__name__,
                  "loaded": [m for m in ("pydantic", "yaml", "torch", "torchvision", "matplotlib") if m in sys.modules]}}))
"""


def test_a_cached_start_draws_home_without_pydantic_or_yaml(tmp_path):
    bank = write_bank(tmp_path / "bank")
    labs = tmp_path / "labs"
    labs.mkdir()
    (labs / "demo-lab.yaml").write_text("id: demo-lab\ntitle: Demo lab title\n", encoding="utf-8")
    old = time.time() - 10  # older than the cache's "too new to trust" window
    for path in [*bank.iterdir(), *labs.iterdir()]:
        os.utime(path, (old, old))
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "TUTOR_HOME": str(tmp_path / "home"),
           "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
    script = SCRIPT.format(labs=str(labs), bank=str(bank))
    runs = []
    for _ in range(2):  # the first start validates and leaves the index; the second draws from it
        out = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    assert runs[0]["cached"] == "Bank" and "pydantic" in runs[0]["loaded"]
    assert runs[1]["cached"] == "CachedBank" and runs[1]["loaded"] == [] and runs[1]["ms"] > 0
