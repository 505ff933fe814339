"""The one way a staff view starts: signed in, second factor verified, role allowed."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

SESSION_WORK_STARTED = "work_started"


def staff_view(*roles: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Require a verified staff session and, when roles are given, one of those roles."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user: Any = request.user
            query = urlencode({"next": request.get_full_path()})
            if not user.is_authenticated:
                return HttpResponseRedirect(f"{reverse('accounts:login')}?{query}")
            if not user.is_verified():
                return HttpResponseRedirect(f"{reverse('accounts:verify')}?{query}")
            if roles and user.role not in roles:
                raise PermissionDenied
            request.session.setdefault(SESSION_WORK_STARTED, int(time.time()))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def break_due(request: HttpRequest) -> int:
    """Minutes worked when a break reminder is due, else 0."""
    minutes = settings.BREAK_REMINDER_MINUTES
    started = request.session.get(SESSION_WORK_STARTED) if hasattr(request, "session") else None
    if not minutes or not started:
        return 0
    worked = int((time.time() - started) // 60)
    return worked if worked >= minutes else 0
