"""`tutor pretrain`: rebuild the tutornet checkpoint from the procedural fractal source (into the user's data
folder unless --out or --replace-shipped says otherwise).

Generates (or reads from the cache) the FractalDB-style source (`fractal-source`: 100 IFS classes x 200
jittered 64 px images, generator seed `fractals.SOURCE_SEED`), trains tutornet + a 100-way output layer
on its train split (SGD + Nesterov momentum, one-cycle learning rate, batch 128), reports held-out
accuracy on the source's test split, and writes the checkpoint plus MODEL_CARD.md next to it.
The checkpoint holds no timestamps, so the same --seed on the same machine and torch version
reproduces it byte for byte (CPU); the model card records time and sha256.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import time
from pathlib import Path

from tutor.atomic import atomic_open

DESCRIPTION = ("Rebuild the tutornet backbone by pretraining on procedural fractals. The checkpoint goes to your "
               "tutor data folder (weights/tutornet.pt) unless --out names a file; --replace-shipped overwrites the "
               "shipped one.")
DEFAULTS = {"classes": 100, "per_class": 200, "epochs": 7, "seed": 0, "batch_size": 128, "lr": 0.1, "size": 64}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--device", default="auto", help="auto (CUDA, then MPS, then CPU), cpu, cuda or mps")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--out", default=None, help="checkpoint file (default: weights/tutornet.pt in your tutor data folder, "
                       "never the shipped one); its model card is written next to it. A lab uses it through "
                       "backbone: {weights: PATH}")
    where.add_argument("--replace-shipped", action="store_true",
                       help="overwrite the shipped tutor/lab/weights/tutornet.pt (and its MODEL_CARD.md): for maintainers")
    parser.add_argument("--classes", type=int, default=DEFAULTS["classes"], help="fractal source classes (default %(default)s)")
    parser.add_argument("--per-class", type=int, default=DEFAULTS["per_class"], help="images per source class (default %(default)s)")
    parser.add_argument("--epochs", type=int, default=DEFAULTS["epochs"], help="training epochs (default %(default)s)")
    parser.add_argument("--seed", type=int, default=DEFAULTS["seed"], help="initialisation and shuffling seed (default %(default)s)")
    parser.add_argument("--batch-size", type=int, default=DEFAULTS["batch_size"], help=argparse.SUPPRESS)
    parser.add_argument("--lr", type=float, default=DEFAULTS["lr"], help=argparse.SUPPRESS)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _command(args: argparse.Namespace, default_out: Path) -> str:
    parts = ["tutor pretrain"]
    for name in ("classes", "per_class", "epochs", "seed", "batch_size", "lr"):
        value = getattr(args, name)
        if value != DEFAULTS[name]:
            parts.append(f"--{name.replace('_', '-')} {value}")
    if args.out and Path(args.out).resolve() != default_out:
        parts.append(f"--out {args.out}")
    return " ".join(parts)


def _accuracy(net, head, x, y, device, batch: int = 512) -> float:
    import torch

    net.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(y), batch):
            xb = x[i : i + batch].to(device, non_blocking=True)
            correct += int((head(net(xb)).argmax(1).cpu() == y[i : i + batch]).sum())
    return correct / max(1, len(y))


def _train_epochs(args: argparse.Namespace, net, head, opt, sched, train: tuple, gen, ds, device, console, say) -> list[dict]:
    """The pretraining epochs (one progress bar per epoch); returns one row of numbers per epoch."""
    import torch
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    xtr_dev, ytr_dev = train
    steps_per_epoch = (len(ytr_dev) + args.batch_size - 1) // args.batch_size
    history = []
    columns = [TextColumn("[bold]epoch {task.fields[epoch]}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[info]}"),
               TimeElapsedColumn(), TimeRemainingColumn()]
    with Progress(*columns, console=console, transient=True) as progress:
        for epoch in range(1, args.epochs + 1):
            task = progress.add_task("train", total=steps_per_epoch, epoch=f"{epoch}/{args.epochs}", info="")
            net.train()
            head.train()
            order = torch.randperm(len(ytr_dev), generator=gen).to(device)
            total_loss, correct, seen = 0.0, 0, 0
            te = time.perf_counter()
            for step in range(steps_per_epoch):
                idx = order[step * args.batch_size : (step + 1) * args.batch_size]
                xb, yb = xtr_dev[idx], ytr_dev[idx]
                logits = head(net(xb))
                loss = torch.nn.functional.cross_entropy(logits, yb)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                sched.step()
                total_loss += float(loss.detach()) * len(yb)
                correct += int((logits.argmax(1) == yb).sum())
                seen += len(yb)
                progress.update(task, advance=1, info=f"loss {total_loss / seen:.3f} acc {correct / seen:.3f}")
            progress.remove_task(task)
            val_acc = _accuracy(net, head, *ds.subset("val"), device)
            row = {"epoch": epoch, "loss": total_loss / seen, "train_acc": correct / seen, "val_acc": val_acc, "seconds": time.perf_counter() - te}
            history.append(row)
            say(f"epoch {epoch}/{args.epochs}: loss {row['loss']:.3f}  train {100 * row['train_acc']:.1f} %  "
                f"val {100 * val_acc:.1f} %  ({row['seconds']:.1f} s, {seen / row['seconds']:.0f} img/s)")
    return history


def train_source(args: argparse.Namespace, console=None) -> dict:
    """Generate the source and pretrain; returns the checkpoint dict plus a `report` (not saved)."""
    import numpy as np
    import torch

    from tutor import __version__
    from tutor.lab.data import datasets, fractals
    from tutor.lab.models import backbones
    from tutor.lab.device import configure_threads, pick_device

    from tutor.lab.errors import LabError

    if args.classes < 2 or args.per_class < 10 or args.epochs < 1 or args.batch_size < 2 or not args.lr > 0:
        raise LabError("pretrain needs --classes >= 2, --per-class >= 10, --epochs >= 1 (and a positive batch size and lr)")
    device = pick_device(args.device)
    threads = configure_threads()
    say = console.print if console is not None else print

    t0 = time.perf_counter()
    ds = datasets.load("fractal-source", size=DEFAULTS["size"], classes=args.classes, per_class=args.per_class)
    t_data = time.perf_counter() - t0
    say(f"source: {len(ds.classes)} fractal classes x {args.per_class} images "
        f"(train {len(ds.splits['train'])}, val {len(ds.splits['val'])}, test {len(ds.splits['test'])}) in {t_data:.1f} s")

    xtr, ytr = ds.subset("train")
    mean, std = float(xtr.mean()), float(xtr.std())

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    net = backbones.build_tutornet(mean=(mean,), std=(std,))
    head = torch.nn.Linear(net.feature_dim, len(ds.classes))
    net.to(device)
    head.to(device)
    params = list(net.parameters()) + list(head.parameters())
    decay = [p for p in params if p.dim() > 1]
    no_decay = [p for p in params if p.dim() <= 1]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": 5e-4}, {"params": no_decay, "weight_decay": 0.0}],
                          lr=args.lr, momentum=0.9, nesterov=True)
    steps_per_epoch = (len(ytr) + args.batch_size - 1) // args.batch_size
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=max(1, args.epochs * steps_per_epoch), pct_start=0.2)
    gen = torch.Generator().manual_seed(args.seed)
    xtr_dev, ytr_dev = xtr.to(device), ytr.to(device)

    t1 = time.perf_counter()
    history = _train_epochs(args, net, head, opt, sched, (xtr_dev, ytr_dev), gen, ds, device, console, say)
    t_train = time.perf_counter() - t1
    test_acc = _accuracy(net, head, *ds.subset("test"), device)
    say(f"held-out source accuracy (test split, {len(ds.splits['test'])} images): {100 * test_acc:.2f} %")

    net.cpu()
    head.cpu()
    ckpt = {
        "format": backbones.CHECKPOINT_FORMAT,
        "arch": dict(backbones.DEFAULT_ARCH),
        "mean": [mean],
        "std": [std],
        "classes": list(ds.classes),
        "backbone": {k: v.detach().contiguous().clone() for k, v in net.state_dict().items()},
        "head": {k: v.detach().contiguous().clone() for k, v in head.state_dict().items()},
        "source": {"dataset": "fractal-source", "generator": f"tutor.lab.data.fractals v{fractals.VERSION}", "generator_seed": fractals.SOURCE_SEED,
                   "classes": args.classes, "per_class": args.per_class, "size": DEFAULTS["size"],
                   "splits": {k: int(len(v)) for k, v in ds.splits.items()}},
        "training": {"epochs": args.epochs, "seed": args.seed, "batch_size": args.batch_size, "lr": args.lr,
                     "optimizer": "SGD nesterov momentum 0.9, weight decay 5e-4, one-cycle"},
        "source_accuracy": test_acc,
        "val_accuracy": history[-1]["val_acc"] if history else None,
        "versions": {"torch": str(torch.__version__), "tutor": str(__version__)},
    }
    ckpt["report"] = {"device": str(device), "threads": threads, "data_seconds": t_data, "train_seconds": t_train, "history": history,
                      "train_images_per_second": sum(len(ytr) for _ in history) / max(t_train, 1e-9)}
    return ckpt


MODEL_CARD = """# tutornet: the lab engine's default backbone

