"""Keep the catalogues in step with the code: `python -m tutor.i18n.extract` (Babel, a dev dependency).

Extracts every marked message from tutor/ into tutor/locale/tutor.pot, then updates each
tutor/locale/<lang>/LC_MESSAGES/tutor.po from it (new messages empty, changed ones fuzzy, removed ones
kept as obsolete #~ entries). Translate the empty and fuzzy entries in the .po (Poedit or any editor),
remove their `fuzzy` flag, and the next build or start compiles them. `--check` writes nothing and exits
1 when the template or a catalogue is out of step with the code or has an untranslated message.

The keywords below are the whole contract between code and catalogue: `M(key, text)` and
`P(key, singular, plural, n=...)` in tutor/i18n/messages.py (the key is the msgctxt), and
`_(lang, text)`, `gettext(lang, text)`, `ngettext(lang, singular, plural, n)`, `N_(text)` anywhere.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

try:
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po, write_po
except ImportError:  # pragma: no cover - an install without the dev extras
    sys.exit("python -m tutor.i18n.extract needs Babel: pip install 'tutor[dev]' (or pip install babel)")

from tutor.i18n.catalog import DOMAIN, LOCALE_DIR

PACKAGE = LOCALE_DIR.parent
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
KEYWORDS = {
    "M": ((1, "c"), 2),
    "P": ((1, "c"), 2, 3),
    "_": (2,),
    "gettext": (2,),
    "ngettext": (2, 3),
    "N_": None,
}
WIDTH = 100


def template() -> Catalog:
    """A fresh template of every marked message in the tutor package (sorted, locations by file)."""
    catalog = Catalog(project="tutor", domain=DOMAIN, msgid_bugs_address="", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        PACKAGE, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",), strip_comment_tags=True,
        directory_filter=lambda d: Path(d).name not in {"__pycache__", "_data"},
    ):
        catalog.add(message, locations=[(f"tutor/{filename}", lineno)], auto_comments=comments, context=context)
    return catalog


def _keys(catalog: Catalog) -> set[tuple]:
    return {(m.context, m.id if isinstance(m.id, str) else tuple(m.id)) for m in catalog if m.id}


def _dump(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_po(buf, catalog, width=WIDTH, include_lineno=False)
    return buf.getvalue()


def catalogues() -> dict[str, Path]:
    return {p.parent.parent.name: p for p in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))}


def problems(lang: str, catalog: Catalog, pot: Catalog) -> list[str]:
    """What is wrong with a language's catalogue against the template: missing, extra, empty, fuzzy."""
    found = []
    missing = _keys(pot) - _keys(catalog)
    extra = _keys(catalog) - _keys(pot)
    found += [f"{lang}: not in the catalogue: {ctx or ''} {mid!r}" for ctx, mid in sorted(missing, key=str)]
    found += [f"{lang}: in the catalogue but not in the code: {ctx or ''} {mid!r}" for ctx, mid in sorted(extra, key=str)]
    for m in catalog:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, (list, tuple)) else [m.string]
        if not all(s and s.strip() for s in strings):
            found.append(f"{lang}: untranslated: {m.context or ''} {m.id!r}")
        if m.fuzzy:
            found.append(f"{lang}: fuzzy (check the translation, then remove the flag): {m.context or ''} {m.id!r}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tutor.i18n.extract", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when a catalogue is out of step")
    args = parser.parse_args(argv)
    pot = template()
    old_pot = read_po(TEMPLATE.open("rb")) if TEMPLATE.is_file() else Catalog()
    found = [] if _keys(old_pot) == _keys(pot) else [f"{TEMPLATE.name} is out of step with the code"]
    if not args.check and found:
        TEMPLATE.write_bytes(_dump(pot))
        found = []
    for lang, path in catalogues().items():
        with path.open("rb") as f:
            catalog = read_po(f, locale=lang)
        if not args.check:
            catalog.update(pot, update_creation_date=False)
            path.write_bytes(_dump(catalog))
        found += problems(lang, catalog, pot)
    for line in found:
        print(line, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
