"""The public pages of the portal network: the list of portals, each portal's landing page,
report form and receipt, status check and privacy page. No cookies, no JavaScript, nothing
from elsewhere."""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.request import split_domain_port
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from hotline.cases.progress import report_progress
from hotline.intake import services
from hotline.lib import receipts
from hotline.lib.ratelimit import allow, hit
from hotline.portals.models import Partner, Portal, language_name, supported_languages
from hotline.portals.pages import page_context, portal_page
from hotline.portals.statuschecks import status_check_count

from .forms import ReportForm, StatusForm

log = logging.getLogger(__name__)
# Beside the stylesheet: package data like every static file of the product.
FAVICON = Path(__file__).resolve().parents[1] / "static" / "hotline" / "favicon.ico"
# GET and HEAD: a HEAD request is answered like a GET, without the body.
SHOWN_AND_SENT = ["GET", "HEAD", "POST"]
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


@require_safe
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
            {"portal": p, "name": p.display_name(lang), "names": _own_names(p), "links": [
                {"code": code, "name": language_name(code),
                 "url": reverse("public:landing", args=[p.code, code])}
                for code in p.languages]}
            for p in portals
        ]
        response = render(request, "public/index.html", {"entries": entries, "lang": lang})
    if settings.HUB_ONION_ADDRESS:
        response["Onion-Location"] = f"http://{settings.HUB_ONION_ADDRESS}/"
    response["Vary"] = "Accept-Language"
    return response


def _own_names(portal: Portal) -> list[dict[str, str]]:
    """The portal's name in each of its languages (each once), as its own people write it."""
    names: list[dict[str, str]] = []
    for code in portal.languages:
        name = portal.display_name(code)
        if name not in [n["name"] for n in names]:
            names.append({"code": code, "name": name})
    return names


@require_safe
def portal_root(request: HttpRequest, code: str) -> HttpResponse:
    portal = get_object_or_404(Portal, code=code, enabled=True)
    return HttpResponseRedirect(reverse("public:landing", args=[code, portal.default_language]))


@require_safe
@portal_page
def landing(request: HttpRequest, portal: Portal, lang: str) -> HttpResponse:
    return render(request, "public/landing.html", page_context(
        portal, lang, "landing", intro=portal.intro_text(lang)))


@require_safe
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


@require_safe
@portal_page
def safety(request: HttpRequest, portal: Portal, lang: str) -> HttpResponse:
    return render(request, "public/safety.html", page_context(portal, lang, "safety"))


@require_safe
def partner_logo(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """A partner's logo, re-encoded at upload (portals/logos.py), from the product itself."""
    partner = Partner.objects.filter(pk=pk, portal__code=code, portal__enabled=True,
                                     logo__isnull=False).only("logo").first()
    if partner is None or not partner.logo:
        raise Http404
    response = HttpResponse(bytes(partner.logo), content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@cache
def _favicon() -> bytes:
    return FAVICON.read_bytes()


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    """The site's icon, which browsers ask for at /favicon.ico whatever the page says."""
    response = HttpResponse(_favicon(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=604800"
    return response


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
    if request.method in ("GET", "HEAD"):
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


def answer_context(found: Any, code: str) -> dict[str, Any]:
    """The questions of the report found, if any (public/answers.py, imported here late: that
    module builds on this one's helpers)."""
    from .answers import answer_context as questions_context

    return questions_context(found, code)


@csrf_exempt
@never_cache
@require_http_methods(SHOWN_AND_SENT)
@portal_page
def report(request: HttpRequest, portal: Portal, lang: str) -> HttpResponse:
    form, response = _public_form(request, portal, lang, "report", ReportForm,
                                  settings.REPORT_RATE_LIMIT)
    if response is not None:
        return response
    data = form.cleaned_data
    if form.is_spam():
        # Answer as if it worked, so that the bot learns nothing; store nothing.
        code = receipts.new_code()
    else:
        submission = services.report_submit(
            portal=portal, language=lang, urls=data["urls"], content_kind=data["content_kind"],
            where_found=data["where_found"], description=data["description"],
            contact=data["contact"], feedback=data["feedback"], urgent=data["urgent"],
        )
        code = submission.receipt_code
    return render(request, "public/receipt.html", page_context(
        portal, lang, "report", receipt=receipts.group(code), receipt_code=code,
        received=len(data["urls"]), usual_days=settings.REPORT_USUAL_DAYS,
        urgent=form.cleaned_data["urgent"]))


@csrf_exempt
@never_cache
@require_POST
@portal_page
def receipt_text(request: HttpRequest, portal: Portal, lang: str) -> HttpResponse:
    """The receipt code as a small text file, so that it can be kept without a screenshot.

    The code comes back in the post from the receipt page (never in the address, which ends up
    in histories and logs); nothing is looked up or stored, and the answer is never cached.
    """
    if _cross_site(request):
        raise PermissionDenied
    code = receipts.normalise(request.POST.get("code", "")[:64])
    if not receipts.is_well_formed(code):
        return render(request, "problem.html", page_context(
            portal, lang, "report", title=_("This is not a receipt code"),
            message=_("Please go back and try again.")), status=400)
    status_url = request.build_absolute_uri(reverse("public:status", args=[portal.code, lang]))
    text = "\n".join([
        portal.display_name(lang),
        _("Your receipt code:"),
        receipts.group(code),
        "",
        _("Check your report at:"),
        status_url,
        "",
    ])
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="receipt.txt"'
    return response


@csrf_exempt
@never_cache
@require_http_methods(SHOWN_AND_SENT)
@portal_page
def status(request: HttpRequest, portal: Portal, lang: str) -> HttpResponse:
    form, response = _public_form(request, portal, lang, "status", StatusForm,
                                  settings.STATUS_RATE_LIMIT)
    if response is not None:
        return response
    found = services.report_for_receipt(form.cleaned_data["code"])
    if found is not None:
        status_check_count(portal=portal)
    return render(request, "public/status.html", page_context(
        portal, lang, "status", form=StatusForm(), checked=True, found=found,
        progress=report_progress(found) if found else None,
        **answer_context(found, form.cleaned_data["code"]),
    ))
