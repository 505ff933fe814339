"""The safe viewer: a case's captured image items, fetched again into memory, never stored.

Why two fetches (a check when the case page opens, then one per thumbnail): the page must say
in text, for every item, whether it is still there and the same as at capture ("changed since
capture", "no longer available"), and the bytes cannot wait anywhere between two requests
without being stored. So :func:`check_items` fetches every image item at once (at most
VIEWER_CONCURRENCY at a time, all within VIEWER_TOTAL_SECONDS), compares SHA-256 with the
capture and drops the bytes; each thumbnail request then fetches its item again
(:func:`item_image`), within VIEWER_ITEM_SECONDS and FETCH_MAX_BYTES, and renders it with
Pillow. Nothing of either is written to disk or to the database.

A thumbnail is always small, greyscale and blurred; only a reveal (audited) shows the picture
in colour and unblurred, and that too is a re-encoded copy made in memory, never the bytes as
the site sent them. Items that match a bank are never fetched unless revealed: their verdict
is known. Videos are never fetched or played: their hashes and poster (an image item of its
own) say what there is to know.
"""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, ImageFilter, ImageOps

from hotline.capture.models import CaptureItem
from hotline.lib import fetcher
from hotline.lib.pdq import ALLOWED_FORMATS

SAME = "same"
CHANGED = "changed"
GONE = "gone"
UNCHECKED = "unchecked"  # the time for the whole check ran out first
KNOWN = "known"  # matched a bank: not fetched
VIDEO = "video"  # never fetched
NOT_MEDIA = "not_media"

THUMB_PIXELS = 240
REVEAL_PIXELS = 1280


class NoImage(Exception):
    """The item is gone, or is not an image this viewer will decode."""


def _limits(seconds: float) -> fetcher.Limits:
    base = fetcher.Limits.from_settings()
    return fetcher.Limits(max_bytes=base.max_bytes,
                          connect_timeout=min(base.connect_timeout, seconds),
                          read_timeout=min(base.read_timeout, seconds),
                          total_timeout=min(base.total_timeout, seconds),
                          max_redirects=base.max_redirects)


def _fetch(url: str, seconds: float) -> bytes:
    """The body of a 2xx answer, in memory; NoImage otherwise."""
    try:
        response = fetcher.fetch(url, limits=_limits(seconds))
    except fetcher.FetchError as e:
        raise NoImage(e.reason) from e
    if not 200 <= response.status < 300:
        raise NoImage(f"status {response.status}")
    return response.body


def initial_state(item: CaptureItem, known: set[int]) -> str:
    if item.pk in known:
        return KNOWN
    if item.media == CaptureItem.Media.VIDEO:
        return VIDEO
    if item.media != CaptureItem.Media.IMAGE:
        return NOT_MEDIA
    return UNCHECKED


def check_items(items: Iterable[CaptureItem], known: set[int]) -> dict[int, str]:
    """Each item's state now: image items fetched again (bytes hashed and dropped) and
    compared with the capture; known items, videos and the rest are not fetched."""
    states = {item.pk: initial_state(item, known) for item in items}
    wanted = [item for item in items if states[item.pk] == UNCHECKED]
    deadline = time.monotonic() + settings.VIEWER_TOTAL_SECONDS

    def check(item: CaptureItem) -> str:
        seconds = deadline - time.monotonic()
        if seconds <= 0.2:
            return UNCHECKED
        try:
            body = _fetch(item.url, seconds)
        except NoImage as e:
            # Out of time is no proof of absence: said so, never "no longer available".
            return UNCHECKED if str(e) == fetcher.TIMEOUT else GONE
        digest = hashlib.sha256(body).hexdigest()
        del body
        return SAME if digest == item.sha256 else CHANGED

    if wanted:
        with ThreadPoolExecutor(max_workers=settings.VIEWER_CONCURRENCY) as pool:
            for item, state in zip(wanted, pool.map(check, wanted), strict=True):
                states[item.pk] = state
    return states


@dataclass(frozen=True)
class Rendered:
    body: bytes
    content_type: str
    changed: bool  # the bytes differ from the capture's


def _decode(body: bytes) -> Image.Image:
    Image.init()
    formats = [name for name in ALLOWED_FORMATS if name in Image.OPEN]
    try:
        opened = Image.open(io.BytesIO(body), formats=formats)
        limit = Image.MAX_IMAGE_PIXELS
        if limit is not None and opened.width * opened.height > limit:
            raise NoImage("too many pixels")
        image = ImageOps.exif_transpose(opened)
        image.load()
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as e:
        raise NoImage("not an image") from e
    return image


def render(body: bytes, *, reveal: bool) -> bytes:
    """A PNG made in memory: greyscale, blurred and small; revealed, in colour and larger."""
    image = _decode(body)
    if reveal:
        image = image.convert("RGB")
        image.thumbnail((REVEAL_PIXELS, REVEAL_PIXELS))
    else:
        image = image.convert("L")
        image.thumbnail((THUMB_PIXELS, THUMB_PIXELS))
        radius = max(4, max(image.size) // settings.VIEWER_BLUR_DIVISOR)
        image = image.filter(ImageFilter.GaussianBlur(radius))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def item_image(item: CaptureItem, *, reveal: bool) -> Rendered:
    """Fetch one image item again and render it (NoImage when gone or not an image)."""
    body = _fetch(item.url, settings.VIEWER_ITEM_SECONDS)
    changed = hashlib.sha256(body).hexdigest() != item.sha256
    rendered = render(body, reveal=reveal)
    del body
    return Rendered(rendered, "image/png", changed)
