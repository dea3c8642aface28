"""The app under store faults: another process holding the write lock, a database that cannot be read, a
store error escaping a screen. Never a frozen app, never a traceback."""

from __future__ import annotations

import pytest
from support.app import SIZE, build, retried
from support.store import Faulty, intact

from tutor.study.store import Store, StoreError


async def test_app_stays_responsive_while_another_process_holds_the_lock(tiny_bank, locked_by_another_process):
    path, release = locked_by_another_process
    store = Store(path, interactive=True)
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        app.start_practice("beta")
        await pilot.pause()
        screen = app.screen
        await pilot.press("1", "enter")
        await pilot.pause()
        assert screen.state == "feedback"  # the learner goes on; the answer waits in memory
        assert any("Not saved yet" in str(n.message) for n in app._notifications)
        await pilot.press("n")
        await pilot.pause()
        release()
        await retried(app, pilot)
        assert not store.pending and len(store.attempts()) == 1
    store.close()
    assert intact(path)


async def test_app_survives_a_store_that_cannot_be_read(tiny_bank, tmp_path):
    store = Store(tmp_path / "tutor.sqlite3", interactive=True)
    app = build(tiny_bank, store)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        home = app.screen
        store._conn = Faulty(store._conn, "SELECT", "database disk image is malformed")
        app.start_practice("beta")
        await pilot.pause()
        assert app.screen is home
        assert any("Could not read your progress" in str(n.message) for n in app._notifications)


async def test_a_store_error_escaping_a_screen_ends_the_app_with_one_line(tiny_bank, tmp_path):
    store = Store(tmp_path / "tutor.sqlite3", interactive=True)
    app = build(tiny_bank, store)

    def broken() -> None:
        raise StoreError("reading progress: the progress database is damaged (database disk image is malformed)")

    with pytest.raises(StoreError):
        async with app.run_test(size=SIZE) as pilot:
            app.call_later(broken)
            await pilot.pause()
    assert app.return_code == 1
    assert StoreError("x\ny").__rich__().plain == "tutor: x\\ny"  # what Textual prints instead of a traceback
    store.close()
