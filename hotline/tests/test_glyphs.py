"""Every character a shipped language shows has a glyph in the fonts of a cheap Android phone.

Android phones carry Noto fonts; Debian packages the same families (fonts-noto-core, installed
by scripts/system-packages from `make test`). Debian Chromium finds a font for each character
through fontconfig, so a character that no Noto font covers is a missing glyph (a box) on the
page. Asking fontconfig covers every character of every catalog, where a rendered screenshot
would only check the strings on the pages it shows. What this does not check is shaping (Arabic
joining, Devanagari conjuncts): the browser tests' screenshots are for that.
"""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from functools import cache
from pathlib import Path

import polib
import pytest
import yaml

from hotline.lib.languages import SOURCE_LANGUAGE, languages
from hotline.testing.base import DEMO_NETWORK

NOTO = "/usr/share/fonts/truetype/noto/"
# Characters that take no glyph of their own: controls, format marks (RLM, ZWJ), spaces.
INVISIBLE = {"Cc", "Cf", "Zs", "Zl", "Zp"}


def parse_charset(text: str) -> set[int]:
    """fontconfig's charset: hexadecimal code points and ranges, e.g. ``20-7e a0 3a3-3e1``."""
    points: set[int] = set()
    for part in text.split():
        first, _, last = part.partition("-")
        points.update(range(int(first, 16), int(last or first, 16) + 1))
    return points


@cache
def noto_coverage() -> frozenset[int]:
    try:
        out = subprocess.run(["fc-list", "--format", "%{file}|%{charset}\n"], check=True,
                             capture_output=True, text=True).stdout
    except FileNotFoundError:
        pytest.fail("fc-list is missing: run `make test` (scripts/system-packages installs it)")
    covered: set[int] = set()
    for line in out.splitlines():
        file, _, charset = line.partition("|")
        if file.startswith(NOTO):
            covered |= parse_charset(charset)
    if not covered:
        pytest.fail(f"no Noto font under {NOTO}: run `make test` (it installs fonts-noto-core)")
    return frozenset(covered)


def shown_text(code: str) -> dict[str, str]:
    """What pages in this language show, by where it comes from: the catalog's translations,
    the language menu (every language's own name) and the demo network's texts."""
    texts = {f"{other}/language.yaml": language.name for other, language in languages().items()}
    if code != SOURCE_LANGUAGE:
        catalog = polib.pofile(str(languages()[code].catalog()))
        for entry in catalog.translated_entries():
            texts[entry.msgid] = entry.msgstr + "".join(entry.msgstr_plural.values())
    network = yaml.safe_load(DEMO_NETWORK.read_text(encoding="utf-8"))
    for portal in network["portals"]:
        for part in [portal.get("names", {}), portal.get("intro", {})] + [
                contact.get(field) or {} for contact in portal.get("help") or []
                for field in ("label", "text")]:
            if code in part:
                texts[f"{DEMO_NETWORK.name}: {portal['code']}"] = part[code]
    return texts


def missing_glyphs(code: str) -> list[str]:
    covered = noto_coverage()
    missing: dict[str, str] = {}
    for where, text in shown_text(code).items():
        for char in text:
            if unicodedata.category(char) not in INVISIBLE and ord(char) not in covered:
                missing.setdefault(char, where)
    return [f"U+{ord(char):04X} {unicodedata.name(char, '?')} {char!r} (in {where[:60]!r})"
            for char, where in sorted(missing.items())]


@pytest.mark.parametrize("code", list(languages()))
def test_every_character_has_a_glyph(code: str) -> None:
    missing = missing_glyphs(code)
    assert not missing, f"{code}: no Noto font has\n" + "\n".join(missing)


def test_the_check_sees_a_missing_glyph(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.modules[__name__], "shown_text",
                        lambda code: {"Send report": "Enviar\u200f denuncia \ue000"})
    assert missing_glyphs("es") == ["U+E000 ? '\\ue000' (in 'Send report')"]
    covered = noto_coverage()
    assert ord("ñ") in covered and ord("ع") in covered  # Latin and Arabic are there
    assert 0xE000 not in covered  # a private-use character no font should have
    assert parse_charset("20-22 41") == {0x20, 0x21, 0x22, 0x41}


def test_the_fonts_come_from_debians_noto_packages() -> None:
    assert Path(NOTO, "NotoSans-Regular.ttf").exists()
    assert Path(NOTO, "NotoNaskhArabic-Regular.ttf").exists()
