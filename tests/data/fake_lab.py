"""A stand-in for `tutor lab LAB --json` in the app's fast Pilot tests: it speaks the same event stream
(tutor.lab.events) and handles Ctrl-C the same way (a `cancelled` event, exit 130), but trains nothing,
so a test can run "a lab" in well under a second or hold it mid-way to cancel it.

    python fake_lab.py LAB.yaml PROFILE [SECONDS_PER_EPOCH] [OUT_DIR]

A search arm streams its trials one after another (`trial` set, epochs counted across trials), like the
engine. With OUT_DIR, the run "writes" result.json and two small PNGs there (curves.png, loss.png).

The numbers are made up and only exercise the screen; real runs are tested with the real CLI (slow tests).
"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timezone

from tutor.lab.events import (
    ArmFinished,
    ArmStarted,
    Cancelled,
    ClaimResult,
    EpochEnd,
    LabFinished,
    LabStarted,
    SeedFinished,
    Stage,
)
from tutor.lab.result import ClaimOutcome, LabResult, Stats
from tutor.lab.spec import load_lab
from tutor.study.labtime import epochs_per_seed


def write_files(out: str) -> list[str]:
    """A stand-in result.json and two plots (coloured stripes) for the page's picture."""
    from pathlib import Path

    from PIL import Image, ImageDraw

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / "result.json"]
    files[0].write_text("{}", encoding="utf-8")
    for name, colour in (("curves.png", (31, 119, 180)), ("loss.png", (214, 39, 40))):
        image = Image.new("RGB", (400, 200), "white")
        ImageDraw.Draw(image).line([(0, 190), (399, 10)], fill=colour, width=2)
        image.save(folder / name)
        files.append(folder / name)
    return [str(f) for f in files]


def main() -> int:
    lab = load_lab(sys.argv[1])
    profile = sys.argv[2] if len(sys.argv) > 2 else "quick"
    delay = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    out = sys.argv[4] if len(sys.argv) > 4 else None
    configs = lab.arm_configs(profile)
    seeds = list(range(lab.profile(profile).seeds))
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    arms: dict[str, dict] = {}

    def result(status: str, verdict: str) -> LabResult:
        return LabResult.model_validate({"lab": lab.id, "title": lab.title(), "lab_file": lab.path, "profile": profile, "status": status, "device": "cpu",
                "seeds": seeds, "versions": {"torch": "fake", "torchvision": "fake", "tutor": "fake", "python": "3"},
                "arms": arms, "show": [], "claims": claims, "claims_not_run": [], "verdict": verdict,
                "timings": {"total_s": 0.1}, "started_at": started,
                "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds")})

    def emit(event) -> None:
        print(event.to_json(), flush=True)

    claims: list[dict] = []
    emit(LabStarted(lab=lab.id, title=lab.title(), profile=profile, device="cpu", seeds=seeds,
                    arms={n: c.describe() for n, c in configs.items()}, epochs={n: epochs_per_seed(c) for n, c in configs.items()},
                    out=out))
    try:
        emit(Stage("loading nothing (fake lab)"))
        for rank, (name, cfg) in enumerate(configs.items()):
            total = epochs_per_seed(cfg)
            emit(ArmStarted(arm=name, description=cfg.describe(), seeds=seeds, epochs=total))
            for seed in seeds:
                for epoch in range(1, total + 1):
                    time.sleep(delay)
                    trial, within = (None, epoch) if cfg.search is None else (1 + (epoch - 1) // cfg.epochs, 1 + (epoch - 1) % cfg.epochs)
                    acc = min(1.0, 0.3 + 0.2 * rank + 0.05 * within + 0.01 * seed)
                    emit(EpochEnd(arm=name, seed=seed, epoch=epoch, epochs=total, train_acc=acc + 0.1, train_loss=1 - acc,
                                  val_acc=acc, val_loss=1.1 - acc, trial=trial))
                emit(SeedFinished(arm=name, seed=seed, metrics={"val_acc": acc}))
            vals = [min(1.0, 0.3 + 0.2 * rank + 0.05 * cfg.epochs + 0.01 * s) for s in seeds]
            arms[name] = {"val_acc": {"mean": sum(vals) / len(vals), "sd": 0.007, "per_seed": vals},
                          "train_acc": {"mean": sum(vals) / len(vals) + 0.1, "sd": 0.007, "per_seed": [v + 0.1 for v in vals]},
                          "seconds": {"mean": delay * total, "sd": 0.0, "per_seed": [delay * total] * len(seeds)}}
            emit(ArmFinished(arm=name, metrics={k: Stats(**v) for k, v in arms[name].items()}, seconds=delay * total * len(seeds)))
        for claim in lab.claims:
            numbers = {"margin": {"mean": 0.2, "sd": 0.0, "per_seed": [0.2] * len(seeds)}, "needed": 0.0, "seeds": len(seeds)}
            outcome = ClaimOutcome(text=claim.text, says=claim.says, backs=list(claim.backs), holds=True, numbers=numbers)
            claims.append(outcome.model_dump())
            emit(ClaimResult(claim=outcome))
        files = write_files(out) if out else []
        emit(LabFinished(result=result("finished", "reproduced"), out=out, files=files))
    except KeyboardInterrupt:
        emit(Cancelled(reason="interrupted", result=result("cancelled", "cancelled"), out=None, files=[]))
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
