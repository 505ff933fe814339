"""Partner logos: a PNG uploaded by an administrator, decoded and written again with Pillow.

Re-encoding keeps only the pixels: text chunks, EXIF, ICC profiles and anything appended to
the file are left behind, and a logo is never larger than the box the landing page gives it.
The result is stored in the database and served by the product itself (public/views.py), so a
public page loads nothing from another site.
"""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

MAX_UPLOAD_BYTES = 1024 * 1024
# Checked from the header before any pixel is decoded: a small file can claim a huge image.
MAX_SOURCE_PIXELS = 4096 * 4096
BOX = (320, 160)


def reencode(data: bytes) -> tuple[bytes, int, int]:
    """The logo as a clean PNG no larger than BOX, with its width and height."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(_("A logo file may be at most 1 MB."))
    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as source:
            if source.width * source.height > MAX_SOURCE_PIXELS:
                raise ValidationError(_("This image is too large: at most 4096 × 4096 pixels."))
            source.load()
            image = source.convert("RGBA")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError):
        raise ValidationError(_("Upload the logo as a PNG image.")) from None
    image.thumbnail(BOX)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue(), image.width, image.height
