"""The app's words on screen: key descriptions translated through Textual's public `active_bindings`,
never by rewriting a node's private bindings. (The catalogues themselves: tests/contracts/test_catalogues.py.)"""

from __future__ import annotations

from pathlib import Path

from support.app import SIZE, build, screen_text


async def test_footer_keys_read_in_the_app_language(tiny_bank, store):
    for lang, words, absent in (("ko", ("연습", "복습", "종료"), "Practice"), ("en", ("Practice", "Review", "Quit"), "key.")):
        app = build(tiny_bank, store, lang=lang)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            descriptions = {a.binding.description for a in app.screen.active_bindings.values()}
            assert set(words) <= descriptions, descriptions
            assert not any(d.startswith("key.") for d in descriptions)
            assert absent not in " ".join(descriptions)
            if lang == "ko":
                assert "연습" in screen_text(app)


def test_no_code_writes_textual_private_bindings():
    package = Path(__file__).resolve().parents[2] / "tutor"
    offenders = [str(p) for p in package.rglob("*.py") if "._bindings" in p.read_text(encoding="utf-8")]
    assert offenders == []
