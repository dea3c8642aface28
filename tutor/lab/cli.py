"""`tutor lab`, `tutor labs` and `tutor pretrain`. Torch-free at import: torch loads inside the handlers.

Wired into the main CLI with `from tutor.lab.cli import register; register(subparsers)`. Handlers return
an exit code: 0 done (whatever the verdict), 1 a lab problem (one line, or one `FILE:LINE: message` per
spec problem; never a traceback), 130 interrupted (the partial result is written, marked cancelled).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEVICES = ("auto", "cpu", "cuda", "mps")
MAX_SEEDS = 40

def register(subparsers) -> None:
    p = subparsers.add_parser(
        "lab", help="run a lab: real training that tests a question's claim",
        description="Run a lab by id (see `tutor labs`) or from a lab YAML file, and judge its claims over seeds.",
    )
    p.add_argument("lab", metavar="NAME_OR_PATH", help="lab id (e.g. underfitting) or path to a lab .yaml file")
    prof = p.add_mutually_exclusive_group()
    prof.add_argument("--quick", dest="profile", action="store_const", const="quick",
                      help="the quick profile (default): fewer seeds; the lab page in `tutor quiz` "
                           "shows the time it took on this machine")
    prof.add_argument("--full", dest="profile", action="store_const", const="full",
                      help="the full profile: more seeds and epochs")
    prof.add_argument("--profile", dest="profile", metavar="NAME", help=argparse.SUPPRESS)
    p.set_defaults(profile="quick")
    p.add_argument("--seeds", type=int, default=None, metavar="K",
                   help=f"train K seeds (1-{MAX_SEEDS}) instead of the profile's number, from --seed on: when a claim "
                        "was not shown because its seeds spread, the report says how many would show it")
    p.add_argument("--seed", type=int, default=0, metavar="N",
                   help="first seed, 0 or more; a profile with k seeds runs N..N+k-1 (default 0)")
    p.add_argument("--device", choices=DEVICES, default="auto", help="where to train (default: auto = CUDA, MPS, else CPU)")
    p.add_argument("--backbone", metavar="B", default=None,
                   help="backbone instead of the lab's (tutornet, resnet18, mobilenet_v3_small)")
    p.add_argument("--out", metavar="DIR", default=None,
                   help="folder for result.json and the plots (default: a fresh folder under the tutor data dir)")
    p.add_argument("--arms", metavar="A,B", default=None, help="run only these arms (comma-separated)")
    p.add_argument("--json", action="store_true", help="print the events as JSON lines instead of progress bars")
    p.add_argument("--lang", choices=("en", "ko"), default="en",
                   help="language of the lab's own texts: title, arms, claims in plain words, what to look at")
    p.add_argument("--question", metavar="ID", default=None,
                   help="the question the lab is opened from: its claims come first in the report")
    p.add_argument("--allow-large", action="store_true",
                   help="run a lab whose estimated memory or training time passes the limits in labs/README.md")
    p.add_argument("--no-record", dest="record", action="store_false",
                   help="do not record the run in the progress store (the quiz app records its own runs)")
    p.set_defaults(handler=cmd_lab)

    q = subparsers.add_parser("labs", help="list the labs with a one-line summary",
                              description="List the labs in labs/ (and any given folders) with a one-line summary.")
    q.add_argument("dirs", nargs="*", metavar="DIR", help="extra folders of lab .yaml files")
    q.add_argument("--lang", choices=("en", "ko"), default="en", help="language of the titles")
    q.set_defaults(handler=cmd_labs)

    # The pretraining module imports torch; its real options are added when the command runs, so the
    # parser stays torch-free. `tutor pretrain --help` shows them.
    r = subparsers.add_parser("pretrain", help="rebuild the tutornet backbone (fractal pretraining) into your data folder",
                              add_help=False, prefix_chars="\x00")
    r.add_argument("pretrain_args", nargs=argparse.REMAINDER)
    r.set_defaults(handler=cmd_pretrain)


def _err(message: str) -> None:
    """One line on stderr, control characters from file or argument text shown escaped."""
    from tutor.safetext import one_line

    print(one_line(message), file=sys.stderr)


def _assertions(lab, lang: str) -> dict[str, str]:
    """What each of the lab's questions asserts (its `asserts:`, else its stem's first sentence), from the
    bank; empty where the bank cannot be read (the report then names the questions by id)."""
    from tutor.lab.report.console import question_assertion

    if not lab.file.questions:
        return {}
    try:
        from tutor.bank import load_bank

        questions = load_bank().questions
    except Exception:  # noqa: BLE001 - a broken bank never stops a lab report
        return {}
    return {q: question_assertion(questions[q], lang) for q in lab.file.questions if q in questions}


def _check_cost(lab, profile: str, arms: list[str] | None, allow: bool) -> None:
    """Refuse, in one line and before torch loads, a lab estimated beyond the limits (tutor.lab.cost)."""
    from tutor.lab import cost
    from tutor.lab.errors import LabError

    estimate = cost.estimate(lab, profile, arms)
    if estimate.too_large and not allow:
        raise LabError(f"{lab.id} ({profile}) is too large to run: {estimate} estimated "
                       f"(limits {cost.limits()}); pass --allow-large to run it anyway")


def _check_weights(lab) -> None:
    """A weights file that is missing, not a regular file (a device, a FIFO, a folder) or a tutornet checkpoint of an
    absurd architecture: one line before the engine and the data load."""
    import stat

    from tutor.lab.errors import LabError

    weights = lab.file.backbone.weights
    if not weights:
        return
    path = Path(weights).expanduser()
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise LabError(f"weights file {path}: {exc.strerror or 'cannot be read'}") from None
    if not stat.S_ISREG(mode):
        raise LabError(f"weights file {path} is not a regular file")
    if lab.file.backbone.name == "tutornet":  # its architecture is checked before the engine (and its data) loads
        from tutor.lab.models.backbones import read_checkpoint

        read_checkpoint(path)


def _costs(lab, profile: str, arms: list[str] | None) -> dict[str, float]:
    """Each arm's modelled seconds per seed, sent with the run's first event: what a first run's time left starts from."""
    from tutor.lab import cost

    try:
        return cost.arm_seconds(lab, profile, arms)
    except Exception:  # noqa: BLE001 - an estimate is never worth a failed run
        return {}


