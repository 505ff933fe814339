"""The frame of every public page of a portal: the portal and language come from the URL, the
page renders in that language, and it links to the same page in the portal's other languages.

Used by the public pages (hotline.public) and the public figures (hotline.stats).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation

from .models import Portal, language_name, supported_languages

PublicView = Callable[..., HttpResponse]


def get_portal(code: str, lang: str) -> Portal:
    """The enabled portal with this code, if it offers this language; else 404."""
    portal = Portal.objects.filter(code=code, enabled=True).first()
    if portal is None or lang not in portal.languages or lang not in supported_languages():
        raise Http404
    return portal


def portal_page(view: PublicView) -> PublicView:
    """Resolve the portal and language from the URL and render in that language."""

    @wraps(view)
    def wrapper(request: HttpRequest, code: str, lang: str) -> HttpResponse:
        portal = get_portal(code, lang)
        with translation.override(lang):
            response = view(request, portal, lang)
        if portal.onion_address:
            response["Onion-Location"] = f"http://{portal.onion_address}{request.get_full_path()}"
        response["Content-Language"] = lang
        return response

    return wrapper


def help_entries(portal: Portal, lang: str) -> list[dict[str, str]]:
    """The portal's help contacts in lang, for the emergency box (public/danger.html)."""
    return [{"label": c.label_in(lang), "phone": c.phone, "tel": c.tel, "url": c.url,
             "text": c.text_in(lang), "kind": c.kind} for c in portal.help_contacts.all()]


def page_context(portal: Portal, lang: str, page: str, *, keep_query: str = "",
                 **extra: Any) -> dict[str, Any]:
    """The context of every public page; ``page`` is its URL name in the ``public`` namespace,
    and ``keep_query`` follows the links to other languages.

    Every page of a portal says who runs it (the hub and the portal's partners, at the top)
    and has the portal's emergency numbers at hand for the emergency box."""
    languages = [
        {"code": code, "name": language_name(code),
         "url": reverse(f"public:{page}", args=[portal.code, code]) + keep_query,
         "current": code == lang}
        for code in portal.languages
    ]
    partners = list(portal.partners.defer("logo"))
    return {"portal": portal, "lang": lang, "page": page, "languages": languages,
            "portal_name": portal.display_name(lang), "partners": partners,
            "partner_names": ", ".join(p.name for p in partners),
            "help_entries": help_entries(portal, lang),
            "reassurance": portal.reassurance_text(lang), **extra}
