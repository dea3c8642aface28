"""A stand-in for `tutor lab LAB --json` in the app's fast Pilot tests: it speaks the same event stream
(tutor.lab.events) and handles Ctrl-C the same way (a `cancelled` event, exit 130), but trains nothing,
so a test can run "a lab" in well under a second or hold it mid-way to cancel it.

    python fake_lab.py LAB.yaml PROFILE [SECONDS_PER_EPOCH]

The numbers are made up and only exercise the screen; real runs are tested with the real CLI (slow tests).
"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timezone

from tutor.lab.events import ArmFinished, ArmStarted, Cancelled, ClaimResult, EpochEnd, LabFinished, LabStarted, SeedFinished, Stage
from tutor.lab.spec import load_lab


def main() -> int:
    lab = load_lab(sys.argv[1])
    profile = sys.argv[2] if len(sys.argv) > 2 else "quick"
    delay = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    configs = lab.arm_configs(profile)
    seeds = list(range(lab.profile(profile).seeds))
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    arms: dict[str, dict] = {}

    def result(status: str, verdict: str) -> dict:
        return {"lab": lab.id, "title": lab.title(), "lab_file": lab.path, "profile": profile, "status": status, "device": "cpu",
                "seeds": seeds, "versions": {"torch": "fake", "torchvision": "fake", "tutor": "fake", "python": "3"},
                "arms": arms, "show": [], "claims": claims, "claims_not_run": [], "verdict": verdict,
                "timings": {"total_s": 0.1}, "started_at": started,
                "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}

    def emit(event) -> None:
        print(event.to_json(), flush=True)

    claims: list[dict] = []
    emit(LabStarted(lab=lab.id, title=lab.title(), profile=profile, device="cpu", seeds=seeds,
                    arms={n: c.describe() for n, c in configs.items()}, epochs={n: c.epochs for n, c in configs.items()}, out=None))
    try:
        emit(Stage("loading nothing (fake lab)"))
        for rank, (name, cfg) in enumerate(configs.items()):
            emit(ArmStarted(arm=name, description=cfg.describe(), seeds=seeds, epochs=cfg.epochs))
            for seed in seeds:
                for epoch in range(1, cfg.epochs + 1):
                    time.sleep(delay)
                    acc = min(1.0, 0.3 + 0.2 * rank + 0.05 * epoch + 0.01 * seed)
                    emit(EpochEnd(arm=name, seed=seed, epoch=epoch, epochs=cfg.epochs, train_acc=acc + 0.1, train_loss=1 - acc,
                                  val_acc=acc, val_loss=1.1 - acc))
                emit(SeedFinished(arm=name, seed=seed, metrics={"val_acc": acc}))
            vals = [min(1.0, 0.3 + 0.2 * rank + 0.05 * cfg.epochs + 0.01 * s) for s in seeds]
            arms[name] = {"val_acc": {"mean": sum(vals) / len(vals), "sd": 0.007, "per_seed": vals},
                          "train_acc": {"mean": sum(vals) / len(vals) + 0.1, "sd": 0.007, "per_seed": [v + 0.1 for v in vals]},
                          "seconds": {"mean": delay * cfg.epochs, "sd": 0.0, "per_seed": [delay * cfg.epochs] * len(seeds)}}
            emit(ArmFinished(arm=name, metrics=arms[name], seconds=delay * cfg.epochs * len(seeds)))
        for claim in lab.claims:
            numbers = {"margin": {"mean": 0.2, "sd": 0.0, "per_seed": [0.2] * len(seeds)}, "needed": 0.0, "seeds": len(seeds)}
            claims.append({"text": claim.text, "says": None, "holds": True, "opposite_holds": False, "numbers": numbers})
            emit(ClaimResult(text=claim.text, holds=True, opposite_holds=False, numbers=numbers))
        emit(LabFinished(result=result("finished", "reproduced"), verdict="reproduced", out=None, files=[]))
    except KeyboardInterrupt:
        emit(Cancelled(reason="interrupted", result=result("cancelled", "cancelled"), out=None, files=[]))
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
