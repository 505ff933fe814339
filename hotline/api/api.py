"""The versioned REST API (django-ninja), with its OpenAPI schema and docs at /api/v1/docs."""

from __future__ import annotations

from ninja import NinjaAPI

from hotline.lists.api import router as lists_router

from .auth import MEMBER_AUTH

api = NinjaAPI(
    title="Hotline API",
    version="1",
    description="Lists for members (URL list, hashed URL list, hash list). "
                "Authenticate with an API key: `X-API-Key: hk_…` or `Authorization: Bearer hk_…`.",
    urls_namespace="api-v1",
    auth=MEMBER_AUTH,
)
api.add_router("/lists/", lists_router)
