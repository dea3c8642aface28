"""The sub-commands on learning records, registered on `tutor`'s parser: `progress export|import|pseudonym`,
`sync`, `class report`. Only argparse here: each handler imports its module (ralph, requests, matplotlib)
when it runs, so building the parser for `tutor quiz` costs nothing."""

from __future__ import annotations

import argparse
from pathlib import Path


def _bank(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bank", action="append", metavar="DIR",
                        help="an extra question bank directory (repeatable; also TUTOR_BANKS, separated by ':')")


def register(sub) -> None:
    progress = sub.add_parser("progress", help="move your answers: xAPI statements to and from files; your pseudonym")
    psub = progress.add_subparsers(dest="progress_command", metavar="ACTION", required=True)
    exp = psub.add_parser("export", help="write your answers as xAPI statements (JSON lines)",
                          description="Write every stored answer as an xAPI statement, one JSON object a line.")
    exp.add_argument("--xapi", required=True, metavar="FILE", help="the file to write")
    _bank(exp)
    exp.set_defaults(handler=_export)
    imp = psub.add_parser("import", help="read xAPI statements (JSON lines, or an LRS's JSON) into your progress",
                          description="Add the answers in xAPI statement files to your progress and replay their "
                          "reviews in time order; answers already here are skipped, so importing twice adds nothing.")
    imp.add_argument("--xapi", required=True, nargs="+", metavar="FILE", help="statement files")
    imp.add_argument("--learner", metavar="NAME", help="whose answers to import when the files hold several learners")
    _bank(imp)
    imp.set_defaults(handler=_import)
    name = psub.add_parser("pseudonym", help="show or set the name your statements carry (never your login)")
    name.add_argument("name", nargs="?", help="the new pseudonym (1 to 64 printable characters)")
    name.set_defaults(handler=_pseudonym)

    sync = sub.add_parser("sync", help="send your answers to a learning record store (LRS)",
                          description="Send the answers the LRS has not acknowledged yet, in batches. Credentials: "
                          "TUTOR_LRS_USER and TUTOR_LRS_PASSWORD, or the config file (see the README).")
    sync.add_argument("--lrs", metavar="URL", help="the LRS (default: TUTOR_LRS_URL or the config file)")
    sync.add_argument("--batch", type=int, default=100, metavar="N", help="statements per request (default: 100)")
    _bank(sync)
    sync.set_defaults(handler=_sync)

    klass = sub.add_parser("class", help="for instructors: how the questions performed in a class")
    csub = klass.add_subparsers(dest="class_command", metavar="ACTION", required=True)
    report = csub.add_parser(
        "report", help="item statistics from a class's statements",
        description="Facility and discrimination (with 95%% intervals), option shares, non-functioning distractors, "
        "dubious items, misconceptions and Cronbach's alpha, from statement files or an LRS.")
    report.add_argument("files", nargs="*", metavar="FILE", help="statement files (JSON lines or an LRS's JSON)")
    report.add_argument("--lrs", metavar="URL", help="read the statements from this LRS instead")
    report.add_argument("--json", action="store_true", help="print the report as one JSON object")
    report.add_argument("--out", metavar="DIR", help="also write report.json and items.png into DIR")
    report.add_argument("--all-attempts", action="store_true", help="every answer, not only each learner's first")
    _bank(report)
    report.set_defaults(handler=_report)
    lrs = csub.add_parser(
        "lrs", help="start a learning record store for one classroom (Ralph, file backend; needs tutor[lrs])",
        description="Serve Ralph's LRS with its file backend in append mode. Create its credentials first with "
        "`ralph auth` (see the README). For a school, run Ralph with MongoDB, ClickHouse or Elasticsearch instead.")
    lrs.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only; "
                     "0.0.0.0 for the classroom's network)")
    lrs.add_argument("--port", type=int, default=8100, help="port (default: 8100)")
    lrs.add_argument("--dir", default="lrs-data", metavar="DIR", help="folder for the statements (default: ./lrs-data)")
    lrs.set_defaults(handler=_serve)


def _load(args):
    from tutor.bank.loader import default_dirs, load_bank

    return load_bank(default_dirs(getattr(args, "bank", None)))


def _export(args) -> int:
    from tutor.study.store import Store
    from tutor.xapi.commands import export_xapi

    with Store() as store:
        return export_xapi(store, _load(args), Path(args.xapi))


def _import(args) -> int:
    from tutor.study.store import Store
    from tutor.xapi.commands import import_xapi

    bank = _load(args)
    with Store() as store:
        return import_xapi(store, bank, [Path(f) for f in args.xapi], args.learner)


def _pseudonym(args) -> int:
    from tutor.study.store import Store
    from tutor.xapi.commands import pseudonym

    with Store() as store:
        return pseudonym(store, args.name)


def _sync(args) -> int:
    from tutor.study.store import Store
    from tutor.xapi.commands import sync

    bank = _load(args)
    with Store() as store:
        return sync(store, bank, args.lrs, args.batch)


def _serve(args) -> int:
    from tutor.xapi.serve import serve

    return serve(args.host, args.port, Path(args.dir))


def _report(args) -> int:
    from tutor.classreport.command import run

    return run(args, _load(args))
