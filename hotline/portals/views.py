"""Public pages of the portal network. No cookies, no JavaScript, nothing from elsewhere."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from hotline.intake import services
from hotline.lib import receipts
from hotline.lib.ratelimit import allow

from .forms import ReportForm, StatusForm
from .models import Portal, supported_languages

PublicView = Callable[..., HttpResponse]


def _get_portal(code: str, lang: str) -> Portal:
    portal = Portal.objects.filter(code=code, enabled=True).first()
    if portal is None or lang not in portal.languages or lang not in supported_languages():
        raise Http404
    return portal


def portal_page(view: PublicView) -> PublicView:
    """Resolve the portal and language from the URL and render in that language."""

    @wraps(view)
    def wrapper(request: HttpRequest, code: str, lang: str) -> HttpResponse:
        portal = _get_portal(code, lang)
        with translation.override(lang):
            response = view(request, portal, lang)
        if portal.onion_address:
            response["Onion-Location"] = f"http://{portal.onion_address}{request.get_full_path()}"
        response["Content-Language"] = lang
        return response

    return wrapper


def _context(portal: Portal, lang: str, page: str, *, keep_query: str = "",
             **extra: Any) -> dict[str, Any]:
    """The context of every public page; ``keep_query`` follows the links to other languages."""
    languages = [
        {"code": code, "name": translation.get_language_info(code)["name_local"],
         "url": reverse(f"portals:{page}", args=[portal.code, code]) + keep_query,
         "current": code == lang}
        for code in portal.languages
    ]
    return {"portal": portal, "lang": lang, "page": page, "languages": languages,
            "portal_name": portal.display_name(lang), **extra}


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
        context = {"title": titles.get(status, titles[400]),
                   "message": message or messages.get(status, messages[400]),
                   "lang": lang, "status": status}
        return render(request, "portals/problem.html", context, status=status)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return problem(request, 404)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return problem(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return problem(request, 403)


def server_error(request: HttpRequest) -> HttpResponse:
    return problem(request, 500)


def _cross_site(request: HttpRequest) -> bool:
    """True when a form post comes from another site.

    Sec-Fetch-Site is sent by every current browser, including Tor Browser. The Origin header
    is only a fallback: with Referrer-Policy no-referrer, browsers send ``Origin: null`` for
    their own same-site posts, so "null" cannot be treated as foreign.
    """
    site = request.headers.get("Sec-Fetch-Site")
    if site:
        return site not in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        return not url_has_allowed_host_and_scheme(
            origin + "/", allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    return False


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    host = request.get_host().split(":")[0].lower()
    portals = list(Portal.objects.filter(enabled=True))
    for portal in portals:
        if host in portal.hostnames:
            return HttpResponseRedirect(reverse("portals:root", args=[portal.code]))
    accepted = [lang for lang, _q in parse_accept_lang_header(
        request.headers.get("Accept-Language", "")[:200])]
    lang = next((code.split("-")[0] for code in accepted
                 if code.split("-")[0] in supported_languages()), "en")
    with translation.override(lang):
        entries = [
            {"portal": p, "name": p.display_name(lang), "links": [
                {"code": code, "name": translation.get_language_info(code)["name_local"],
                 "url": reverse("portals:landing", args=[p.code, code])}
                for code in p.languages]}
            for p in portals
        ]
        response = render(request, "portals/index.html", {"entries": entries, "lang": lang})
    if settings.HUB_ONION_ADDRESS:
        response["Onion-Location"] = f"http://{settings.HUB_ONION_ADDRESS}/"
    response["Vary"] = "Accept-Language"
    return response


@require_GET
def portal_root(request: HttpRequest, code: str) -> HttpResponse:
    portal = get_object_or_404(Portal, code=code, enabled=True)
    return HttpResponseRedirect(reverse("portals:landing", args=[code, portal.default_language]))


@require_GET
@portal_page
def landing(request: HttpRequest, portal: Portal, lang: str) -> HttpResponse:
    contacts = portal.help_contacts.all()
    help_entries = [{"label": c.label_in(lang), "phone": c.phone, "url": c.url,
                     "text": c.text_in(lang), "kind": c.kind} for c in contacts]
    return render(request, "portals/landing.html", _context(
        portal, lang, "landing", intro=portal.intro_text(lang), help_entries=help_entries,
        partners=portal.partners.all(),
    ))


@require_GET
@portal_page
def privacy(request: HttpRequest, portal: Portal, lang: str) -> HttpResponse:
    return render(request, "portals/privacy.html", _context(portal, lang, "privacy"))


def _public_form(request: HttpRequest, portal: Portal, lang: str, page: str,
                 form_class: type[forms.Form], limit: int) -> tuple[Any, HttpResponse | None]:
    """The common part of the public forms: show on GET; on POST refuse other sites, count
    the post against the connection's limit and validate. Returns the valid form, or the
    response to send instead (the form as typed, with its errors)."""
    template = f"portals/{page}.html"
    if request.method == "GET":
        return None, render(request, template, _context(portal, lang, page, form=form_class()))
    if _cross_site(request):
        return None, problem(request, 403)
    form = form_class(request.POST)
    if not allow(page, request.client_key, limit):  # type: ignore[attr-defined]
        form.is_valid()  # so that what was typed is shown again
        return None, render(request, template, _context(
            portal, lang, page, form=form, rate_limited=True), status=429)
    if not form.is_valid():
        return None, render(request, template, _context(portal, lang, page, form=form),
                            status=400)
    return form, None


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
@portal_page
def report(request: HttpRequest, portal: Portal, lang: str) -> HttpResponse:
    form, response = _public_form(request, portal, lang, "report", ReportForm,
                                  settings.REPORT_RATE_LIMIT)
    if response is not None:
        return response
    if form.is_spam():
        # Answer as if it worked, so that the bot learns nothing; store nothing.
        code = receipts.new_code()
    else:
        data = form.cleaned_data
        submission = services.report_submit(
            portal=portal, language=lang, urls=data["urls"], content_kind=data["content_kind"],
            where_found=data["where_found"], description=data["description"],
            contact=data["contact"],
        )
        code = submission.receipt_code
    return render(request, "portals/receipt.html", _context(
        portal, lang, "report", receipt=receipts.group(code)))


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
@portal_page
def status(request: HttpRequest, portal: Portal, lang: str) -> HttpResponse:
    form, response = _public_form(request, portal, lang, "status", StatusForm,
                                  settings.STATUS_RATE_LIMIT)
    if response is not None:
        return response
    found = services.report_for_receipt(form.cleaned_data["code"])
    return render(request, "portals/status.html", _context(
        portal, lang, "status", form=StatusForm(), checked=True, found=found,
    ))
