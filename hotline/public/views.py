"""The public pages of the portal network: the list of portals, each portal's landing page,
report form and receipt, status check and privacy page. No cookies, no JavaScript, nothing
from elsewhere."""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.request import split_domain_port
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from hotline.cases.progress import report_progress
from hotline.intake import services
from hotline.lib import receipts
from hotline.lib.ratelimit import allow, hit
from hotline.portals.models import Portal, supported_languages
from hotline.portals.pages import page_context, portal_page

from .forms import ReportForm, StatusForm

log = logging.getLogger(__name__)
# The one rate-limit key of every onion visitor: they cannot be told apart (see _spend).
ONION_KEY = "onion"


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
            return HttpResponseRedirect(reverse("public:root", args=[portal.code]))
    accepted = [lang for lang, _q in parse_accept_lang_header(
        request.headers.get("Accept-Language", "")[:200])]
    lang = next((code.split("-")[0] for code in accepted
                 if code.split("-")[0] in supported_languages()), "en")
    with translation.override(lang):
        entries = [
            {"portal": p, "name": p.display_name(lang), "links": [
                {"code": code, "name": translation.get_language_info(code)["name_local"],
                 "url": reverse("public:landing", args=[p.code, code])}
                for code in p.languages]}
            for p in portals
        ]
        response = render(request, "public/index.html", {"entries": entries, "lang": lang})
    if settings.HUB_ONION_ADDRESS:
        response["Onion-Location"] = f"http://{settings.HUB_ONION_ADDRESS}/"
    response["Vary"] = "Accept-Language"
    return response


@require_GET
def portal_root(request: HttpRequest, code: str) -> HttpResponse:
    portal = get_object_or_404(Portal, code=code, enabled=True)
    return HttpResponseRedirect(reverse("public:landing", args=[code, portal.default_language]))


@require_GET
@portal_page
def landing(request: HttpRequest, portal: Portal, lang: str) -> HttpResponse:
    contacts = portal.help_contacts.all()
    help_entries = [{"label": c.label_in(lang), "phone": c.phone, "url": c.url,
                     "text": c.text_in(lang), "kind": c.kind} for c in contacts]
    return render(request, "public/landing.html", page_context(
        portal, lang, "landing", intro=portal.intro_text(lang), help_entries=help_entries,
        partners=portal.partners.all(),
    ))


@require_GET
@portal_page
def privacy(request: HttpRequest, portal: Portal, lang: str) -> HttpResponse:
    """Who is responsible, what is kept and for how long (from the retention settings that
    hotline/ops/retention.py applies), and how to reach the hub."""
    return render(request, "public/privacy.html", page_context(
        portal, lang, "privacy", hub_name=settings.HUB_NAME,
        contact_email=settings.HUB_CONTACT_EMAIL, postal_address=settings.HUB_POSTAL_ADDRESS,
        partners=portal.partners.all(), text_days=settings.RETENTION_REPORTER_TEXT_DAYS,
        receipt_days=settings.RETENTION_RECEIPT_DAYS, report_days=settings.RETENTION_REPORT_DAYS,
        hash_days=settings.RETENTION_BENIGN_HASHES_DAYS))


def _via_onion(request: HttpRequest) -> bool:
    """True when the request came through an onion service: its Host is the hub's or a
    portal's onion address."""
    host, _port = split_domain_port(request.get_host())
    if not host.endswith(".onion"):
        return False
    return host == settings.HUB_ONION_ADDRESS.lower() or \
        Portal.objects.filter(onion_address=host).exists()


def _spend(request: HttpRequest, page: str, limit: int, *, valid: bool, onion: bool) -> bool:
    """Count one post against its budget; False when that budget is spent for this hour.

    Valid posts of each form spend their own budget, refused ones a larger budget of their
    own: typing mistakes, and junk sent from an address many people share, never use up the
    reports of the others. Every onion visitor arrives from the Tor daemon's address, so a
    budget per address would be one budget for all of them, stopped by the first few: onion
    posts instead share budgets ONION_RATE_FACTOR times larger, which trip for the whole onion
    service at once (a circuit breaker against floods; Tor's proof-of-work defence, README
    "Running at scale", keeps the floods themselves out).
    """
    scope, limit = (page, limit) if valid else ("invalid", settings.INVALID_RATE_LIMIT)
    if not onion:
        return allow(scope, request.client_key, limit)  # type: ignore[attr-defined]
    limit *= settings.ONION_RATE_FACTOR
    count = hit(f"{scope}-onion", ONION_KEY)
    if count == limit + 1:
        log.warning("the onion service's %s budget of %d posts this hour is spent: onion "
                    "posts are refused until the hour ends", scope, limit)
    return count <= limit


def _public_form(request: HttpRequest, portal: Portal, lang: str, page: str,
                 form_class: type[forms.Form], limit: int) -> tuple[Any, HttpResponse | None]:
    """The common part of the public forms: show on GET; on POST refuse other sites,
    validate and count the post against its budget. Returns the valid form, or the response
    to send instead (the form as typed, with its errors)."""
    template = f"public/{page}.html"
    if request.method == "GET":
        return None, render(request, template, page_context(portal, lang, page, form=form_class()))
    if _cross_site(request):
        raise PermissionDenied  # hotline.errors.permission_denied explains it
    form = form_class(request.POST)
    valid, onion = form.is_valid(), _via_onion(request)
    if not _spend(request, page, limit, valid=valid, onion=onion):
        return None, render(request, template, page_context(
            portal, lang, page, form=form, rate_limited=True, via_onion=onion), status=429)
    if not valid:
        return None, render(request, template, page_context(portal, lang, page, form=form),
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
    return render(request, "public/receipt.html", page_context(
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
    return render(request, "public/status.html", page_context(
        portal, lang, "status", form=StatusForm(), checked=True, found=found,
        progress=report_progress(found) if found else None,
    ))
