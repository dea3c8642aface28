"""The claims register (labs/README.md, section "Claims register"): a claim is a prediction registered for the
questions it backs, so every change to one is logged with its date, reason and the seed bases it had run on.

The section holds a table, one row per change, and below it a fenced `claims-register` block that lists every
current claim of the shipped labs with a *fingerprint* of what it tests: the claim's expression, and for each
profile the number of seeds and what the lab file says of the arms it names and of their data (labels aside).
`check` (run by the tests) fails when a claim's fingerprint is not the one registered (its text, tolerance,
arms, data or seeds changed without an entry), when a registered line has no row of that date and lab in the
table, or when a registered claim is gone. `python -m tutor.lab.spec.register --write` sets the block's lines
of new or changed claims to today's fingerprints (the table row that says why is still yours to write).
Torch-free.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from tutor.lab.spec.claims import Claim
from tutor.lab.spec.lab import DEFAULT_DATASET, Lab, _merge

BLOCK = re.compile(r"```claims-register\n(.*?)```", re.DOTALL)
ROW = re.compile(r"^\|\s*(\d{4}-\d{2}-\d{2})\s*\|\s*([a-z0-9-]+)\s*\|\s*(.*?)\s*\|")
EVERY_CLAIM = "*"  # a table row's claim cell for a change to every claim of the lab (a redesign)
IGNORED = ("label",)  # arm settings that only describe: changing them changes nothing a claim tests


@dataclass(frozen=True)
class Entry:
    lab: str
    claim: str
    fingerprint: str
    date: str

    def line(self) -> str:
        return f"{self.lab} | {self.claim} | {self.fingerprint} | {self.date}"


def _text(claim: Claim | str) -> str:
    return " ".join((claim if isinstance(claim, str) else claim.text).split())


def tested(lab: Lab, claim: Claim) -> dict[str, Any]:
    """What a claim tests, as the lab file says it: its expression, and per profile the seeds, the named arms'
    settings (layered as the engine layers them) and their datasets."""
    raw = lab.raw
    profiles = {}
    for pname in lab.profile_names():
        prof = lab.profile(pname)
        arms, datasets = {}, {}
        for arm in sorted({a for a, _ in claim.refs()}):
            merged = _merge(lab.file.defaults, prof.defaults, lab.file.arms.get(arm) or {}, prof.arms.get(arm, {}))
            arms[arm] = {k: v for k, v in merged.items() if k not in IGNORED}
            key = DEFAULT_DATASET if lab.file.dataset is not None else merged.get("dataset") or next(iter(raw["datasets"]))
            datasets[key] = (_merge(raw["dataset"], prof.dataset) if lab.file.dataset is not None
                             else _merge(raw["datasets"][key], prof.datasets.get(key, {})))
        profiles[pname] = {"seeds": prof.seeds, "arms": arms, "datasets": datasets}
    return {"claim": _text(claim), "backbone": raw.get("backbone", "tutornet"), "profiles": profiles}


def fingerprint(lab: Lab, claim: Claim) -> str:
    blob = json.dumps(tested(lab, claim), sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def entries(readme: str) -> dict[tuple[str, str], Entry]:
    """The block's lines: (lab, claim) -> its registered entry."""
    match = BLOCK.search(readme)
    out = {}
    for line in (match.group(1) if match else "").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        lab, claim, fp, day = (part.strip() for part in line.split("|"))
        out[(lab, _text(claim))] = Entry(lab, _text(claim), fp, day)
    return out


def rows(readme: str) -> set[tuple[str, str, str]]:
    """The table's rows as (date, lab, claim), the claim without its backticks (EVERY_CLAIM for a whole lab)."""
    section = readme.split("## Claims register", 1)[-1]
    found = set()
    for line in section.splitlines():
        m = ROW.match(line)
        if m:
            found.add((m.group(1), m.group(2), _text(m.group(3).strip("`"))))
    return found


def check(labs: list[Lab], readme: str) -> list[str]:
    """Every problem between the labs' claims and the register (empty: each claim registered as it is)."""
    registered, logged = entries(readme), rows(readme)
    problems = []
    current = set()
    for lab in labs:
        for claim in lab.claims:
            key, fp = (lab.id, _text(claim)), fingerprint(lab, claim)
            current.add(key)
            entry = registered.get(key)
            if entry is None or entry.fingerprint != fp:
                what = "is not in the register" if entry is None else "changed since it was registered"
                problems.append(f"{lab.id}: claim `{key[1]}` {what} (its text, tolerance, arms, data or seeds): add a "
                                f"row to the Claims register in labs/README.md saying what changed and why, and set its "
                                f"line to `{Entry(lab.id, key[1], fp, str(date.today())).line()}` "
                                "(python -m tutor.lab.spec.register --write)")
            elif not {(entry.date, lab.id, key[1]), (entry.date, lab.id, EVERY_CLAIM)} & logged:
                problems.append(f"{lab.id}: claim `{key[1]}` is registered on {entry.date}, but the Claims register "
                                f"table has no row of that date for it (or `{EVERY_CLAIM}` for the whole lab)")
    for key, entry in registered.items():
        if key not in current and key[0] in {lab.id for lab in labs}:
            problems.append(f"{key[0]}: claim `{key[1]}` is registered but no longer in the lab: remove its line, and "
                            "say in a row of the table why it was dropped")
    return problems


def updated(labs: list[Lab], readme: str, day: str) -> str:
    """The README with the block listing every current claim: unchanged entries keep their date, new or changed
    ones get `day`, gone ones are removed."""
    registered = entries(readme)
    lines = ["# lab | claim | fingerprint | date of its latest row in the table above"]
    for lab in labs:
        for claim in lab.claims:
            key, fp = (lab.id, _text(claim)), fingerprint(lab, claim)
            old = registered.get(key)
            lines.append((old if old is not None and old.fingerprint == fp else Entry(lab.id, key[1], fp, day)).line())
    block = "```claims-register\n" + "\n".join(lines) + "\n```"
    if BLOCK.search(readme):
        return BLOCK.sub(lambda _: block, readme, count=1)
    return readme.rstrip("\n") + "\n\n" + block + "\n"


def shipped_labs(folder: Path | None = None) -> list[Lab]:
    from tutor import paths
    from tutor.lab.spec.lab import lab_files, load_lab

    return [load_lab(p) for p in lab_files([folder or paths.labs_dir()])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tutor.lab.spec.register", description=__doc__.split("\n\n")[0])
    parser.add_argument("--readme", type=Path, default=None, help="labs/README.md (default: the shipped one)")
    parser.add_argument("--write", action="store_true", help="update the block's lines of new or changed claims")
    parser.add_argument("--date", default=str(date.today()), help="the date for new or changed lines (default today)")
    args = parser.parse_args(argv)
    from tutor import paths

    readme_path = args.readme or paths.labs_dir() / "README.md"
    readme, labs = readme_path.read_text(encoding="utf-8"), shipped_labs(readme_path.parent)
    if args.write:
        readme_path.write_text(updated(labs, readme, args.date), encoding="utf-8")
        readme = readme_path.read_text(encoding="utf-8")
    problems = check(labs, readme)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
