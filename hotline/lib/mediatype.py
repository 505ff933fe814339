"""What a body really is, from its bytes (magic numbers, puremagic), never from the header
alone: a server can label a page ``image/png`` or a picture ``text/html``."""

from __future__ import annotations

import puremagic

IMAGE = "image"
VIDEO = "video"
# Raster images PDQ can hash, and videos; anything else (SVG, audio, documents) is not media.
IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp",
               "image/x-ms-bmp", "image/tiff", "image/avif", "image/heic", "image/heif"}
VIDEO_PREFIXES = ("video/",)
VIDEO_TYPES = {"application/x-matroska", "application/mp4"}
HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<img", b"<div", b"<meta",
                b"<title", b"<a ", b"<video", b"<picture", b"<p>", b"<!--")


def sniff(body: bytes) -> str:
    """The MIME type the bytes show ('' when nothing is recognised)."""
    if not body:
        return ""
    try:
        found = puremagic.from_string(body, mime=True)
    except (puremagic.PureError, ValueError):
        found = ""
    if found:
        return str(found).lower()
    head = body[:1024].lstrip().lower()
    if any(marker in head for marker in HTML_MARKERS):
        return "text/html"
    return ""


def media_kind(sniffed: str) -> str:
    """IMAGE, VIDEO or '' for a sniffed type."""
    if sniffed in IMAGE_TYPES:
        return IMAGE
    if sniffed.startswith(VIDEO_PREFIXES) or sniffed in VIDEO_TYPES:
        return VIDEO
    return ""


def is_html(sniffed: str, declared: str) -> bool:
    """A page to look inside: HTML by its bytes, or declared HTML and not recognisably other."""
    declared = declared.split(";")[0].strip().lower()
    return sniffed in ("text/html", "application/xhtml+xml") or (
        not sniffed and declared in ("text/html", "application/xhtml+xml"))
