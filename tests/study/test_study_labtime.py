"""Run-time estimates from the runs stored on this machine, and the time left of a run (RunClock).

The estimator is fed stored timings (no training, no clock): the numbers are the test's own."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from support.labresult import result

from tutor.study import labruns, labtime
from tutor.study.store import Store


def stored(tmp_path, **changes) -> labruns.LabRun:
    with Store(tmp_path / "s.sqlite3") as store:
        labruns.record_run(store, result(**changes), duration_s=changes.pop("duration", 50.0))
        return labruns.timed_run(store, "tiny-lab", "quick")


def seconds(*per_seed):
    return {"seconds": {"mean": sum(per_seed) / len(per_seed), "sd": 0.0, "per_seed": list(per_seed)}}


def test_no_finished_run_means_no_estimate(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        assert labruns.timed_run(store, "tiny-lab", "quick") is None
        labruns.record_run(store, result(status="cancelled"), duration_s=9.0)
        assert labruns.timed_run(store, "tiny-lab", "quick") is None
    assert labtime.measure(None) is None
    assert labtime.estimate(None, 3, {"few": 10}) is None


def test_per_arm_seconds_per_seed_come_from_the_stored_metrics(tmp_path):
    run = stored(tmp_path, arms={"few": seconds(2.0, 4.0), "many": seconds(10.0, 10.0)})
    m = labtime.measure(run)
    assert m.per_seed_s == {"few": 3.0, "many": 10.0} and m.seeds == 2
    assert m.overhead_s == 50.0 - 26.0
    same = labtime.estimate(m, 2, {"few": 10, "many": 10})
    assert same.total_s == 50.0  # the same profile again: the measured run's own duration
    more = labtime.estimate(m, 5, {"few": 20, "many": 20}, {"few": 10, "many": 10}, profile="full")
    assert more.total_s == 24.0 + 5 * (6.0 + 20.0) and more.scaled


def test_result_json_timings_win_over_the_training_seconds(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "result.json").write_text(json.dumps({"timings": {"arms": {"few": 8.0, "many": 30.0}, "total_s": 45}}))
    run = stored(tmp_path, arms={"few": seconds(2.0, 4.0), "many": seconds(10.0, 10.0)})
    run = labruns.LabRun(**{**run.__dict__, "out_dir": str(out)})
    m = labtime.measure(run)
    assert m.per_seed_s == {"few": 4.0, "many": 15.0} and m.overhead_s == 50.0 - 38.0


def test_an_arm_the_measured_run_lacked_costs_the_mean_epoch():
    m = labtime.Measured(profile="quick", seeds=1, per_seed_s={"a": 10.0, "b": 30.0}, overhead_s=0.0, run=None)
    est = labtime.estimate(m, 1, {"a": 10, "b": 10, "c": 10})
    assert est.per_seed_s["c"] == 20.0 and est.total_s == 60.0


def test_epochs_per_seed_counts_every_trial_of_a_search():
    plain = SimpleNamespace(epochs=30, search=None)
    search = SimpleNamespace(epochs=30, search=SimpleNamespace(trials=8, space={"lr": [1, 2, 3], "wd": [0, 1, 2, 3]}))
    small = SimpleNamespace(epochs=30, search=SimpleNamespace(trials=8, space={"lr": [1, 2]}))
    assert labtime.epochs_per_seed(plain) == 30
    assert labtime.epochs_per_seed(search) == 240
    assert labtime.epochs_per_seed(small) == 60


def drive(epochs, true_per_epoch, *, costs=None, prior=None, seeds=3, startup=5.0, tail=0.0, step=0.5):
    """Simulate a run (start-up, then each arm's epochs over its seeds, then `tail` seconds of judging and
    plotting), feeding a RunClock the events the page gets and reading it every `step` seconds while an
    epoch is to come: [(time, shown, true time left, an arm is training)]."""
    clock = labtime.RunClock(prior=prior, now=0.0)
    clock.start(epochs, seeds, costs or {}, 0.0)
    events, t = [], startup
    for arm, n in epochs.items():
        events.append((t, "arm_started", arm))
        for _ in range(n * seeds):
            t += true_per_epoch[arm]
            events.append((t, "epoch_done", arm))
        events.append((t, "arm_done", arm))
    end, readings, now, i = t + tail, [], 0.0, 0
    while now < t:
        while i < len(events) and events[i][0] <= now:
            when, what, arm = events[i]
            getattr(clock, what)(arm, when)
            i += 1
        readings.append((now, clock.left(now), end - now, clock.training))
        now += step
    return readings


def longest_still(readings) -> float:
    """The longest time the shown value (whole seconds) stood still while an arm trained."""
    longest, since, last = 0.0, 0.0, object()
    for now, shown, _, training in readings:
        value = None if shown is None else round(shown)
        if value != last:
            last, since = value, now
        elif training and value is not None:
            longest = max(longest, now - since)
    return longest


EPOCHS = {"cheap": 10, "search": 80, "slow": 10}
PER_EPOCH = {"cheap": 0.2, "search": 0.3, "slow": 2.0}


def test_a_first_run_follows_the_cost_model_and_never_freezes():
    """No measurement here: the cost model's per-seed seconds, on any scale, set the arms' proportions; the
    run's own pace sets the scale. Off by a factor of 4 and by up to 15 % per arm, the estimate stays within
    30 % of the truth once a quarter of the run is done, and it never stands still while an arm trains."""
    model = {a: n * PER_EPOCH[a] / 4 * f for (a, n), f in zip(EPOCHS.items(), (1.15, 0.9, 1.1))}
    readings = drive(EPOCHS, PER_EPOCH, costs=model, tail=6.0)
    total = readings[-1][0]
    assert readings[0][1] is None  # nothing priced before the first epoch: "estimating", not a guess
    for now, shown, true_left, _ in readings:
        if now > 0.25 * total and true_left > 15:
            assert abs(shown - true_left) <= 0.3 * true_left, (now, shown, true_left)
    assert longest_still(readings) < 3.0


def test_a_measured_run_is_trusted_from_the_start(tmp_path):
    run = stored(tmp_path, arms={a: seconds(*[n * PER_EPOCH[a]] * 2) for a, n in EPOCHS.items()}, duration=100.0)  # 2 seeds stored
    measured = labtime.measure(run)
    est = labtime.estimate(measured, 3, EPOCHS)
    readings = drive(EPOCHS, PER_EPOCH, prior=est, startup=5.0)
    assert abs(readings[0][1] - readings[0][2]) < 0.1 * readings[0][2]  # right at the start
    assert longest_still(readings) < 3.0


def test_without_costs_an_epoch_is_an_epoch():
    readings = drive({"a": 5, "b": 5}, {"a": 1.0, "b": 1.0}, seeds=2, startup=1.0, tail=2.5)
    for now, shown, true_left, _ in readings:
        if now > 3.0 and true_left > 1.0:
            assert abs(shown - true_left) <= 2.0, (now, shown, true_left)


def test_an_arm_that_stops_early_gives_its_epochs_back(monkeypatch):
    monkeypatch.setattr(labtime, "FIRST_RUN_TAIL_S", 0.0)
    monkeypatch.setattr(labtime, "FIRST_RUN_TAIL_PER_ARM", 0.0)
    monkeypatch.setattr(labtime, "FIRST_RUN_TAIL_SHARE", 0.0)
    clock = labtime.RunClock(now=0.0)
    clock.start({"a": 10, "b": 10}, 1, {}, 0.0)
    clock.arm_started("a", 0.0)
    clock.epoch_done("a", 1.0)
    assert clock.left(1.0) is None  # one epoch is no pace yet (it also paid for loading the data)
    clock.epoch_done("a", 2.0)
    assert clock.left(2.0) == 18.0  # 8 epochs of a, 10 of b, at 1 s
    clock.arm_done("a", 2.5)
    assert clock.left(2.5) == pytest.approx(15.0, abs=0.2)  # b's 10 epochs at the pace a showed (1.5 s for its second epoch)


def test_a_slower_arm_raises_the_estimate_smoothly():
    """An arm slower than priced raises the time left, gradually: no jump, and no freeze either."""
    readings = drive(EPOCHS, {**PER_EPOCH, "slow": 6.0}, costs={a: n * PER_EPOCH[a] for a, n in EPOCHS.items()})
    shown = [s for _, s, _, _ in readings if s is not None]
    rises = [b - a for a, b in zip(shown, shown[1:]) if b > a]
    assert rises and max(rises) < 0.5 * max(shown)
    assert longest_still(readings) < 3.0


def test_the_fixed_cost_the_start_did_not_use_is_kept_for_the_end(tmp_path):
    """Judging the claims and writing the plots come after the last epoch: the measured fixed cost that the
    start did not use stays in the time left until then."""
    est = labtime.Estimate(total_s=12.0, per_seed_s={"a": 2.0}, overhead_s=10.0, scaled=False, measured=None)
    clock = labtime.RunClock(prior=est, now=0.0)
    clock.start({"a": 2}, 1, {}, 0.0)
    assert clock.left(0.0) == 12.0  # 10 s fixed + 2 epochs of 1 s
    clock.arm_started("a", 3.0)  # the start took 3 s: 7 s of the fixed cost are still to come
    assert clock.left(3.0) == 9.0
    clock.epoch_done("a", 4.0)
    clock.epoch_done("a", 5.0)
    clock.arm_done("a", 5.0)
    assert clock.left(5.0) == 7.0


def test_bursts_of_two_workers_and_a_busier_machine_are_followed():
    """A replayed first run as the page gets it: two workers' epochs arrive in pairs (a child's when the
    parent yields), the arms' costs are priced right relative to each other but on another scale, and the
    machine turns 1.6 times slower halfway (another process starts). The first number waits for a second of
    training, the shown value never stands still while an arm trains, and once the pace has caught up with
    the slower machine it is within 30 % of the truth again."""
    arms = {"head": (40, 0.02), "fine": (10, 0.5), "top": (20, 0.15), "plain": (30, 0.1)}  # epochs, seconds an epoch
    clock = labtime.RunClock(now=0.0)
    clock.start({a: n for a, (n, _) in arms.items()}, 4, {a: 9.0 * n * s for a, (n, s) in arms.items()}, 0.0)
    events, t, slow_from = [], 2.0, 14.0
    for arm, (n, per_epoch) in arms.items():
        events.append((t, "arm_started", arm))
        t += 0.3  # its data and tables
        for _ in range(n * 2):  # 4 seeds on 2 workers: pairs of epochs
            t += per_epoch * (1.6 if t > slow_from else 1.0)
            events += [(t, "epoch_done", arm), (t, "epoch_done", arm)]
        events.append((t, "arm_done", arm))
    end = t + labtime.FIRST_RUN_TAIL_S
    readings, now, i = [], 0.0, 0
    while now < t:
        while i < len(events) and events[i][0] <= now:
            when, what, arm = events[i]
            getattr(clock, what)(arm, when)
            i += 1
        readings.append((now, clock.left(now), end - now, clock.training))
        now += 0.25
    first = next(now for now, shown, _, _ in readings if shown is not None)
    assert 2.3 + 1.0 <= first < 6.0  # a second of training, then a number
    late = [(now, shown, left) for now, shown, left, _ in readings if now > slow_from + 8 and left > 3]
    assert late and all(abs(shown - left) <= 0.3 * left for _, shown, left in late), late
    assert longest_still(readings) < 3.0
