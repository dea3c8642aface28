"""Run-time estimates from the runs stored on this machine, and a time left that only counts down.

The estimator is fed stored timings (no training, no clock): the numbers are the test's own."""

from __future__ import annotations

import json
import random
from types import SimpleNamespace

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


def drive(costs, true_cost, epochs, seeds=3, startup=5.0, true_startup=7.0, step=0.5):
    """Simulate a run epoch by epoch, reading the time left every `step` seconds: (time, shown, true left)."""
    left = labtime.TimeLeft(epochs, seeds, costs, startup, now=0.0)
    schedule, t = [], true_startup
    for arm, n in epochs.items():
        for _ in range(n * seeds):
            t += true_cost[arm]
            schedule.append((t, arm))
    end, readings, now, i = t, [], 0.0, 0
    while now < end:
        while i < len(schedule) and schedule[i][0] <= now:
            left.epoch_done(schedule[i][1], schedule[i][0])
            i += 1
        readings.append((now, left.left(now), end - now))
        now += step
    return readings


def test_time_left_never_goes_up_and_never_shows_zero_with_work_left():
    epochs = {"cheap": 10, "search": 80, "slow": 10}
    costs = {"cheap": 0.2, "search": 0.3, "slow": 2.0}
    for slowdown in (0.5, 1.0, 2.5):  # a faster machine, the measured one, a busy one
        true = {a: c * slowdown for a, c in costs.items()}
        readings = drive(costs, true, epochs)
        shown = [s for _, s, _ in readings]
        assert all(b <= a for a, b in zip(shown, shown[1:])), slowdown
        for now, s, true_left in readings:
            if true_left > 3 * 2.0 * slowdown:  # more than the slow arm's last epochs left
                assert s > 1.0, (slowdown, now, s, true_left)
        if slowdown == 1.0:  # on the measured machine it follows the truth within one epoch (+ the startup error)
            assert all(abs(s - tl) <= 2.0 + 2.0 + 1e-9 for _, s, tl in readings)


def test_time_left_with_no_measurement_waits_for_a_finished_seed():
    """Without a measurement the pace is this run's own, over whole seeds: epochs arriving in a burst
    (the screen was busy) cannot make it promise ~0 s."""
    left = labtime.TimeLeft({"a": 5, "b": 5}, 2, {"a": None, "b": None}, None, now=0.0)
    assert left.left(1.0) is None
    left.epoch_done("a", 3.0)  # the first epoch also paid the startup
    for i in range(4):
        left.epoch_done("a", 3.001 + i * 0.001)  # a burst: no pace from these gaps
    assert left.left(3.01) is None
    left.seed_done("a", 7.0)  # the seed's last 4 epochs took 4 s
    assert left.left(7.0) == 14.0  # 15 epochs left at 1 s, the one in progress (since 3.004) counted down
    rng = random.Random(0)
    now, shown = 7.0, [14.0]
    for arm in ["a"] * 5 + ["b"] * 10:
        now += rng.uniform(0.5, 3.0)
        left.epoch_done(arm, now)
        if left.done[arm] % 5 == 0:
            left.seed_done(arm, now)
        shown.append(left.left(now))
    assert all(b <= a for a, b in zip(shown, shown[1:]))
    assert shown[-1] == 0.0


def test_an_arm_that_stops_early_gives_its_epochs_back():
    left = labtime.TimeLeft({"a": 10, "b": 10}, 1, {"a": 1.0, "b": 1.0}, 0.0, now=0.0)
    left.epoch_done("a", 1.0)
    assert left.left(1.0) == 19.0
    left.arm_done("a", 1.5)
    assert left.left(1.5) == 10.0


def test_the_fixed_cost_the_start_did_not_use_is_kept_for_the_end():
    """Judging the claims and writing the plots come after the last epoch: the measured fixed cost that the
    start did not use stays in the time left until then."""
    left = labtime.TimeLeft({"a": 2}, 1, {"a": 1.0}, 10.0, now=0.0)
    assert left.left(0.0) == 12.0  # 10 s fixed + 2 epochs of 1 s
    left.epoch_done("a", 4.0)  # started after 3 s: 7 s of the fixed cost are still to come
    assert left.left(4.0) == 8.0
    left.epoch_done("a", 5.0)
    assert left.left(5.0) == 7.0 and left.left(9.0) == 3.0 and left.left(20.0) == 0.0