A small ResNet-style CNN for grayscale 64x64 images, pretrained by this project on a procedurally
generated source. It exists so that labs can show transfer learning offline, in about a minute on a laptop CPU.

| | |
|---|---|
| file | `{file}` ({size_kb:.0f} KB) |
| sha256 | `{sha}` |
| architecture | 3x3 stem (stride 2) + 4 ResNet basic blocks, widths {widths}, batch norm, global average pooling; {params:,} backbone parameters + {head_params:,} in the {n_classes}-way source output layer |
| input | 1 x 64 x 64 in [0, 1], normalised inside the model with mean {mean:.4f}, std {std:.4f} |
| stages | `stem, block16, block32, block64, block128` (freeze all / unfreeze the top block / fine-tune all) |
| source | `fractal-source`: {n_classes} FractalDB-style IFS fractal classes x {per_class} jittered images (generator `tutor/lab/data/fractals.py` v{gen_version}, seed {gen_seed}); splits train {n_train} / val {n_val} / test {n_test} |
| training | {epochs} epochs, batch {batch}, SGD (Nesterov momentum 0.9, weight decay 5e-4), one-cycle lr peak {lr}, seed {seed} |
| held-out source accuracy | **{acc:.2f} %** on the source's test split ({n_test} images); val {val:.2f} % |
| time | data {t_data:.0f} s (generation, cached afterwards) + training {t_train:.0f} s on {device} with {threads} thread(s), {platform}; torch {torch} |
| licence | weights and generator: Apache-2.0 (the project's licence); the source is synthetic, no third-party data |

## Regenerate

```
{command}
```

(`--device cuda` trains on a GPU when one is there.) Same seed, same machine and torch version: the
same file, byte for byte, on CPU; other platforms may differ in the last bits of floating point.

## What it is good for (measured, see `tutor lab domain-similarity`)

Pretraining on fractals transfers strongly to *new* fractal classes (a near domain), somewhat to
handwritten digits at very few images per class, and not at all to electroluminescence images of solar
cells (a far domain), where it does no better than a randomly initialised network. That contrast is what
the labs use it for; it is not a general-purpose image model.

## Per-epoch log

| epoch | loss | train acc | val acc | seconds |
|---|---|---|---|---|
{history}
"""


def write_model_card(ckpt: dict, path: Path, args: argparse.Namespace, card_path: Path, command: str) -> str:
    import platform as _pl

    report = ckpt["report"]
    hist = "\n".join(f"| {h['epoch']} | {h['loss']:.3f} | {100 * h['train_acc']:.1f} % | {100 * h['val_acc']:.1f} % | {h['seconds']:.1f} |" for h in report["history"])
    params = sum(v.numel() for k, v in ckpt["backbone"].items() if not k.endswith(("running_mean", "running_var", "num_batches_tracked")))
    head_params = sum(v.numel() for v in ckpt["head"].values())
    try:
        shown = path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        shown = path
    text = MODEL_CARD.format(
        file=shown, size_kb=path.stat().st_size / 1024, sha=_sha256(path), widths="-".join(map(str, ckpt["arch"]["widths"])),
        params=params, head_params=head_params, n_classes=len(ckpt["classes"]), mean=ckpt["mean"][0], std=ckpt["std"][0],
        per_class=ckpt["source"]["per_class"], gen_version=ckpt["source"]["generator"].rsplit("v", 1)[-1], gen_seed=ckpt["source"]["generator_seed"],
        n_train=ckpt["source"]["splits"]["train"], n_val=ckpt["source"]["splits"]["val"], n_test=ckpt["source"]["splits"]["test"],
        epochs=args.epochs, batch=args.batch_size, lr=args.lr, seed=args.seed, acc=100 * ckpt["source_accuracy"], val=100 * (ckpt["val_accuracy"] or 0),
        t_data=report["data_seconds"], t_train=report["train_seconds"], device=report["device"], threads=report["threads"],
        platform=f"{_pl.system()} {_pl.machine()}", torch=ckpt["versions"]["torch"], command=command, history=hist,
    )
    card_path.write_text(text, encoding="utf-8")
    return text


def _atomic_save(obj, path: Path) -> None:
    import torch

    # Serialise to memory first: torch.save names the archive after the file, and a random temporary
    # name would make the bytes (and the sha256) differ from run to run.
    buf = io.BytesIO()
    torch.save(obj, buf)
    with atomic_open(path, "wb") as f:
        f.write(buf.getvalue())


def output_path(args: argparse.Namespace, shipped: Path) -> Path:
    """Where the checkpoint goes: --out, the shipped file only with --replace-shipped, else the learner's data
    folder (a rebuild never silently replaces what the labs and their recorded results were made with)."""
    if args.out:
        return Path(args.out).expanduser()
    if getattr(args, "replace_shipped", False):
        return shipped
    from tutor import paths

    return paths.home() / "weights" / "tutornet.pt"


def main(args: argparse.Namespace) -> int:
    from rich.console import Console

    from tutor.lab.models import backbones

    console = Console()
    out = output_path(args, backbones.TUTORNET_CHECKPOINT)
    card = out.with_name("MODEL_CARD.md") if out.name == "tutornet.pt" else out.with_suffix(".md")
    ckpt = train_source(args, console=console)
    report = ckpt.pop("report")
    _atomic_save(ckpt, out)
    ckpt["report"] = report
    write_model_card(ckpt, out, args, card, _command(args, backbones.TUTORNET_CHECKPOINT))
    console.print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KB, sha256 {_sha256(out)[:16]}...) and {card}")
    return 0


if __name__ == "__main__":  # python -m tutor.lab.models.pretrain
    p = argparse.ArgumentParser(prog="tutor pretrain", description=DESCRIPTION)
    add_arguments(p)
    raise SystemExit(main(p.parse_args()))
