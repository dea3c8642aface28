"""The quiz reaches its first screen without the learning-record libraries (ralph, requests) or the report's
(matplotlib), checked in a fresh interpreter; the parser that registers the new commands imports none."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("ralph", "requests", "matplotlib", "torch", "scipy.stats", "tutor.xapi.model", "tutor.classreport.report")

SCRIPT = f"""
import asyncio, sys
from tutor.cli import build_parser
build_parser().parse_args(["quiz"])
from tutor.bank import load_bank
from tutor.study.store import Store
from tutor.app import make_app

async def main():
    with Store() as store:
        app = make_app(bank=load_bank(), store=store)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
asyncio.run(main())
print(",".join(m for m in {HEAVY!r} if m in sys.modules))
"""


def test_quiz_start_imports_no_ralph_requests_or_matplotlib(tutor_home):
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    assert (out.stdout.strip().splitlines() or [""])[-1] == ""
