"""The steps between the password and the second factor (verify, enrol an authenticator app or
a security key): where to go next, and the one guard every step starts with."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from hotline.lib.ratelimit import client_address, client_key

from .services import has_second_factor

StepView = Callable[..., HttpResponse]


def safe_next(request: HttpRequest, target: object) -> str:
    """Where to go after signing in: a path on the staff side only, else the staff home."""
    if (isinstance(target, str) and target.startswith("/staff/")
            and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})):
        return target
    return reverse("accounts:home")


def next_url(request: HttpRequest) -> str:
    return safe_next(request, request.POST.get("next") or request.GET.get("next") or "")


def with_next(url: str, request: HttpRequest) -> str:
    return f"{url}?{urlencode({'next': next_url(request)})}"


def client(request: HttpRequest) -> str:
    """The rate-limit key of the request's client (never stored)."""
    return client_key(client_address(request.META))


def may_enrol(user: Any) -> bool:
    """A first second factor, or another one for a session already verified."""
    return not has_second_factor(user) or bool(user.is_verified())


def second_factor_step(*, enrolling: bool = False, json: bool = False
                       ) -> Callable[[StepView], StepView]:
    """The guard of every step after the password: the view gets the signed-in ``user``, whose
    second factor may not be verified yet. With ``enrolling``, only a user who may add a factor
    now. Pages redirect to the step that is missing; JSON endpoints answer 403 with why."""

    def decorator(view: StepView) -> StepView:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user: Any = request.user
            if not user.is_authenticated:
                if json:
                    return JsonResponse({"error": _("Sign in with your password first.")},
                                        status=403)
                return HttpResponseRedirect(with_next(reverse("accounts:login"), request))
            if enrolling and not may_enrol(user):
                if json:
                    return JsonResponse({"error": _("Confirm your second factor before adding "
                                                    "a security key.")}, status=403)
                return HttpResponseRedirect(with_next(reverse("accounts:verify"), request))
            return view(request, user, *args, **kwargs)

        return wrapper

    return decorator
