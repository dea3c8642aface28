"""The quiz must reach its first screen without importing torch, torchvision or matplotlib.

Checked in a fresh interpreter, the way harlequin does it: anything imported by an earlier test
would otherwise hide a regression.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

HEAVY = ("torch", "torchvision", "matplotlib")

SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    from tutor.cli import build_parser
    build_parser().parse_args(["quiz"])
    from tutor.bank import load_bank
    from tutor.study.store import Store
    from tutor.app import make_app

    async def main():
        bank = load_bank()
        with Store() as store:
            app = make_app(bank=bank, store=store)
            async with app.run_test(size=(80, 24)) as pilot:
                await pilot.pause()
    asyncio.run(main())
    print(",".join(m for m in {heavy!r} if m in sys.modules))
    """
).format(heavy=HEAVY)


def test_quiz_start_imports_no_torch_or_matplotlib(tutor_home):
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    last = (out.stdout.strip().splitlines() or [""])[-1]
    assert last == "", f"imported on the quiz path: {out.stdout}"


def test_lab_spec_verdict_and_cli_modules_are_torch_free(tutor_home):
    """Validating every shipped lab reads each kind's settings (tutor/lab/kinds/, handed to the spec by the lab
    package's entry): their module tops must stay torch-free too."""
    code = (
        "import sys, tutor.lab.cli, tutor.lab.events, tutor.lab.errors, tutor.lab.verdict.rule, tutor.lab.report.units; "
        "from tutor.lab.spec import lab_files, load_lab; from tutor.lab.kinds import KINDS; "
        "labs = [load_lab(p) for p in lab_files()]; assert labs and KINDS.kinds; "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""
