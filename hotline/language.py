"""The language of the staff side: each staff member's own choice (``User.language``), else the
hub's (settings.LANGUAGE_CODE). The public side takes its language from the address only
(portals/pages.py), so this never runs there."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from hotline.sides import is_public


class StaffLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_public(request.path_info):
            return self.get_response(request)
        chosen = getattr(request.user, "language", "") or settings.LANGUAGE_CODE
        if chosen not in dict(settings.LANGUAGES):
            chosen = settings.LANGUAGE_CODE  # a language since removed from the product
        # override() restores the language afterwards: a thread serves other requests next.
        with translation.override(chosen):
            request.LANGUAGE_CODE = chosen  # type: ignore[attr-defined]
            response = self.get_response(request)
        response.setdefault("Content-Language", chosen)
        return response
