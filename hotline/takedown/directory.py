"""The takedown directory (partner hotlines, police and international contacts) from a
reviewed YAML or JSON file, as the portal network comes from one (portals/importer.py).

The whole file is checked before anything is written, and written in one transaction: a file
with one mistake changes nothing. Partner hotlines are matched by country and police contacts
by address; entries not in the file are left as they are (administrators edit the directory in
the admin too). ``if_empty`` loads the file only into an empty directory, so that `make run`
gives a fresh machine the demo directory without ever overwriting one a hub has set up.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction

from .models import PartnerHotline, Recipient

PARTNER_KEYS = {"country", "name", "email", "language", "active", "demo"}
POLICE_KEYS = {"name", "email", "language", "demo"}


class DirectoryError(Exception):
    """The file cannot be imported; the message lists every problem found."""


@dataclass
class DirectoryResult:
    partners: list[str] = field(default_factory=list)
    police: list[str] = field(default_factory=list)
    skipped: bool = False  # if_empty, and the directory had entries


def load_file(path: Path) -> dict[str, list[Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise DirectoryError(f"{path}: cannot be read ({e})") from None
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as e:
        raise DirectoryError(f"{path}: not valid {path.suffix.lstrip('.').upper()}: {e}") \
            from None
    if not isinstance(data, dict) or not all(
            isinstance(data.get(key, []), list) for key in ("partner_hotlines", "police")):
        raise DirectoryError(f"{path}: expected a mapping with lists under 'partner_hotlines' "
                             f"and 'police'")
    return {"partner_hotlines": data.get("partner_hotlines") or [],
            "police": data.get("police") or []}


def _check(where: str, item: Any, allowed: set[str], obj: models.Model,
           errors: list[str]) -> None:
    unknown = sorted(set(item) - allowed)
    if unknown:
        errors.append(f"{where}: unknown field(s) {', '.join(unknown)}")
    language = item.get("language", "en")
    if language not in dict(settings.LANGUAGES):
        errors.append(f"{where}: language {language} is not one of "
                      f"{', '.join(dict(settings.LANGUAGES))}")
    try:
        obj.full_clean(validate_unique=False)
    except ValidationError as e:
        for name, messages in e.message_dict.items():
            errors.extend(f"{where}.{name}: {m}" for m in messages)


def _partner(i: int, item: Any, seen: set[str], errors: list[str]) -> PartnerHotline | None:
    where = f"partner_hotlines[{i}]"
    if not isinstance(item, dict):
        errors.append(f"{where}: expected a mapping")
        return None
    country = str(item.get("country", "")).upper()
    if len(country) != 2 or not country.isalpha():
        errors.append(f"{where}: country must be a two-letter code (ISO 3166-1), not "
                      f"{item.get('country')!r}")
    elif country in seen:
        errors.append(f"{where}: country {country} is listed twice")
    seen.add(country)
    partner = PartnerHotline.objects.filter(country=country).first() or PartnerHotline()
    partner.country, partner.name = country, str(item.get("name", ""))
    partner.email, partner.language = str(item.get("email", "")), item.get("language", "en")
    partner.active, partner.demo = bool(item.get("active", True)), bool(item.get("demo", False))
    _check(where, item, PARTNER_KEYS, partner, errors)
    return partner


def _police(i: int, item: Any, seen: set[str], errors: list[str]) -> Recipient | None:
    where = f"police[{i}]"
    if not isinstance(item, dict):
        errors.append(f"{where}: expected a mapping")
        return None
    email = str(item.get("email", ""))
    if email.lower() in seen:
        errors.append(f"{where}: address {email} is listed twice")
    seen.add(email.lower())
    contact = Recipient.objects.filter(email__iexact=email).first() or Recipient()
    contact.name, contact.email = str(item.get("name", "")), email
    contact.language, contact.position = item.get("language", "en"), i
    contact.demo = bool(item.get("demo", False))
    _check(where, item, POLICE_KEYS, contact, errors)
    return contact


def directory_import(*, data: dict[str, list[Any]], dry_run: bool = False,
                     if_empty: bool = False) -> DirectoryResult:
    """Create or update the directory's entries from data (load_file), all or nothing."""
    errors: list[str] = []
    countries: set[str] = set()
    addresses: set[str] = set()
    partners = [_partner(i, item, countries, errors)
                for i, item in enumerate(data["partner_hotlines"])]
    police = [_police(i, item, addresses, errors) for i, item in enumerate(data["police"])]
    if errors:
        raise DirectoryError("\n".join(errors))
    result = DirectoryResult()
    with transaction.atomic():
        if if_empty and (PartnerHotline.objects.exists() or Recipient.objects.exists()):
            result.skipped = True
            return result
        for partner in filter(None, partners):
            partner.save()
            result.partners.append(partner.country)
        for contact in filter(None, police):
            contact.save()
            result.police.append(contact.email)
        if dry_run:
            transaction.set_rollback(True)
    return result
