"""API keys of member organisations: ``X-API-Key: hk_…`` or ``Authorization: Bearer hk_…``.

Each router names what its operations need (``lists``, ``submit``, ``export``); a valid key of a
member without that permission is a 403, a missing or unknown key a 401. Requests are limited
per key (``API_RATE_LIMIT``, Django Ninja's throttling, counted in the shared cache).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyHeader, HttpBearer
from ninja.throttling import SimpleRateThrottle

from hotline.members.models import ApiKey

from .errors import ApiError

PERMISSIONS = {
    "lists": ("may_download_lists", "This key may not download the lists."),
    "submit": ("may_submit", "This key may not submit reports."),
    "export": (None, ""),  # every member: its own cases; may_export widens it (see reports)
}


def _member_for(request: HttpRequest, presented: str | None, need: str) -> Any:
    if not presented:
        return None
    key = ApiKey.find(presented)
    if key is None:
        return None
    flag, refusal = PERMISSIONS[need]
    if flag is not None and not getattr(key.member, flag):
        raise ApiError(403, refusal)
    ApiKey.objects.filter(pk=key.pk).update(last_used=timezone.now())
    request.api_key = key  # type: ignore[attr-defined]
    return key.member


class MemberKeyHeader(APIKeyHeader):
    param_name = "X-API-Key"

    def __init__(self, need: str) -> None:
        super().__init__()
        self.need = need

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return _member_for(request, key, self.need)


class MemberBearer(HttpBearer):
    def __init__(self, need: str) -> None:
        super().__init__()
        self.need = need

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return _member_for(request, token, self.need)


def member_auth(need: str) -> list[Any]:
    return [MemberKeyHeader(need), MemberBearer(need)]


class KeyRateThrottle(SimpleRateThrottle):
    """At most API_RATE_LIMIT requests per API key (e.g. ``120/m``)."""

    scope = "api-key"

    def get_rate(self) -> str:
        return str(settings.API_RATE_LIMIT)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        key = getattr(request, "api_key", None)
        if key is None:
            return None  # not authenticated: answered 401 before this runs
        return self.cache_format % {"scope": self.scope, "ident": key.pk}

    def allow_request(self, request: HttpRequest) -> bool:
        # Read the rate at each request, so that a changed setting applies without a restart.
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return bool(super().allow_request(request))
