"""An arm's seeds trained side by side in forked processes, when one process cannot use the free cores.

On the small convnets of the labs a second intra-op thread gains little (under 10 % on a 2-vCPU EPYC),
while two single-threaded processes each train as fast as one alone: so a run with two free cores trains
an arm's seeds in two processes of one thread each. Every seed seeds its own generators and every process
uses the run's thread count, so a seed's numbers are the same bit for bit whichever process trains it and
whether the run is parallel or not (tests/lab_runs/test_lab_parallel.py checks it).

The parent trains the first share of the seeds itself and forks a child for each other share: the children
inherit the loaded data and cached tables, nothing is pickled on the way in. A child sends its events and
results back through a pipe. It ignores Ctrl-C (the parent stops it and writes the partial result), and it
ends at its next send once the parent is gone.
"""

from __future__ import annotations

import multiprocessing as mp
import signal
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

import torch

from tutor.lab.device import forkable
from tutor.lab.errors import LabError
from tutor.lab.events import Event

Job = Callable[[int], Generator[Event, None, Any]]  # seed -> yields the seed's events, returns its result


@dataclass
class Child:
    """A forked process training a share of the seeds, and the end of the pipe its messages arrive on."""

    proc: Any
    conn: Connection
    pending: bool = True  # until its "done" arrives


@dataclass
class SeedDone:
    """A seed's training returned `result` (yielded between the events by `train_seeds`)."""

    seed: int
    result: Any


def train_seeds(job: Job, seeds: list[int], workers: int, threads: int) -> Iterator[Event | SeedDone]:
    """Run `job` for every seed, in up to `workers` processes; yields the events and a SeedDone per seed."""
    workers = min(workers, len(seeds))
    if workers <= 1 or not forkable():
        yield from _serial(job, seeds)
        return
    shares = [seeds[i::workers] for i in range(workers)]
    children: list[Child] = []
    try:
        for share in shares[1:]:
            children.append(_fork(job, share, threads))
        for item in _serial(job, shares[0]):
            yield item
            yield from _collect(children, block=False)
        yield from _collect(children, block=True)
    finally:
        for child in children:
            if child.proc.is_alive():
                child.proc.terminate()
            child.proc.join()
            child.conn.close()


def _serial(job: Job, seeds: list[int]) -> Iterator[Event | SeedDone]:
    for seed in seeds:
        result = yield from job(seed)
        yield SeedDone(seed, result)


def _fork(job: Job, share: list[int], threads: int) -> Child:
    ctx = mp.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(job, share, send, threads), daemon=True, name=f"tutor-seeds-{share[0]}")
    proc.start()
    send.close()  # the parent keeps only its reading end: EOF then means the child is gone
    return Child(proc, recv)


def _child(job: Job, share: list[int], conn: Connection, threads: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    torch.set_num_threads(threads)
    try:
        for item in _serial(job, share):
            conn.send(("seed", item.seed, item.result) if isinstance(item, SeedDone) else ("event", item))
        conn.send(("done",))
    except (BrokenPipeError, EOFError, ConnectionResetError):
        return  # the parent is gone
    except BaseException as exc:  # noqa: BLE001 - the parent raises it
        try:
            conn.send(("error", exc))
        except Exception:  # noqa: BLE001 - an exception that does not pickle
            conn.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))


def _collect(children: list[Child], *, block: bool) -> Iterator[Event | SeedDone]:
    """What the children have sent (all of it, until every one is done, when `block`)."""
    while True:
        pending = {child.conn: child for child in children if child.pending}
        if not pending:
            return
        ready = wait(list(pending)) if block else [c for c in pending if c.poll()]
        if not ready:
            return
        for conn in ready:
            yield from _messages(pending[conn])


def _messages(child: Child) -> Iterator[Event | SeedDone]:
    while child.pending and child.conn.poll():
        try:
            message = child.conn.recv()
        except EOFError:
            child.proc.join()
            raise LabError(f"a process training seeds stopped unexpectedly (exit code {child.proc.exitcode}); "
                           "run again, or with TUTOR_WORKERS=1 to train every seed in one process") from None
        if message[0] == "event":
            yield message[1]
        elif message[0] == "seed":
            yield SeedDone(message[1], message[2])
        elif message[0] == "done":
            child.pending = False
        else:
            raise message[1]
