"""API keys of member organisations: ``X-API-Key: hk_…`` or ``Authorization: Bearer hk_…``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyHeader, HttpBearer

from hotline.lists.models import ApiKey


def _member_for(request: HttpRequest, presented: str | None) -> Any:
    if not presented:
        return None
    key = ApiKey.find(presented)
    if key is None:
        return None
    ApiKey.objects.filter(pk=key.pk).update(last_used=timezone.now())
    request.api_key = key  # type: ignore[attr-defined]
    return key.member


class MemberKeyHeader(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return _member_for(request, key)


class MemberBearer(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return _member_for(request, token)


MEMBER_AUTH = [MemberKeyHeader(), MemberBearer()]
