"""Every API error is JSON of one shape: ``{"message": ..., "field": ..., "errors": [...]}``.

``field`` is the dotted path of the first offending input (``reports.0.urls.1``, ``since``) or
null when the error is not about one field; ``errors`` lists every problem found, so a client
can fix a whole batch in one go.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

log = logging.getLogger(__name__)

# The message of each status that is not about one field, wherever it is answered (here, or by
# the public-side middleware for errors Django renders before the API is reached).
MESSAGES = {400: "Bad request.", 404: "Not found.", 405: "Method not allowed.",
            413: "The request body is too large.",
            503: "The service is briefly unavailable; nothing was stored. Retry later."}

# Path parts Django Ninja adds in front of the field names of a request.
_WRAPPERS = {"body", "query", "path", "header", "payload", "form", "cookie"}


class ProblemOut(Schema):
    message: str
    field: str | None
    errors: list[dict[str, str | None]]


# The error answers every operation may give, for the schema (and schemathesis).
ERRORS: dict[int, Any] = {code: ProblemOut for code in (400, 401, 403, 404, 413, 422, 429, 503)}


class ApiError(Exception):
    """An error answered as JSON with a status, a message and optionally a field."""

    def __init__(self, status: int, message: str, field: str | None = None,
                 errors: list[tuple[str | None, str]] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.field = status, message, field
        self.errors = errors if errors is not None else [(field, message)]
        self.headers = headers or {}


def problem(status: int, message: str, field: str | None = None,
            errors: list[tuple[str | None, str]] | None = None) -> JsonResponse:
    listed = errors if errors is not None else [(field, message)]
    return JsonResponse({"message": message, "field": field,
                         "errors": [{"field": f, "message": m} for f, m in listed]},
                        status=status)


def _field(loc: Any) -> str | None:
    parts = [str(p) for p in (loc or []) if str(p) not in _WRAPPERS]
    return ".".join(parts) or None


def _validation(request: HttpRequest, exc: Any) -> HttpResponse:
    errors = [(_field(e.get("loc")), str(e.get("msg", "Invalid value."))) for e in exc.errors]
    field, message = errors[0] if errors else (None, "Invalid request.")
    return problem(422, f"{field}: {message}" if field else message, field, errors)


def _api_error(request: HttpRequest, exc: Any) -> HttpResponse:
    response = problem(exc.status, exc.message, exc.field, exc.errors)
    for name, value in exc.headers.items():
        response[name] = value
    return response


def _http_error(request: HttpRequest, exc: Any) -> HttpResponse:
    return problem(exc.status_code, str(exc))


def _not_found(request: HttpRequest, exc: Any) -> HttpResponse:
    return problem(404, MESSAGES[404])


def _unauthorised(request: HttpRequest, exc: Any) -> HttpResponse:
    response = problem(401, "A valid API key is required: send X-API-Key: hk_… or "
                            "Authorization: Bearer hk_….")
    response["WWW-Authenticate"] = 'Bearer realm="hotline"'
    return response


def _database_down(request: HttpRequest, exc: Any) -> HttpResponse:
    log.warning("database unavailable: %s", type(exc).__name__)
    response = problem(503, MESSAGES[503])
    response["Retry-After"] = "60"
    return response


def _unexpected(request: HttpRequest, exc: Any) -> HttpResponse:
    log.exception("API error", exc_info=exc)
    return problem(500, "Internal error; nothing was stored.")


def install(api: NinjaAPI) -> None:
    api.add_exception_handler(ValidationError, _validation)
    api.add_exception_handler(ApiError, _api_error)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(AuthenticationError, _unauthorised)
    api.add_exception_handler(OperationalError, _database_down)
    api.add_exception_handler(InterfaceError, _database_down)
    api.add_exception_handler(Exception, _unexpected)
