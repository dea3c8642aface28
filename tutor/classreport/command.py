"""`tutor class report [--lrs URL | FILE ...] [--json] [--out DIR] [--all-attempts]`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tutor.safetext import one_line
from tutor.xapi.commands import print_problems


def _gather(args, bank):
    from tutor.classreport.responses import from_files, from_lrs

    if args.lrs:
        from tutor.xapi.client import Client
        from tutor.xapi.config import load

        return from_lrs(Client(load(args.lrs)), bank)
    return from_files([Path(f) for f in args.files], bank)


def run(args, bank) -> int:
    from tutor.classreport.report import build, to_json
    from tutor.xapi.client import LrsError
    from tutor.xapi.config import ConfigError

    if bool(args.lrs) == bool(args.files):
        print("tutor class report: give statement files or --lrs URL (one of them)", file=sys.stderr)
        return 2
    try:
        gathered = _gather(args, bank)
    except (LrsError, ConfigError) as exc:
        print(one_line(f"tutor class report: {exc}"), file=sys.stderr)
        return 1
    print_problems(gathered.problems)
    if gathered.other_verbs:
        print(f"tutor class report: {gathered.other_verbs} statement(s) of other verbs (not tutor answers) left out", file=sys.stderr)
    if not gathered.answers:
        print("tutor class report: no answers to questions of the bank", file=sys.stderr)
        return 1
    report = build(gathered.answers, bank, all_attempts=args.all_attempts)
    data = to_json(report)
    if args.out:
        out = Path(args.out)
        from tutor.atomic import atomic_open
        from tutor.classreport.plot import plot

        with atomic_open(out / "report.json", "w") as f:
            json.dump(data, f, ensure_ascii=False, indent=1)
        plot(report, out / "items.png")
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
    else:
        _show(report, args)
    return 0


def _show(report, args) -> None:
    from rich.console import Console

    from tutor.classreport.table import alpha_line, flagged_lines, items_table, misconceptions_table

    console = Console()
    console.print(items_table(report))
    if report.misconceptions:
        console.print(misconceptions_table(report))
    console.print(alpha_line(report), markup=False, highlight=False)
    lines = flagged_lines(report)
    if lines:
        console.print(f"\n{len(report.flagged)} dubious item(s); where to fix them:", markup=False, highlight=False)
        for line in lines:
            console.print(line, markup=False, highlight=False, soft_wrap=True)
    if args.out:
        console.print(f"wrote {one_line(Path(args.out) / 'report.json')} and {one_line(Path(args.out) / 'items.png')}",
                      markup=False, highlight=False)
