"""Partner logos are re-encoded: only pixels survive, in a bounded size, and only PNG."""

from __future__ import annotations

import io
import struct
import zlib

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase
from PIL import Image, PngImagePlugin

from hotline.portals.logos import reencode


def png(width: int, height: int, **save: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG", **save)
    return out.getvalue()


class LogoTestCase(SimpleTestCase):
    def test_metadata_and_trailing_bytes_are_left_behind(self) -> None:
        info = PngImagePlugin.PngInfo()
        info.add_text("Author", "someone@example.test")
        data = png(50, 30, pnginfo=info, exif=b"Exif\x00\x00MM\x00*") + b"<script>x</script>"
        clean, width, height = reencode(data)
        self.assertEqual((width, height), (50, 30))
        self.assertNotIn(b"someone@example.test", clean)
        self.assertNotIn(b"<script>", clean)
        with Image.open(io.BytesIO(clean)) as image:
            self.assertEqual(image.format, "PNG")
            self.assertEqual(getattr(image, "text", {}), {})
            self.assertNotIn("exif", image.info)

    def test_a_large_logo_is_scaled_into_the_box(self) -> None:
        _clean, width, height = reencode(png(1600, 400))
        self.assertEqual((width, height), (320, 80))

    def test_anything_but_a_png_is_refused(self) -> None:
        out = io.BytesIO()
        Image.new("RGB", (10, 10)).save(out, format="JPEG")
        for data in [out.getvalue(), b"", b"GIF89a" + b"\x00" * 20, png(10, 10)[:40]]:
            with self.assertRaises(ValidationError):
                reencode(data)

    def test_a_huge_image_is_refused_before_it_is_decoded(self) -> None:
        # A small file whose header claims 20000 by 20000 pixels.
        data = bytearray(png(10, 10))
        ihdr = struct.pack(">II", 20000, 20000) + bytes(data[24:29])
        data[16:29] = ihdr
        data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
        with self.assertRaises(ValidationError):
            reencode(bytes(data))

    def test_a_file_over_the_upload_limit_is_refused(self) -> None:
        with self.assertRaises(ValidationError):
            reencode(png(10, 10) + b"\x00" * (1024 * 1024))