def cmd_lab(args: argparse.Namespace, on_result=None) -> int:
    """`tutor lab`. `on_result(result, lab_path, duration_s, out)` is called with the finished or cancelled
    run's result (the top-level CLI records it in the progress store: the lab engine never imports it)."""
    import time

    from tutor.lab.errors import LabError
    from tutor.safetext import quote

    t0 = time.perf_counter()
    from tutor.lab.spec.lab import SpecError, find_lab

    if args.seed < 0:
        _err(f"tutor lab: --seed {args.seed}: seeds must be 0 or more")
        return 1
    seeds_count = getattr(args, "seeds", None)
    if seeds_count is not None and not 1 <= seeds_count <= MAX_SEEDS:
        _err(f"tutor lab: --seeds {seeds_count}: give 1 to {MAX_SEEDS} seeds")
        return 1
    seeds = args.seed if seeds_count is None else list(range(args.seed, args.seed + seeds_count))
    arms = None if args.arms is None else [a.strip() for a in args.arms.split(",") if a.strip()]
    if arms == []:
        _err(f"tutor lab: --arms {quote(args.arms)} names no arm (give arm names separated by commas)")
        return 1
    try:
        lab = find_lab(args.lab)
        lab.arm_configs(args.profile, arms)  # unknown arm / profile: one clean line before torch loads
        _check_cost(lab, args.profile, arms, getattr(args, "allow_large", False))
        _check_weights(lab)
        if args.out is not None:
            from tutor.lab.report.outdir import prepare

            prepare(args.out)  # a folder that cannot be written: one line now, not after training
    except SpecError as exc:
        for problem in exc.problems:
            _err(str(problem))
        return 1
    except LabError as exc:
        _err(f"tutor lab: {exc}")
        return 1
    try:
        from rich.console import Console

        from tutor.bank.schema import text
        from tutor.lab.report.console import ConsoleReport
        from tutor.lab.runner import run_lab
    except ImportError as exc:  # pragma: no cover - torch missing from the install
        _err(f"tutor lab: the lab engine needs {exc.name} (pip install torch torchvision)")
        return 1
    question = getattr(args, "question", None)
    report = ConsoleReport(Console(stderr=False), look_at=text(lab.file.look_at, args.lang) or None, lab=lab, lang=args.lang,
                           question=question, assertions={} if args.json else _assertions(lab, args.lang))
    gen = run_lab(lab, profile=args.profile, seeds=seeds, device=args.device, backbone=args.backbone,
                  out=args.out, arms=arms)
    code = 0
    try:
        for event in gen:
            if event.kind == "lab_started":
                event.costs = _costs(lab, args.profile, arms)
            if args.json:
                print(event.to_json(), flush=True)
            else:
                report.handle(event)
            if event.kind == "cancelled":
                code = 130
            if event.kind in ("lab_finished", "cancelled") and on_result is not None:
                on_result(event.result, lab.path, time.perf_counter() - t0, event.out)
    except KeyboardInterrupt:
        gen.close()  # writes the partial result, marked cancelled
        report.stop()
        _err("tutor lab: interrupted; the partial result (if any) is marked cancelled")
        return 130
    except LabError as exc:
        report.stop()
        _err(f"tutor lab: {exc}")
        return 1
    finally:
        report.stop()
    return code


