"""The one place that decides where a confirmed URL's notice goes (DESIGN.md, "Routing").

Hosted in the hub's own country: the hosting provider's abuse contact. Hosted where a partner
hotline works: a referral to it. Anywhere else: the police / international contact. Each
route is a chain: when notices at one contact go unanswered, escalation moves to the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from .models import PartnerHotline, Recipient, Takedown


def _contact(kind: str, name: str, email: str, language: str) -> dict[str, str]:
    return {"kind": kind, "name": name, "email": email, "language": language}


@dataclass(frozen=True)
class Directory:
    """The contacts routing chooses from, read once: active partner hotlines by country, and
    the police / international contacts in order."""

    partners: dict[str, dict[str, str]]
    police: list[dict[str, str]]

    @classmethod
    def read(cls) -> Directory:
        partners = {p.country: _contact("partner", p.name, p.email, p.language)
                    for p in PartnerHotline.objects.filter(active=True)}
        return cls(partners=partners, police=police_chain())


def police_chain() -> list[dict[str, str]]:
    return [_contact("police", r.name, r.email, r.language) for r in Recipient.objects.all()]


def route_for(country: str, abuse_email: str, *, cdn: bool = False,
              directory: Directory | None = None) -> tuple[str, list[dict[str, str]]]:
    """(route, chain of contacts) for material hosted in country; an empty chain means that
    nobody can be told (the takedown then waits for staff). Behind a CDN (the trace's flag),
    the abuse contact found is the CDN's: the notice asks it to forward to the origin host,
    which it alone knows."""
    directory = directory or Directory.read()
    if country and country == settings.HUB_COUNTRY and abuse_email:
        host = _contact("cdn" if cdn else "host", "", abuse_email, settings.LANGUAGE_CODE)
        return Takedown.Route.NOTICE, [host, *directory.police]
    partner = directory.partners.get(country) if country else None
    if partner is not None:
        return Takedown.Route.REFERRAL, [partner, *directory.police]
    return Takedown.Route.POLICE, list(directory.police)


def countries_without_route(hosts: list[tuple[str, str]]) -> list[str]:
    """The countries of (country, abuse e-mail) hosts for which route_for finds nobody."""
    directory = Directory.read()
    return sorted({country for country, email in hosts
                   if not route_for(country, email, directory=directory)[1]})


def override_chain(route: str, email: str, name: str, language: str) -> list[dict[str, Any]]:
    """A staff decision replaces the computed chain (the police contacts stay as escalation)."""
    kind = {"notice": "host", "referral": "partner", "police": "police"}[route]
    return [_contact(kind, name, email, language), *police_chain()]
