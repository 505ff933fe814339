"""The safe viewer's addresses: a case's image items as blurred greyscale thumbnails, and
one item revealed in colour on demand (audited). Made in memory for each request; every
answer says ``Cache-Control: no-store, private`` so no browser or proxy keeps a copy."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hotline.audit.models import AuditEntry
from hotline.audit.services import audit_record
from hotline.capture.models import CaptureItem
from hotline.lib.staffaccess import ASSESSORS, SESSION_REVEALS, staff_view

from .viewer import NoImage, item_image

SESSION_REVEALED_ITEMS = "revealed_item_ids"
REVEAL_ACTION = "item.reveal"


def _image_item(case_id: int, item_id: int) -> CaptureItem:
    return get_object_or_404(CaptureItem.objects.select_related("capture"), pk=item_id,
                             capture__case_id=case_id, media=CaptureItem.Media.IMAGE)


def revealed_ids(request: HttpRequest) -> set[int]:
    return set(request.session.get(SESSION_REVEALED_ITEMS, []))


def reveal_counts(request: HttpRequest) -> tuple[int, int]:
    """Items this analyst revealed in this session, and today."""
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    user: Any = request.user
    today = AuditEntry.objects.filter(action=REVEAL_ACTION, actor=user,
                                      at__gte=midnight).count()
    return int(request.session.get(SESSION_REVEALS, 0)), today


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store, private"
    return response


def _image(request: HttpRequest, item: CaptureItem, *, reveal: bool) -> HttpResponse:
    try:
        rendered = item_image(item, reveal=reveal)
    except NoImage:
        return _no_store(HttpResponse(_("This item is no longer available."), status=404,
                                      content_type="text/plain; charset=utf-8"))
    response = HttpResponse(rendered.body, content_type=rendered.content_type)
    response["X-Item-Changed"] = "1" if rendered.changed else "0"
    return _no_store(response)


@require_GET
@staff_view(*ASSESSORS)
def thumbnail(request: HttpRequest, case_id: int, item_id: int) -> HttpResponse:
    """A blurred greyscale thumbnail. A known item (matched in a bank) is not fetched at all
    until it is revealed: its verdict is known."""
    item = _image_item(case_id, item_id)
    if item.matches.exists() and item.pk not in revealed_ids(request):
        return _no_store(HttpResponse(_("Known item: reveal it to see it."), status=403,
                                      content_type="text/plain; charset=utf-8"))
    return _image(request, item, reveal=False)


@require_GET
@staff_view(*ASSESSORS)
def revealed(request: HttpRequest, case_id: int, item_id: int) -> HttpResponse:
    """The item in colour, unblurred: only after this session revealed it (audited)."""
    item = _image_item(case_id, item_id)
    if item.pk not in revealed_ids(request):
        return _no_store(HttpResponse(_("Reveal the item first."), status=403,
                                      content_type="text/plain; charset=utf-8"))
    return _image(request, item, reveal=True)


@require_POST
@staff_view(*ASSESSORS)
def reveal(request: HttpRequest, case_id: int, item_id: int) -> HttpResponse:
    item = _image_item(case_id, item_id)
    user: Any = request.user
    audit_record(actor=user, action=REVEAL_ACTION, obj=item, case=case_id, url=item.url)
    shown = revealed_ids(request) | {item.pk}
    request.session[SESSION_REVEALED_ITEMS] = sorted(shown)[-500:]
    request.session[SESSION_REVEALS] = int(request.session.get(SESSION_REVEALS, 0)) + 1
    return HttpResponseRedirect(f"{reverse('cases:detail', args=[case_id])}#item-{item.pk}")
