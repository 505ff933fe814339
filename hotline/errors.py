"""Site-wide error pages (settings.ROOT_URLCONF's handlers and the middleware's refusals).

Plain pages in the language of the URL (its second path segment, as in /gm/fr/report/), with
nothing that identifies the visitor; the API's errors are converted to JSON by the middleware.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from hotline.portals.models import CODE_RE, Portal, supported_languages
from hotline.portals.pages import page_context
from hotline.sides import is_public


def problem(request: HttpRequest, status: int, message: str = "") -> HttpResponse:
    """A plain error page in the language of the URL (the second path segment)."""
    parts = request.path_info.strip("/").split("/")
    lang = parts[1] if len(parts) > 1 and parts[1] in supported_languages() else "en"
    with translation.override(lang):
        titles = {
            400: _("Something in the request was not right"),
            403: _("This request was refused"),
            404: _("Page not found"),
            405: _("This request was refused"),
            413: _("Too much text"),
            429: _("Please wait a little"),
            500: _("Something went wrong"),
            503: _("Temporarily unavailable"),
        }
        messages = {
            400: _("Please go back and try again."),
            403: _("Forms on this site can only be sent from this site."),
            404: _("There is no page at this address. Check it, or start from the list of "
                   "reporting portals."),
            405: _("Please go back and try again."),
            413: _("What you sent is larger than this site accepts. Please go back, shorten "
                   "your text and send it again."),
            429: _("There have been too many requests from your connection. Please try "
                   "again in an hour."),
            500: _("Please go back and try again in a few minutes."),
            503: _("The service is busy or under maintenance. Nothing you sent has been "
                   "stored. Please try again in a few minutes."),
        }
        context: dict[str, Any] = {
            "title": titles.get(status, titles[400]),
            "message": message or messages.get(status, messages[400]), "status": status}
        # Only for a 404: a 500 or 503 may come from a database that cannot answer.
        portal = _portal_of(parts, lang) if status == 404 and is_public(request.path_info) \
            else None
        if portal is not None:
            # Inside a portal: its frame, its emergency numbers and the way back to it.
            context = page_context(portal, lang, "landing", **context)
        else:
            context["lang"] = lang
        return render(request, "problem.html", context, status=status)


def _portal_of(parts: list[str], lang: str) -> Portal | None:
    """The enabled portal whose address this is (/<code>/<lang>/…), if it offers lang."""
    # Only a well-formed code reaches the database: a 404's address may hold anything (a NUL
    # byte is an error in PostgreSQL, not a miss).
    if len(parts) < 2 or parts[1] != lang or not CODE_RE.match(parts[0]):
        return None
    portal = Portal.objects.filter(code=parts[0], enabled=True).first()
    return portal if portal is not None and lang in portal.languages else None


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return problem(request, 404)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return problem(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """On the staff side, a page of the staff side that says which role is missing."""
    if not is_public(request.path_info):
        return staff_problem(request, 403)
    return problem(request, 403)


def staff_problem(request: HttpRequest, status: int, title: str = "",
                  message: str = "") -> HttpResponse:
    """An error page of the staff side, in its layout (the staff member's navigation and
    sign-out, no public portal links), in the hub's language."""
    return render(request, "staff/problem.html", {"title": title, "message": message},
                  status=status)


def server_error(request: HttpRequest) -> HttpResponse:
    return problem(request, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's CSRF check refused a request (settings.CSRF_FAILURE_VIEW).

    The public side sets no cookie: its two forms are exempt and check where a post comes
    from themselves (public/views.py), so a refusal there is a post (or put, delete …) to a
    page that can only be shown. On the staff side a form's token has expired or the form
    came from elsewhere. Either way a page of the product, not Django's page asking for
    cookies in English.
    """
    if is_public(request.path_info):
        response = problem(request, 405)
        response["Allow"] = "GET"
        return response
    return staff_problem(request, 403, _("This request was refused"),
                         _("The form had expired or came from another site. Go back, reload "
                           "the page and send the form again."))
