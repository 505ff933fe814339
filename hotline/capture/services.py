"""Capture a case's address as a browser would see it, item by item, keeping hashes only.

The page is fetched through the one fetcher (hotline/lib/fetcher.py). An answer that is itself
an image or a video is one item; an HTML page yields the media items it shows
(hotline/capture/pages.py), each fetched through the same fetcher, a few at a time, within a
count (CAPTURE_MAX_ITEMS), a byte budget (CAPTURE_MAX_BYTES) and a deadline for the whole
capture (CAPTURE_TOTAL_SECONDS). Each item's type is sniffed from its bytes; only a 2xx answer
whose bytes are an image or a video gets hashes (MD5, SHA-1, SHA-256, and PDQ for images), so
page bodies, error pages and anything else can never be banked or matched. Bytes live in memory
for the time it takes to hash them; nothing of them is written anywhere.
"""

from __future__ import annotations

import hashlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from hotline.cases.models import Case
from hotline.lib import fetcher, mediatype
from hotline.lib.pdq import NotAnImage, pdq_hash_bytes

from .models import Capture, CaptureItem
from .pages import Found, media_items
from .signals import capture_done

DEADLINE = "capture_deadline"
BUDGET = "capture_budget"


@dataclass
class _Budget:
    """What one capture may still spend: time until its deadline, bytes in all."""

    deadline: float
    bytes_left: int
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def spend(self, size: int) -> None:
        with self._lock:
            self.bytes_left -= size

    def limits(self) -> fetcher.Limits | None:
        """The fetch limits for one more item, or None when the capture's budget is spent."""
        seconds = self.deadline - time.monotonic()
        if seconds <= 0.5 or self.bytes_left <= 0:
            return None
        base = fetcher.Limits.from_settings()
        return fetcher.Limits(max_bytes=min(base.max_bytes, self.bytes_left),
                              connect_timeout=min(base.connect_timeout, seconds),
                              read_timeout=min(base.read_timeout, seconds),
                              total_timeout=min(base.total_timeout, seconds),
                              max_redirects=base.max_redirects)


def hash_media(item: CaptureItem, body: bytes) -> None:
    """Record what the bytes are and, for a 2xx image or video, their hashes."""
    item.size = len(body)
    item.sniffed = mediatype.sniff(body)
    media = mediatype.media_kind(item.sniffed)
    if not (item.status and 200 <= item.status < 300 and media):
        return
    item.media = media
    item.md5 = hashlib.md5(body, usedforsecurity=False).hexdigest()
    item.sha1 = hashlib.sha1(body, usedforsecurity=False).hexdigest()
    item.sha256 = hashlib.sha256(body).hexdigest()
    if media == mediatype.IMAGE:
        try:
            result = pdq_hash_bytes(body)
        except NotAnImage as e:
            item.error = f"not an image: {str(e)[:200]}"
        else:
            item.pdq, item.pdq_quality = result.hash_hex, result.quality


def _fetch_item(found: Found, position: int, budget: _Budget,
                proxy: str | None = None) -> CaptureItem:
    item = CaptureItem(position=position, url=found.url, source=found.source)
    limits = budget.limits()
    if limits is None:
        item.error = DEADLINE if time.monotonic() >= budget.deadline - 0.5 else BUDGET
        return item
    try:
        response = fetcher.fetch(found.url, limits=limits, proxy=proxy)
    except fetcher.FetchError as e:
        item.error = e.reason
        return item
    budget.spend(len(response.body))
    item.status, item.content_type = response.status, response.content_type
    hash_media(item, response.body)
    return item


def _decode(body: bytes, content_type: str) -> str:
    charset = "utf-8"
    for part in content_type.split(";")[1:]:
        key, _sep, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            charset = value.strip("\"' ")
    try:
        return body.decode(charset, "replace")
    except LookupError:
        return body.decode("utf-8", "replace")


