from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .access import break_due


def staff(request: HttpRequest) -> dict[str, Any]:
    if not request.path.startswith("/staff/"):
        return {}
    return {"break_minutes": break_due(request)}