def cmd_labs(args: argparse.Namespace, last_runs=None) -> int:
    """`tutor labs`. `last_runs()` gives lab id -> its last finished run (with `verdict` and `finished_at`);
    the top-level CLI reads them from the progress store (the lab engine never imports it)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from tutor import paths
    from tutor.i18n import t
    from tutor.safetext import one_line
    from tutor.lab.spec.lab import SpecError, lab_files, load_lab
    last = last_runs() if last_runs is not None else {}

    dirs = [*paths.lab_dirs(), *[Path(d) for d in args.dirs]]
    lang = args.lang
    console = Console()
    terminal = console.is_terminal
    if not terminal:  # a file or a pipe: whole titles, one line each (cut to a width no reader has)
        console = Console(width=100_000)
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False, expand=terminal)
    table.add_column(t(lang, "cli.labs.col.lab"), style="cyan", no_wrap=True)
    table.add_column(t(lang, "labs.col.arms"), justify="right")
    table.add_column(t(lang, "cli.labs.col.title"), no_wrap=True, overflow="ellipsis", ratio=1)
    table.add_column(t(lang, "cli.labs.col.last"), no_wrap=True)
    problems = []
    for path in lab_files(dirs):
        try:
            lab = load_lab(path)
        except SpecError as exc:
            problems += exc.problems
            continue
        run = last.get(lab.id)
        verdict = run and t(lang, f"lab.verdict.{run.verdict}")
        when = f"{verdict} {run.finished_at.astimezone():%Y-%m-%d}" if run else t(lang, "labs.never")
        # one line each, file text as plain Text with control characters escaped; `tutor lab NAME` tells more
        table.add_row(*(Text(one_line(v)) for v in (lab.id, str(len(lab.arm_names)), lab.title(args.lang), when)))
    console.print(table)
    for problem in problems:
        _err(str(problem))
    if not problems:
        print(t(lang, "labs.cli_hint"))
    return 1 if problems else 0


def cmd_pretrain(args: argparse.Namespace) -> int:
    from tutor.lab.errors import LabError

    try:
        from tutor.lab.models import pretrain
    except ImportError as exc:
        _err(f"tutor pretrain: not available ({exc})")
        return 1
    parser = argparse.ArgumentParser(prog="tutor pretrain", description=pretrain.DESCRIPTION)
    pretrain.add_arguments(parser)
    ns = parser.parse_args(args.pretrain_args)
    try:
        return int(pretrain.main(ns) or 0)
    except LabError as exc:
        _err(f"tutor pretrain: {exc}")
        return 1
    except KeyboardInterrupt:
        _err("tutor pretrain: interrupted")
        return 130