@dataclass
class _Look:
    """One look at an address: the page's answer (never its bytes) and its media items."""

    status: int | None = None
    content_type: str = ""
    final_url: str = ""
    size: int | None = None
    sha256: str = ""
    sniffed: str = ""
    error: str = ""
    items: list[CaptureItem] = field(default_factory=list)
    items_found: int = 0  # media items the page named
    complete: bool = False  # every one of them (and every extra address) was fetched


def _look(url: str, *, also: list[str] | None = None, proxy: str | None = None) -> _Look:
    """Fetch an address and, if it is a page, each media item it shows (at most
    CAPTURE_MAX_ITEMS) and each address in ``also``, hashing in memory; the bytes are
    dropped before this returns. Shared by captures and by removal checks."""
    budget = _Budget(deadline=time.monotonic() + settings.CAPTURE_TOTAL_SECONDS,
                     bytes_left=settings.CAPTURE_MAX_BYTES)
    try:
        response = fetcher.fetch(url, limits=budget.limits(), proxy=proxy)
    except fetcher.FetchError as e:
        return _Look(error=e.reason)
    body: bytes = response.body
    budget.spend(len(body))
    look = _Look(status=response.status, content_type=response.content_type,
                 final_url=response.url, size=len(body),
                 sha256=hashlib.sha256(body).hexdigest(), sniffed=mediatype.sniff(body))
    found: list[Found] = []
    if mediatype.media_kind(look.sniffed):
        # The address is itself an image or a video: one item, hashed from the same bytes.
        item = CaptureItem(position=0, url=response.url, source="page", status=response.status,
                           content_type=response.content_type)
        hash_media(item, body)
        look.items, look.items_found = [item], 1
    elif 200 <= response.status < 300 and mediatype.is_html(look.sniffed,
                                                              response.content_type):
        found = media_items(_decode(body, response.content_type), response.url)
        look.items_found = len(found)
    del body, response  # the content is never kept
    chosen = found[:settings.CAPTURE_MAX_ITEMS]
    named = {f.url for f in found}
    chosen += [Found(extra, "confirmed") for extra in also or [] if extra not in named]
    first = len(look.items)
    with ThreadPoolExecutor(max_workers=settings.CAPTURE_CONCURRENCY) as pool:
        look.items += list(pool.map(lambda pair: _fetch_item(pair[1], first + pair[0], budget,
                                                             proxy), enumerate(chosen)))
    look.complete = len(found) <= settings.CAPTURE_MAX_ITEMS
    return look


def case_capture(*, case_id: int) -> Capture:
    """Capture a case's address: the page, then each media item it shows; match the banks."""
    case = Case.objects.get(pk=case_id)
    look = _look(case.url)
    capture = Capture(case=case, url=case.url, status=look.status,
                      content_type=look.content_type, final_url=look.final_url, size=look.size,
                      sha256=look.sha256, sniffed=look.sniffed, error=look.error,
                      items_found=look.items_found, items_truncated=not look.complete
                      and not look.error)
    with transaction.atomic():
        capture.save()
        for item in look.items:
            item.capture = capture
        CaptureItem.objects.bulk_create(look.items)
        capture_done.send(sender=Capture, capture=capture)
    return capture


@dataclass(frozen=True)
class Observation:
    """What one look at an address found now, for re-checks (nothing stored, nothing kept)."""

    status: int | None
    error: str
    sha256: str
    items: list[CaptureItem]  # unsaved: url, status, error, hashes of media answers
    complete: bool  # every item the page named was fetched within the budget


def observe(url: str, *, also: list[str] | None = None, proxy: str | None = None
            ) -> Observation:
    """Look at an address as a capture does (the page and each media item it shows, plus the
    item addresses in ``also``), hashing in memory; store nothing."""
    look = _look(url, also=also, proxy=proxy)
    return Observation(look.status, look.error, look.sha256, look.items, look.complete)
