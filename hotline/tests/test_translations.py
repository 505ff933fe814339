"""Every shipped language has a complete catalog and the public pages use it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings

from hotline.lib.languages import SOURCE_LANGUAGE, STAFF_ONLY
from hotline.testing.base import PublicTestCase

LOCALE = Path(settings.LOCALE_PATHS[0])
# Every offered language (discovered from hotline/locale/*/language.yaml), English aside.
SHIPPED = [code for code, _ in settings.LANGUAGES if code != SOURCE_LANGUAGE]


def public_entries(msgattrib_output: str) -> list[str]:
    entries = msgattrib_output.split("\n\n")[1:]  # the first block is the header
    public = []
    for entry in entries:
        locations = [word for line in entry.splitlines() if line.startswith("#: ")
                     for word in line[3:].split()]
        if not locations or not all(loc.startswith(STAFF_ONLY) for loc in locations):
            public.append(entry)
    return public


@pytest.mark.parametrize("lang", SHIPPED)
def test_the_catalog_is_complete(lang: str) -> None:
    po = LOCALE / lang / "LC_MESSAGES" / "django.po"
    assert po.exists(), f"no catalog for {lang}"
    for flag in ("--untranslated", "--only-fuzzy"):
        out = subprocess.run(["msgattrib", flag, "--no-wrap", str(po)], capture_output=True,
                             text=True, check=True).stdout
        missing = public_entries(out)
        assert not missing, f"{lang}: {flag}\n" + "\n\n".join(missing)[:2000]
    subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)], check=True)
    assert (LOCALE / lang / "LC_MESSAGES" / "django.mo").exists(), "run `make translations`"


class TranslatedPagesTestCase(PublicTestCase):
    def test_pages_are_translated(self) -> None:
        english = self.client.get("/gm/en/").content.decode()
        for path in ["/sn/fr/", "/km/ar/"]:
            page = self.client.get(path).content.decode()
            for text in ["If a child is in immediate danger", "Leave this site quickly",
                         "What happens next", "Never send us images or videos"]:
                self.assertIn(text, english)
                self.assertNotIn(text, page, path)

    def test_form_errors_are_translated(self) -> None:
        r = self.submit("/km/ar/report/", urls="javascript:x")
        self.assertNotContains(r, "is not a web address", status_code=400)
        self.assertContains(r, "javascript:x", status_code=400)


def test_the_safety_critical_strings_named_in_the_docs_are_in_the_catalogs() -> None:
    """docs/translations.md tells a reviewer which strings to check first, quoting their
    msgids: a quote that no longer matches the code (a string reworded since) would send the
    reviewer looking for a sentence that is not there, and leave the new one unchecked."""
    doc = (Path(settings.BASE_DIR) / "docs" / "translations.md").read_text(encoding="utf-8")
    section = doc[doc.index("## Safety-critical strings"):doc.index("## Glossary")]
    quoted = [" ".join(q.split()) for q in re.findall(r'"([^"]+)"', section)]
    assert len(quoted) >= 15
    for lang in SHIPPED:
        po = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
        translated = {e.msgid for e in po if e.translated()}
        missing = [q for q in quoted if q not in translated]
        assert not missing, f"{lang}: not in the catalog (or untranslated): {missing}"
