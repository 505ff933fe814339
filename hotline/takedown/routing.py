"""The one place that decides where a confirmed URL's notice goes (DESIGN.md, "Routing").

Hosted in the hub's own country: the hosting provider's abuse contact. Hosted where a partner
hotline works: a referral to it. Anywhere else: the police / international contact. Each
route is a chain: when notices at one contact go unanswered, escalation moves to the next.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from .models import PartnerHotline, Recipient, Takedown


def _contact(kind: str, name: str, email: str, language: str) -> dict[str, str]:
    return {"kind": kind, "name": name, "email": email, "language": language}


def police_chain() -> list[dict[str, str]]:
    return [_contact("police", r.name, r.email, r.language) for r in Recipient.objects.all()]


def route_for(country: str, abuse_email: str, *, cdn: bool = False
              ) -> tuple[str, list[dict[str, str]]]:
    """(route, chain of contacts) for material hosted in country. Behind a CDN (the trace's
    flag), the abuse contact found is the CDN's: the notice asks it to forward to the origin
    host, which it alone knows."""
    police = police_chain()
    if country and country == settings.HUB_COUNTRY and abuse_email:
        host = _contact("cdn" if cdn else "host", "", abuse_email, settings.LANGUAGE_CODE)
        return Takedown.Route.NOTICE, [host, *police]
    partner = PartnerHotline.objects.filter(country=country, active=True).first() if country \
        else None
    if partner is not None:
        return Takedown.Route.REFERRAL, [
            _contact("partner", partner.name, partner.email, partner.language), *police]
    return Takedown.Route.POLICE, police


def override_chain(route: str, email: str, name: str, language: str) -> list[dict[str, Any]]:
    """A staff decision replaces the computed chain (the police contacts stay as escalation)."""
    kind = {"notice": "host", "referral": "partner", "police": "police"}[route]
    return [_contact(kind, name, email, language), *police_chain()]
