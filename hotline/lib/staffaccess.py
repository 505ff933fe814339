"""Staff roles and the one way a staff view starts: signed in, second factor verified, role
allowed.

Here rather than in the accounts app because every staff page uses it, the audit log's
included, and accounts itself writes to the audit log: the gate needs no model, only the
signed-in user that django-otp puts on the request.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

SESSION_WORK_STARTED = "work_started"
SESSION_REVEALS = "items_revealed"  # items shown in colour in this session (workbench viewer)


class Role(models.TextChoices):
    """Each staff member has one (``accounts.User.role``)."""

    ANALYST = "analyst", _("Analyst")
    SENIOR = "senior", _("Senior analyst")
    PARTNER = "partner", _("Partner")
    ADMIN = "admin", _("Administrator")


ASSESSORS = (Role.ANALYST, Role.SENIOR, Role.ADMIN)
REVIEWERS = (Role.SENIOR, Role.ADMIN)


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


def reveals_due(request: HttpRequest) -> int:
    """Items revealed in this session when a break reminder is due for them, else 0."""
    limit = settings.BREAK_REMINDER_REVEALS
    revealed = int(request.session.get(SESSION_REVEALS, 0)) if hasattr(request, "session") else 0
    return revealed if limit and revealed >= limit else 0
