"""Finding and reading the compiled catalogues: tutor/locale/<lang>/LC_MESSAGES/tutor.mo.

The build compiles each .po to a .mo (hatch_build.py). A source checkout may have a .po newer than its
.mo, or no .mo at all: then the .po is compiled in memory (tutor.i18n.po), so edits to a translation show
at the next start and the app never shows message ids. English is the source language: no catalogue.
"""

from __future__ import annotations

import functools
import gettext
import io
from pathlib import Path

DOMAIN = "tutor"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def catalogue_paths(lang: str, locale_dir: Path = LOCALE_DIR) -> tuple[Path, Path]:
    folder = locale_dir / lang / "LC_MESSAGES"
    return folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalogue of `lang` (English: none, the source text is shown)."""
    if lang == "en":
        return gettext.NullTranslations()
    return load(*catalogue_paths(lang))


def load(po: Path, mo: Path) -> gettext.NullTranslations:
    """The .mo when it is at least as new as the .po, else the .po compiled now; English if neither reads."""
    try:
        if mo.is_file() and (not po.is_file() or mo.stat().st_mtime_ns >= po.stat().st_mtime_ns):
            with mo.open("rb") as f:
                return gettext.GNUTranslations(f)
    except (OSError, ValueError):  # a damaged .mo: the .po below still speaks the language
        pass
    try:
        from tutor.i18n.po import compile_mo, parse

        data = compile_mo(parse(po.read_text(encoding="utf-8")))
        return gettext.GNUTranslations(io.BytesIO(data))
    except (OSError, ValueError):
        return gettext.NullTranslations()
