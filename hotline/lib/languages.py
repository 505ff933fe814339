"""The languages the product offers: data, not code.

A language is offered when ``hotline/locale/<code>/language.yaml`` describes it and, except for
English (the source language of every string), a gettext catalog ``LC_MESSAGES/django.po``
sits beside it. Settings read ``discover()`` once at start-up; nothing else lists languages.
How to add or review a language: docs/translations.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import polib
import yaml

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
SOURCE_LANGUAGE = "en"
STATUSES = {
    "draft": "Draft: needs review by a native speaker",
    "reviewed": "Reviewed by a native speaker",
}
DIRECTIONS = {"ltr", "rtl"}
KEYS = {"name", "english_name", "direction", "script", "status", "reviewed_by"}
CODE_RE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")
# Strings only hub staff see (they may work in the hub's language) may wait for translation;
# every string a reporter can see must be translated. Locations are relative to hotline/.
STAFF_ONLY = ("accounts/", "audit/", "cases/", "workbench/", "members/", "ops/",
              "templates/includes/", "templates/layouts/staff.html", "templates/staff/",
              "lib/staffaccess.py")


class LanguageFileError(ValueError):
    """A language.yaml that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in the language itself, as the language menu shows it
    english_name: str
    direction: str
    script: str  # script family, e.g. Latin, Arabic, Devanagari
    status: str  # "draft" or "reviewed"
    reviewed_by: str = ""

    @property
    def bidi(self) -> bool:
        return self.direction == "rtl"

    @property
    def reviewed(self) -> bool:
        return self.status == "reviewed"

    @property
    def status_text(self) -> str:
        return STATUSES[self.status]

    def catalog(self, locale_dir: Path = LOCALE_DIR) -> Path:
        return locale_dir / self.code / "LC_MESSAGES" / "django.po"


@dataclass(frozen=True)
class Completeness:
    total: int
    translated: int
    public_total: int
    public_translated: int

    @property
    def complete(self) -> bool:
        """Every string a reporter can see is translated (none fuzzy)."""
        return self.public_translated == self.public_total

    @property
    def percent(self) -> int:
        return 100 if not self.total else (100 * self.translated) // self.total


def read_language(path: Path) -> Language:
    code = path.parent.name
    where = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise LanguageFileError(f"{where}: cannot be read ({e})") from None
    if not isinstance(data, dict):
        raise LanguageFileError(f"{where}: expected a mapping")
    problems = []
    if not CODE_RE.match(code):
        problems.append(f"the folder name {code!r} is not a language code like 'es' or 'pt-br'")
    unknown = sorted(set(data) - KEYS)
    if unknown:
        problems.append(f"unknown field(s) {', '.join(map(str, unknown))}")
    for key in ("name", "english_name", "script"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            problems.append(f"{key} is missing")
    if data.get("direction") not in DIRECTIONS:
        problems.append("direction must be ltr or rtl")
    if data.get("status") not in STATUSES:
        problems.append(f"status must be one of {', '.join(STATUSES)}")
    reviewed_by = data.get("reviewed_by") or ""
    if not isinstance(reviewed_by, str):
        problems.append("reviewed_by must be text")
    elif data.get("status") == "reviewed" and not reviewed_by.strip():
        problems.append("a reviewed catalog says who reviewed it (reviewed_by)")
    if problems:
        raise LanguageFileError(f"{where}: " + "; ".join(problems))
    return Language(code=code, name=data["name"].strip(), english_name=data["english_name"].strip(),
                    direction=data["direction"], script=data["script"].strip(),
                    status=data["status"], reviewed_by=reviewed_by.strip())


def discover(locale_dir: Path = LOCALE_DIR) -> list[Language]:
    """Every offered language: the source language first, then by code."""
    found = []
    for path in sorted(locale_dir.glob("*/language.yaml")):
        language = read_language(path)
        if language.code == SOURCE_LANGUAGE or language.catalog(locale_dir).exists():
            found.append(language)
    if not any(language.code == SOURCE_LANGUAGE for language in found):
        raise LanguageFileError(f"{locale_dir}: no {SOURCE_LANGUAGE}/language.yaml")
    return sorted(found, key=lambda language: (language.code != SOURCE_LANGUAGE, language.code))


@cache
def languages() -> dict[str, Language]:
    return {language.code: language for language in discover()}


def is_staff_only(locations: list[str]) -> bool:
    return bool(locations) and all(loc.startswith(STAFF_ONLY) for loc in locations)


def completeness(language: Language, locale_dir: Path = LOCALE_DIR) -> Completeness:
    """How much of the catalog is translated; fuzzy entries count as untranslated."""
    if language.code == SOURCE_LANGUAGE:
        return Completeness(0, 0, 0, 0)
    path = language.catalog(locale_dir)
    try:
        info = path.stat()
    except OSError:
        return Completeness(1, 0, 1, 0)  # a missing catalog is not a complete one
    return _count(str(path), info.st_mtime_ns, info.st_size)


@lru_cache(maxsize=64)
def _count(path: str, _mtime_ns: int, _size: int) -> Completeness:
    try:
        catalog = polib.pofile(path)
    except (OSError, ValueError):
        return Completeness(1, 0, 1, 0)  # an unreadable catalog is not a complete one
    total = translated = public_total = public_translated = 0
    for entry in catalog:
        if entry.obsolete:
            continue
        done = entry.translated() and "fuzzy" not in entry.flags
        total += 1
        translated += done
        if not is_staff_only([file for file, _line in entry.occurrences]):
            public_total += 1
            public_translated += done
    return Completeness(total, translated, public_total, public_translated)
