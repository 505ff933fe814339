"""Languages are data: a language.yaml (and a catalog) per language, read by the settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from hotline.lib.languages import (
    LanguageFileError,
    completeness,
    discover,
    languages,
    read_language,
)

META = """name: {name}
english_name: {english}
direction: {direction}
script: Latin
status: draft
reviewed_by: ""
"""
PO = '''msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

#: public/views.py
msgid "Report"
msgstr "{report}"

#: public/views.py
#, fuzzy
msgid "Send report"
msgstr "Guessed"

#: workbench/views.py
msgid "Queue"
msgstr ""
'''


def write(root: Path, code: str, meta: str | None = None, po: str | None = None) -> None:
    (root / code / "LC_MESSAGES").mkdir(parents=True)
    if meta is not None:
        (root / code / "language.yaml").write_text(meta, encoding="utf-8")
    if po is not None:
        (root / code / "LC_MESSAGES" / "django.po").write_text(po, encoding="utf-8")


def test_the_settings_offer_the_shipped_languages() -> None:
    assert settings.LANGUAGES[0][0] == "en"
    assert {"en", "fr", "ar", "pt", "sw", "es"} <= set(dict(settings.LANGUAGES))
    assert settings.LANGUAGES_BIDI == [code for code, lang in languages().items() if lang.bidi]
    assert "ar" in settings.LANGUAGES_BIDI and "es" not in settings.LANGUAGES_BIDI
    assert languages()["es"].name == "Español" and not languages()["es"].reviewed


def test_a_language_needs_its_metadata_and_a_catalog(tmp_path: Path) -> None:
    write(tmp_path, "en", META.format(name="English", english="English", direction="ltr"))
    write(tmp_path, "xx", META.format(name="Xx", english="Xx", direction="rtl"),
          PO.format(report="R"))
    write(tmp_path, "yy", META.format(name="Yy", english="Yy", direction="ltr"))  # no catalog
    write(tmp_path, "zz", po=PO.format(report="R"))  # no metadata
    found = discover(tmp_path)
    assert [language.code for language in found] == ["en", "xx"]
    assert found[1].bidi and found[1].status_text.startswith("Draft")


@pytest.mark.parametrize(("meta", "problem"), [
    ("name: X\n", "english_name is missing"),
    (META.format(name="X", english="X", direction="up"), "direction must be ltr or rtl"),
    (META.format(name="X", english="X", direction="ltr").replace("draft", "done"), "status"),
    (META.format(name="X", english="X", direction="ltr").replace("draft", "reviewed"),
     "reviewed_by"),
    (META.format(name="X", english="X", direction="ltr") + "colour: red\n", "colour"),
    ("- a list\n", "expected a mapping"),
    ("name: [unclosed\n", "cannot be read"),
])
def test_a_broken_language_file_says_what_is_wrong(tmp_path: Path, meta: str, problem: str) -> None:
    write(tmp_path, "xx", meta)
    with pytest.raises(LanguageFileError, match=problem) as caught:
        read_language(tmp_path / "xx" / "language.yaml")
    assert "xx/language.yaml" in str(caught.value)


def test_completeness_counts_fuzzy_as_untranslated_and_sets_staff_strings_apart(
        tmp_path: Path) -> None:
    write(tmp_path, "xx", META.format(name="Xx", english="Xx", direction="ltr"),
          PO.format(report="Denuncia"))
    done = completeness(read_language(tmp_path / "xx" / "language.yaml"), tmp_path)
    assert (done.total, done.translated, done.public_total, done.public_translated) == (3, 1, 2, 1)
    assert not done.complete and done.percent == 33


def test_every_shipped_catalog_is_complete_for_reporters() -> None:
    for code, language in languages().items():
        assert completeness(language).complete, code
