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


def page_context(portal: Portal, lang: str, page: str, *, keep_query: str = "",
                 **extra: Any) -> dict[str, Any]:
    """The context of every public page; ``page`` is its URL name in the ``public`` namespace,
    and ``keep_query`` follows the links to other languages."""
    languages = [
        {"code": code, "name": language_name(code),
         "url": reverse(f"public:{page}", args=[portal.code, code]) + keep_query,
         "current": code == lang}
        for code in portal.languages
    ]
    return {"portal": portal, "lang": lang, "page": page, "languages": languages,
            "portal_name": portal.display_name(lang), **extra}
