"""Device choice and threads; the torch-free modules stay torch-free."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from tutor.lab import device
from tutor.lab.errors import LabError


def test_auto_prefers_cuda_then_mps_then_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(device, "_mps_available", lambda: False)
    assert device.pick_device("auto").type == "cpu"
    monkeypatch.setattr(device, "_mps_available", lambda: True)
    assert device.pick_device().type == "mps"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert device.pick_device("auto").type == "cuda"
    assert device.pick_device("cpu").type == "cpu"


def test_absent_device_is_one_clear_error(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(device, "_mps_available", lambda: False)
    with pytest.raises(LabError, match="no CUDA GPU"):
        device.pick_device("cuda")
    with pytest.raises(LabError, match="MPS"):
        device.pick_device("mps")
    with pytest.raises(LabError, match="expected one of"):
        device.pick_device("tpu")


def test_configure_threads_uses_available_cores(monkeypatch):
    monkeypatch.delenv("TUTOR_THREADS", raising=False)
    before = torch.get_num_threads()
    try:
        n = device.configure_threads()
        assert n == device.available_cores() >= 1
        assert torch.get_num_threads() == n
    finally:
        torch.set_num_threads(before)


def test_tutor_threads_pins_the_count(monkeypatch):
    from tutor.lab.threads import calibrate_threads

    monkeypatch.setenv("TUTOR_THREADS", "1")
    before = torch.get_num_threads()
    try:
        assert device.configure_threads() == 1 and torch.get_num_threads() == 1
        assert calibrate_threads(torch.device("cpu")) == 1  # no timing: the pinned count
    finally:
        torch.set_num_threads(before)


def test_threads_are_picked_once_from_the_free_cores(monkeypatch):
    from tutor.lab import threads

    monkeypatch.delenv("TUTOR_THREADS", raising=False)
    monkeypatch.setattr(threads, "available_cores", lambda: 4)
    assert [threads.free_cores(4, load) for load in (None, 0.2, 1.6, 3.4, 9.0)] == [4, 4, 2, 1, 1]
    before = torch.get_num_threads()
    try:
        monkeypatch.setattr(threads, "forkable", lambda: False)  # where seeds cannot train in parallel processes
        monkeypatch.setattr(threads, "current_load", lambda cores: 3.6)  # busy: no timing, one thread
        monkeypatch.setattr(threads, "_timed", lambda n: pytest.fail("timed on a busy machine"))
        assert threads.pick_threads(torch.device("cpu")).how == "busy" and torch.get_num_threads() == 1
        monkeypatch.setattr(threads, "current_load", lambda cores: 0.1)
        monkeypatch.setattr(threads, "_timed", lambda n: {n: 0.95, 1: 1.0})  # barely faster: one thread
        assert threads.pick_threads(torch.device("cpu")).threads == 1
        monkeypatch.setattr(threads, "_timed", lambda n: {n: 0.5, 1: 1.0})
        choice = threads.pick_threads(torch.device("cpu"))
        assert (choice.threads, choice.how, choice.step_s, choice.workers) == (4, "timed", {"4": 0.5, "1": 1.0}, 1)
        assert torch.get_num_threads() == 4
        assert threads.pick_threads(torch.device("cuda")).how == "device"
    finally:
        torch.set_num_threads(before)


def test_errors_and_package_do_not_import_torch():
    code = "import sys, tutor.lab, tutor.lab.errors; assert 'torch' not in sys.modules, 'torch imported'"
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root, env=env)


def test_free_cores_train_seeds_in_parallel_processes_where_children_can_fork(monkeypatch):
    from tutor.lab import threads

    monkeypatch.delenv("TUTOR_THREADS", raising=False)
    monkeypatch.delenv("TUTOR_WORKERS", raising=False)
    monkeypatch.setattr(threads, "available_cores", lambda: 4)
    monkeypatch.setattr(threads, "forkable", lambda: True)
    monkeypatch.setattr(threads, "_timed", lambda n: pytest.fail("timed although seeds train in parallel"))
    before = torch.get_num_threads()
    try:
        monkeypatch.setattr(threads, "current_load", lambda cores: 1.2)  # one core busy elsewhere: three free
        choice = threads.pick_threads(torch.device("cpu"))
        assert (choice.threads, choice.workers, choice.how) == (1, 3, "seeds in parallel")
        monkeypatch.setattr(threads, "current_load", lambda cores: 3.9)  # busy: one process, one thread
        assert (threads.pick_threads(torch.device("cpu")).workers, torch.get_num_threads()) == (1, 1)
        monkeypatch.setattr(threads, "current_load", lambda cores: 0.0)
        monkeypatch.setenv("TUTOR_THREADS", "2")  # pinned threads: the free cores' worth of processes
        assert threads.pick_threads(torch.device("cpu")).workers == 2
        monkeypatch.setenv("TUTOR_WORKERS", "1")
        assert threads.pick_threads(torch.device("cpu")).workers == 1
        assert threads.pick_threads(torch.device("cuda")).workers == 1
    finally:
        torch.set_num_threads(before)


def test_current_load_counts_busy_cores_from_proc_stat(monkeypatch):
    from tutor.lab import threads

    samples = iter([(100.0, 200.0), (150.0, 300.0)])  # half of the machine idle over the sample
    monkeypatch.setattr(threads, "_cpu_times", lambda: next(samples))
    assert threads.current_load(2, seconds=0) == 1.0
    monkeypatch.setattr(threads, "_cpu_times", lambda: None)
    monkeypatch.setattr(threads, "load_average", lambda: 0.7)
    assert threads.current_load(2, seconds=0) == 0.7


def test_current_load_leaves_out_this_process_own_cpu(monkeypatch):
    from tutor.lab import threads

    samples = iter([(100.0, 200.0), (150.0, 300.0)])  # one of two cores busy over the sample...
    monkeypatch.setattr(threads, "_cpu_times", lambda: next(samples))
    own = iter([10.0, 10.0 + 0.5 * 0.05])  # ...but half a core of it was this process
    monkeypatch.setattr(threads, "_own_cpu", lambda: next(own))
    assert 0.4 <= threads.current_load(2, seconds=0.05) <= 0.55


def test_a_passing_spike_does_not_take_a_core_from_the_run(monkeypatch):
    from tutor.lab import threads

    readings = iter([0.59, 0.05])  # a process ending during the first half second, then idle
    monkeypatch.setattr(threads, "current_load", lambda cores: next(readings))
    assert threads.free_cores(2, threads.other_load(2)) == 2
    monkeypatch.setattr(threads, "current_load", lambda cores: 1.3)  # lasting work shows in both samples
    assert threads.free_cores(2, threads.other_load(2)) == 1
