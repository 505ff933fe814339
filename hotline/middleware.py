"""Protections for the public side, applied before any other middleware or view runs.

For every public request it refuses oversize bodies before parsing, derives the rate-limit key
from the client address and then removes the address, user agent, referrer and cookies from
the request, so that no later code (views, error logging) can store or log them. On the way
out it sets the security headers and drops any cookie. Staff responses are marked as never
to be stored: they carry decrypted reporter text and case details.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from hotline.api.errors import MESSAGES
from hotline.api.errors import problem as api_problem
from hotline.errors import problem
from hotline.lib.ratelimit import client_address, client_key
from hotline.ops.metrics import address_allowed
from hotline.sides import is_ops, is_public

log = logging.getLogger(__name__)

CLIENT_DETAILS = (
    "REMOTE_ADDR", "REMOTE_HOST", "REMOTE_PORT", "HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP",
    "HTTP_FORWARDED", "HTTP_CLIENT_IP", "HTTP_TRUE_CLIENT_IP", "HTTP_CF_CONNECTING_IP",
    "HTTP_USER_AGENT", "HTTP_REFERER", "HTTP_COOKIE", "HTTP_SEC_CH_UA",
    "HTTP_SEC_CH_UA_PLATFORM", "HTTP_SEC_CH_UA_MOBILE",
)
FORWARDING_HEADERS = CLIENT_DETAILS[3:9]  # a proxy stands between: X-Forwarded-For ... CF
PUBLIC_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
STAFF_CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=(), browsing-topics=()"
)


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _as_json(response: HttpResponse) -> HttpResponse:
    """An API error rendered by Django (404, 405, 413, 503 ...) in the API's JSON shape."""
    status = response.status_code
    converted = api_problem(status, MESSAGES.get(status, response.reason_phrase + "."))
    for header in ("Allow", "Retry-After", "Connection"):
        if header in response:
            converted[header] = response[header]
    return converted


class PublicSideMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_public(request.path_info):
            response = self.get_response(request)
            # Every staff response, error pages and redirects included: a shared computer's
            # browser cache or a proxy must never keep decrypted reporter text.
            patch_cache_control(response, no_store=True, private=True)
            response.setdefault("Content-Security-Policy", STAFF_CSP)
            response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
            return response

        request.client_key = client_key(client_address(request.META))  # type: ignore[attr-defined]
        if is_ops(request.path_info):
            # /metrics answers only configured addresses: decided here, before the address goes.
            forwarded = any(h in request.META for h in FORWARDING_HEADERS)
            request.metrics_address_allowed = address_allowed(  # type: ignore[attr-defined]
                client_address(request.META), forwarded)
        for name in CLIENT_DETAILS:
            request.META.pop(name, None)
        refused = self._refuse_oversize(request)
        if refused is not None:
            response = refused
        else:
            response = self.get_response(request)
            if response.status_code == 405 and not response.content:
                response = self._explain_method_not_allowed(request, response)
        if _is_api(request) and response.status_code >= 400 and \
                not response.get("Content-Type", "").startswith("application/json"):
            response = _as_json(response)

        if response.cookies:
            log.error("dropped cookies %s on a public page", sorted(response.cookies))
            response.cookies.clear()
        # The API's browsable docs run the (locally served) Swagger UI script.
        response["Content-Security-Policy"] = STAFF_CSP if _is_api(request) else PUBLIC_CSP
        response["Permissions-Policy"] = PERMISSIONS_POLICY
        response["Referrer-Policy"] = "no-referrer"
        response["X-Content-Type-Options"] = "nosniff"
        response["Cross-Origin-Resource-Policy"] = "same-origin"
        response["X-Frame-Options"] = "DENY"
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """The database is down or overloaded: a clear 503, and the transaction rolled back."""
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        log.warning("database unavailable: %s", type(exception).__name__)
        response = problem(request, 503)
        response["Retry-After"] = "60"
        return response

    def _explain_method_not_allowed(self, request: HttpRequest,
                                    response: HttpResponse) -> HttpResponse:
        explained = problem(request, 405)
        explained["Allow"] = response["Allow"]
        return explained

    def _refuse_oversize(self, request: HttpRequest) -> HttpResponse | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return problem(request, 400)
        limit = settings.API_MAX_BODY_BYTES if _is_api(request) else \
            settings.PUBLIC_MAX_BODY_BYTES
        if length > limit:
            # The body is not read: close the connection rather than drain it.
            response = problem(request, 413)
            response["Connection"] = "close"
            return response
        return None
