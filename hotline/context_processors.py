"""What the two base layouts (templates/layouts/) need on every page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from hotline.lib.staffaccess import break_due, reveals_due


def public(request: HttpRequest) -> dict[str, Any]:
    return {"QUICK_EXIT_URL": settings.QUICK_EXIT_URL, "SITE_NAME": settings.SITE_NAME,
            "HUB_NAME": settings.HUB_NAME}


def staff(request: HttpRequest) -> dict[str, Any]:
    if not request.path.startswith("/staff/"):
        return {}
    return {"break_minutes": break_due(request), "break_reveals": reveals_due(request)}
