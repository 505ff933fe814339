"""Import of portals from a reviewed YAML or JSON file: launching a country is one file.

The whole file is checked before anything is written, and written in one transaction: a file
with one mistake changes nothing. Portals are matched by code; their partners and help
contacts are replaced by those in the file.

A portal language needs a catalog complete for reporters, reviewed by a native speaker
(hotline/locale/<code>/language.yaml says so); a draft catalog only when the reviewed file
itself says ``allow_draft_translations: true``, so that a person decided.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from hotline.lib.languages import SOURCE_LANGUAGE, completeness, languages

from .models import HelpContact, Partner, Portal

PORTAL_KEYS = {"code", "name", "names", "country", "languages", "intro", "reassurance",
               "enabled", "demo",
               "hostnames", "onion_address", "partners", "help"}
PARTNER_KEYS = {"name", "url"}
HELP_KEYS = {"kind", "label", "phone", "url", "text"}
FILE_KEYS = {"portals", "allow_draft_translations"}


class ImportError_(Exception):
    """The file cannot be imported; the message lists every problem found."""


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)




def _stored_fields(model: Any, *, besides: set[str]) -> list[str]:
    """Every field the file sets, read from the model so that none can be left out of the
    comparison (a field missing here would be reported "unchanged" and never written)."""
    return [f.name for f in model._meta.concrete_fields if f.name not in besides]


PORTAL_FIELDS = _stored_fields(Portal, besides={"id", "created", "updated"})
# A partner's logo is uploaded in the admin, never set by the file: kept across imports.
LOGO_FIELDS = ["logo", "logo_width", "logo_height"]
PARTNER_FIELDS = _stored_fields(Partner, besides={"id", "portal", *LOGO_FIELDS})
HELP_FIELDS = _stored_fields(HelpContact, besides={"id", "portal"})


def _values(obj: Any, fields: list[str]) -> tuple[Any, ...]:
    return tuple(getattr(obj, name) for name in fields)


def _same(portal: Portal, partners: list[Partner], contacts: list[HelpContact]) -> bool:
    """True when the file says exactly what the database holds for this portal."""
    stored = Portal.objects.get(pk=portal.pk)
    return (_values(stored, PORTAL_FIELDS) == _values(portal, PORTAL_FIELDS)
            and [_values(p, PARTNER_FIELDS) for p in stored.partners.all()]
            == [_values(p, PARTNER_FIELDS) for p in partners]
            and [_values(c, HELP_FIELDS) for c in stored.help_contacts.all()]
            == [_values(c, HELP_FIELDS) for c in contacts])


@dataclass
class PortalFile:
    portals: list[dict[str, Any]]
    allow_draft_translations: bool = False


def load_file(path: Path) -> PortalFile:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ImportError_(f"{path}: cannot be read ({e})") from None
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as e:
        raise ImportError_(f"{path}: not valid {path.suffix.lstrip('.').upper()}: {e}") from None
    if not isinstance(data, dict) or not isinstance(data.get("portals"), list):
        raise ImportError_(f"{path}: expected a mapping with a list under 'portals'")
    unknown = sorted(map(str, set(data) - FILE_KEYS))
    if unknown:
        raise ImportError_(f"{path}: unknown field(s) {', '.join(unknown)}")
    allow = data.get("allow_draft_translations", False)
    if not isinstance(allow, bool):
        raise ImportError_(f"{path}: allow_draft_translations must be true or false")
    return PortalFile(portals=data["portals"], allow_draft_translations=allow)


def _check_languages(portal: Portal, where: str, errors: list[str], allow_drafts: bool) -> None:
    offered = languages()
    for code in portal.languages if isinstance(portal.languages, list) else []:
        language = offered.get(code)
        if language is None or code == SOURCE_LANGUAGE:
            continue  # an unknown language is reported by the model's validation
        done = completeness(language)
        if not done.complete:
            errors.append(f"{where}.languages: the {code} catalog is not complete "
                          f"({done.public_total - done.public_translated} public string(s) "
                          f"untranslated): translate them, then `make translations`")
        elif not language.reviewed and not allow_drafts:
            errors.append(f"{where}.languages: the {code} catalog is a draft, not reviewed by a "
                          f"native speaker (hotline/locale/{code}/language.yaml); have it "
                          f"reviewed, or put allow_draft_translations: true in the file")


def _check_keys(where: str, item: Any, allowed: set[str], errors: list[str]) -> bool:
    if not isinstance(item, dict):
        errors.append(f"{where}: expected a mapping")
        return False
    unknown = sorted(set(item) - allowed)
    if unknown:
        errors.append(f"{where}: unknown field(s) {', '.join(unknown)}")
    return True


def _validate(obj: Any, where: str, errors: list[str], exclude: list[str]) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as e:
        for name, messages in e.message_dict.items():
            errors.extend(f"{where}.{name}: {m}" for m in messages)


def _build(entry: dict[str, Any], where: str, errors: list[str]) -> tuple[Portal, list[Partner],
                                                                          list[HelpContact]]:
    portal = Portal.objects.filter(code=entry.get("code")).first() or Portal()
    portal.code = entry.get("code", "")
    portal.name = entry.get("name", "")
    portal.names = entry.get("names", {})
    portal.country = str(entry.get("country", "")).upper()
    portal.languages = entry.get("languages", [])
    portal.intro = entry.get("intro", {})
    portal.reassurance = entry.get("reassurance", {})
    portal.enabled = bool(entry.get("enabled", True))
    portal.is_demo = bool(entry.get("demo", False))
    portal.hostnames = entry.get("hostnames", [])
    portal.onion_address = entry.get("onion_address", "") or ""
    _validate(portal, where, errors, exclude=["created", "updated"])
    partners = []
    for i, item in enumerate(entry.get("partners") or []):
        if _check_keys(f"{where}.partners[{i}]", item, PARTNER_KEYS, errors):
            partner = Partner(name=item.get("name", ""), url=item.get("url", ""), position=i)
            _validate(partner, f"{where}.partners[{i}]", errors, exclude=["portal"])
            partners.append(partner)
    contacts = []
    for i, item in enumerate(entry.get("help") or []):
        if _check_keys(f"{where}.help[{i}]", item, HELP_KEYS, errors):
            contact = HelpContact(kind=item.get("kind", ""), label=item.get("label", {}),
                                  phone=str(item.get("phone", "")), url=item.get("url", ""),
                                  text=item.get("text", {}), position=i)
            _validate(contact, f"{where}.help[{i}]", errors, exclude=["portal"])
            contacts.append(contact)
    return portal, partners, contacts


def import_portals(entries: list[dict[str, Any]], *, dry_run: bool = False,
                   allow_draft_translations: bool = False) -> ImportResult:
    errors: list[str] = []
    built = []
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        where = f"portals[{i}]"
        if not _check_keys(where, entry, PORTAL_KEYS, errors):
            continue
        where = f"portals[{i}] ({entry.get('code', '?')})"
        if entry.get("code") in seen:
            errors.append(f"{where}: code listed twice")
        seen.add(entry.get("code", ""))
        built.append(_build(entry, where, errors))
        _check_languages(built[-1][0], where, errors, allow_draft_translations)
    if errors:
        raise ImportError_("\n".join(errors))
    result = ImportResult()
    with transaction.atomic():
        for portal, partners, contacts in built:
            if portal.pk and _same(portal, partners, contacts):
                result.unchanged.append(portal.code)  # nothing written, `updated` kept
                continue
            (result.updated if portal.pk else result.created).append(portal.code)
            portal.save()
            logos = {(p.name, p.url): _values(p, LOGO_FIELDS) for p in portal.partners.all()}
            for partner in partners:  # the same partner (name and address) keeps its logo
                for name, value in zip(LOGO_FIELDS, logos.get((partner.name, partner.url), ()),
                                       strict=False):
                    setattr(partner, name, value)
            portal.partners.all().delete()
            portal.help_contacts.all().delete()
            for partner in partners:
                partner.portal = portal
                partner.save()
            for contact in contacts:
                contact.portal = portal
                contact.save()
        if dry_run:
            transaction.set_rollback(True)
    return result
