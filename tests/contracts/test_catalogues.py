"""The gettext catalogues: in step with the code, every message in Korean with its format fields, plural
forms where counts appear, the glossary's words only, and a .po that reads the same compiled by Babel or
by tutor (the build hook and a source checkout without a .mo)."""

from __future__ import annotations

import gettext
import io
import re
import string

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tutor import paths
from tutor.i18n import catalog, extract, t
from tutor.i18n.messages import MESSAGES
from tutor.i18n.po import compile_mo, parse

KO_PO = catalog.catalogue_paths("ko")[0]


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.fixture(scope="module")
def pot():
    return extract.template()


@pytest.fixture(scope="module")
def ko():
    with KO_PO.open("rb") as f:
        return read_po(f, locale="ko")


def test_the_template_and_the_korean_catalogue_are_in_step_with_the_code(pot, ko):
    with extract.TEMPLATE.open("rb") as f:
        committed = read_po(f)
    assert extract._keys(committed) == extract._keys(pot), "run `python -m tutor.i18n.extract`"
    assert extract.problems("ko", ko, pot) == []


def test_every_message_has_korean_with_the_same_format_fields(pot, ko):
    assert len(pot) > 200
    for message in pot:
        if not message.id:
            continue
        found = ko.get(message.id, context=message.context)
        assert found is not None and not found.fuzzy, (message.context, message.id)
        english = [message.id] if isinstance(message.id, str) else list(message.id)
        korean = [found.string] if isinstance(found.string, str) else list(found.string)
        assert all(s.strip() for s in korean), f"no Korean for {message.context} {message.id!r}"
        wanted = set().union(*map(_fields, english))
        for s in korean:
            assert _fields(s) <= wanted and (_fields(s) or not wanted), (message.context, s)


def test_each_key_is_defined_once():
    source = (catalog.LOCALE_DIR.parent / "i18n" / "messages.py").read_text(encoding="utf-8")
    assert len(re.findall(r'^\s+[MP]\("', source, re.M)) == len(MESSAGES)


def test_no_app_string_uses_a_variant_the_glossary_avoids(ko):
    from tutor.bank import load_bank
    from tutor.bank.lint import glossary_findings
    from tutor.i18n.glossary import concepts

    glossary = load_bank([paths.questions_dir()], labs={}).glossary
    korean = [s for m in ko if m.id for s in ([m.string] if isinstance(m.string, str) else m.string)]
    assert not list(glossary_findings(korean, glossary))
    assert not list(glossary_findings(concepts().values(), glossary))
    assert "에폭" not in "".join(korean)
    # a word right for another term (정규화, normalisation) where the English names this one (regularisation)
    from tutor.bank.textrules import mistranslation_findings

    pairs = [(m.id if isinstance(m.id, str) else m.id[0], m.string if isinstance(m.string, str) else m.string[0])
             for m in ko if m.id]
    assert not list(mistranslation_findings(pairs, glossary))


def test_every_concept_tag_of_the_shipped_bank_reads_in_korean():
    from tutor.bank import load_bank
    from tutor.i18n import concept

    bank = load_bank([paths.questions_dir()], labs={})
    tags = {tag for q in bank.questions.values() for tag in q.concepts}
    missing = sorted(tag for tag in tags if concept("ko", tag) == tag)
    assert not missing, f"concept tags without Korean in questions/glossary.yaml: {missing}"
    assert concept("en", "fine-tuning") == "fine-tuning" and concept("ko", "no-such-tag") == "no-such-tag"


def test_counts_choose_plural_forms():
    assert t("en", "home.problems", files=1).startswith("1 file had problems")
    assert t("en", "home.problems", files=3).startswith("3 files had problems")
    assert t("ko", "home.problems", files=1).startswith("파일 1개")
    assert t("ko", "home.problems", files=3).startswith("파일 3개")
    assert t("en", "dur.days", n=1) == "1 day" and t("en", "dur.days", n=4) == "4 days"


def test_unknown_keys_and_languages_show_something():
    assert t("xx", "key.quit") == "Quit"
    assert t("ko", "no.such.key") == "no.such.key"


def _lookups(translations: gettext.NullTranslations, pot) -> list[str]:
    out = []
    for m in pot:
        if not m.id:
            continue
        if isinstance(m.id, str):
            out.append(translations.pgettext(m.context, m.id) if m.context else translations.gettext(m.id))
        else:
            out += [translations.npgettext(m.context, *m.id, n) if m.context else translations.ngettext(*m.id, n) for n in (1, 2)]
    return out


def test_tutor_compiles_the_po_as_babel_does(pot, ko):
    buf = io.BytesIO()
    write_mo(buf, ko)
    babel = gettext.GNUTranslations(io.BytesIO(buf.getvalue()))
    ours = gettext.GNUTranslations(io.BytesIO(compile_mo(parse(KO_PO.read_text(encoding="utf-8")))))
    assert _lookups(ours, pot) == _lookups(babel, pot)
    assert ours.info()["plural-forms"] == "nplurals=1; plural=0;"


def test_the_po_reader_skips_fuzzy_obsolete_and_empty_entries():
    text = (
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#, fuzzy\nmsgid "a"\nmsgstr "A?"\n\n'
        'msgctxt "k"\nmsgid "b"\nmsgstr ""\n"B \\"quoted\\"\\n"\n\n'
        'msgid "c"\nmsgstr ""\n\n'
        '#~ msgid "d"\n#~ msgstr "D"\n'
    )
    tr = gettext.GNUTranslations(io.BytesIO(compile_mo(parse(text))))
    assert tr.gettext("a") == "a" and tr.gettext("c") == "c" and tr.gettext("d") == "d"
    assert tr.pgettext("k", "b") == 'B "quoted"\n'


def test_a_source_checkout_reads_the_po_when_the_mo_is_missing_stale_or_damaged(tmp_path):
    po, mo = tmp_path / "tutor.po", tmp_path / "tutor.mo"
    po.write_bytes(KO_PO.read_bytes())
    assert catalog.load(po, mo).pgettext("key.quit", "Quit") == "종료"  # no .mo
    mo.write_bytes(b"not a catalogue")
    assert catalog.load(po, mo).pgettext("key.quit", "Quit") == "종료"  # damaged .mo
    mo.write_bytes(compile_mo(parse('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n')))
    import os

    os.utime(mo, ns=(po.stat().st_mtime_ns - 10**9,) * 2)
    assert catalog.load(po, mo).pgettext("key.quit", "Quit") == "종료"  # .mo older than the .po
    assert catalog.load(tmp_path / "none.po", tmp_path / "none.mo").gettext("x") == "x"  # nothing: English
