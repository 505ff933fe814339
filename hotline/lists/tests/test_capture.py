"""Capture from a real HTTP server on loopback: hashes kept, content never stored."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection
from django.test import override_settings
from PIL import Image, ImageFilter

from hotline.cases.models import Case
from hotline.lib.pdq import pdq_hash_bytes
from hotline.lists import services
from hotline.lists.models import BankHash, Capture, HashBank
from hotline.testing.base import StaffTestCase
from hotline.testing.httpserver import Route, serve


def synthetic_image(seed: int = 7, fmt: str = "PNG") -> bytes:
    """A benign picture: smoothed coloured noise (high PDQ quality, nothing depicted)."""
    rng = np.random.default_rng(seed)
    image = Image.fromarray(rng.integers(0, 255, (96, 96, 3), dtype=np.uint8))
    image = image.resize((384, 384)).filter(ImageFilter.GaussianBlur(2))
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def files_under(*roots: Path) -> set[Path]:
    found: set[Path] = set()
    for root in roots:
        for dirpath, _dirs, files in os.walk(root):
            if ".venv" in dirpath or ".git" in dirpath:
                continue
            found.update(Path(dirpath) / f for f in files)
    return found


@override_settings(FETCH_ALLOW_NETWORKS=["127.0.0.1/32"])
class CaptureTestCase(StaffTestCase):
    def case_at(self, url: str) -> Case:
        self.report(url)
        return self.case_for(url)

    def test_an_image_is_hashed_and_never_stored(self) -> None:
        image = synthetic_image()
        roots = [Path(settings.VAR_DIR), Path(settings.BASE_DIR), Path(tempfile.gettempdir())]
        with serve() as site:
            site.routes["/photo.png"] = Route(body=image, content_type="image/png")
            case = self.case_at(site.url("/photo.png"))
            before = files_under(*roots)
            capture = services.case_capture(case_id=case.pk)
            after = files_under(*roots)
        self.assertEqual(capture.status, 200)
        self.assertEqual(capture.size, len(image))
        self.assertEqual(capture.md5, hashlib.md5(image).hexdigest())
        self.assertEqual(capture.sha1, hashlib.sha1(image).hexdigest())
        self.assertEqual(capture.sha256, hashlib.sha256(image).hexdigest())
        self.assertEqual(capture.pdq, pdq_hash_bytes(image).hash_hex)
        self.assertGreaterEqual(capture.pdq_quality or 0, 50)
        # Nothing of the content on disk: no new file holds any part of it...
        needle = image[64:128]
        for path in after - before:
            try:
                self.assertNotIn(needle, path.read_bytes(), path)
            except OSError:
                continue
        # ...and nothing in any table.
        with connection.cursor() as cursor:
            for table in connection.introspection.table_names():
                cursor.execute(f'SELECT * FROM "{table}"')
                for row in cursor.fetchall():
                    for value in row:
                        if isinstance(value, (bytes, memoryview)):
                            self.assertNotIn(needle, bytes(value), table)
                        else:
                            self.assertNotIn(needle.hex(), str(value), table)

    def test_a_page_is_hashed_without_pdq(self) -> None:
        with serve() as site:
            site.routes["/page"] = Route(body=b"<html><p>a page</p></html>")
            case = self.case_at(site.url("/page"))
            capture = services.case_capture(case_id=case.pk)
        self.assertEqual(capture.sha256, hashlib.sha256(b"<html><p>a page</p></html>").hexdigest())
        self.assertEqual(capture.pdq, "")

    @override_settings(FETCH_MAX_BYTES=100_000)
    def test_an_oversize_answer_is_bounded_and_recorded(self) -> None:
        with serve() as site:
            site.routes["/big.png"] = Route(body=b"\0" * 200_000, content_type="image/png")
            case = self.case_at(site.url("/big.png"))
            capture = services.case_capture(case_id=case.pk)
        self.assertEqual(capture.error, "too_large")
        self.assertEqual(capture.sha256, "")

    def test_an_image_type_that_is_not_an_image(self) -> None:
        with serve() as site:
            site.routes["/fake.png"] = Route(body=b"not really a picture",
                                             content_type="image/png")
            case = self.case_at(site.url("/fake.png"))
            capture = services.case_capture(case_id=case.pk)
        self.assertTrue(capture.error.startswith("not an image"))
        self.assertEqual(capture.pdq, "")
        self.assertNotEqual(capture.sha256, "")

    def test_an_unreachable_address_is_recorded(self) -> None:
        case = self.case_at("http://127.0.0.1:9/nothing")
        capture = services.case_capture(case_id=case.pk)
        self.assertEqual(capture.error, "connect")
        self.assertEqual(Capture.objects.count(), 1)

    def test_a_confirmed_case_puts_its_hashes_in_the_own_bank(self) -> None:
        image = synthetic_image(seed=3)
        with serve() as site:
            site.routes["/c.png"] = Route(body=image, content_type="image/png")
            url = site.url("/c.png")
            self.report(url)
            case = self.case_for(url)
            services.case_capture(case_id=case.pk)
            self.confirm_case(case)
        own = HashBank.objects.get(kind=HashBank.Kind.OWN)
        row = BankHash.objects.get(bank=own)
        self.assertEqual(row.sha256, hashlib.sha256(image).hexdigest())
        self.assertEqual(row.classification["uk_category"], ["c"])

