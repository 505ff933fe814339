"""The versioned REST API (django-ninja), with its OpenAPI schema and docs at /api/v1/docs."""

from __future__ import annotations

from ninja import NinjaAPI

from . import errors
from .appeals import router as appeals_router
from .auth import KeyRateThrottle, member_auth
from .cases import router as cases_router
from .lists import router as lists_router
from .reports import router as reports_router

api = NinjaAPI(
    title="Hotline API",
    version="1",
    description=(
        "For member organisations. Authenticate with an API key: `X-API-Key: hk_…` or "
        "`Authorization: Bearer hk_…`; what a key may do (download lists, submit reports, "
        "export cases) is set per member by the hub. Every error is JSON: `message`, `field` "
        "(the dotted path of the offending input, or null) and `errors` (every problem "
        "found). Requests are limited per key (429 with Retry-After) and in size (413)."),
    urls_namespace="api-v1",
    auth=member_auth("lists"),
    throttle=KeyRateThrottle(),
)
errors.install(api)
api.add_router("/lists/", lists_router)
api.add_router("/reports/", reports_router)
api.add_router("/cases/", cases_router)
api.add_router("/appeals/", appeals_router)
