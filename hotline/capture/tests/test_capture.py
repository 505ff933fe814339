"""Capture from a real HTTP server on loopback, item by item: hashes kept, content never stored,
and only 2xx answers whose bytes are images or videos hashed as media."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from django.conf import settings
from django.test import override_settings

from hotline.capture import services
from hotline.capture.models import Capture, CaptureItem
from hotline.cases.models import Case
from hotline.lib.pdq import pdq_hash_bytes
from hotline.lists.models import BankHash, HashBank
from hotline.testing.base import StaffTestCase
from hotline.testing.httpserver import Route, serve
from hotline.testing.images import synthetic_image
from hotline.testing.leftovers import assert_nowhere, files_under


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
        item = capture.items.get()  # the address is itself an image: one item
        self.assertEqual((item.source, item.sniffed, item.media), ("page", "image/png", "image"))
        self.assertEqual(item.md5, hashlib.md5(image).hexdigest())
        self.assertEqual(item.sha1, hashlib.sha1(image).hexdigest())
        self.assertEqual(item.sha256, hashlib.sha256(image).hexdigest())
        self.assertEqual(item.pdq, pdq_hash_bytes(image).hash_hex)
        self.assertGreaterEqual(item.pdq_quality or 0, 50)
        # Nothing of the content on disk (no new file holds any part of it) or in any table.
        assert_nowhere(self, [image[64:128]], after - before)

    def test_a_page_is_hashed_without_pdq(self) -> None:
        with serve() as site:
            site.routes["/page"] = Route(body=b"<html><p>a page</p></html>")
            case = self.case_at(site.url("/page"))
            capture = services.case_capture(case_id=case.pk)
        self.assertEqual(capture.sha256, hashlib.sha256(b"<html><p>a page</p></html>").hexdigest())
        self.assertEqual(capture.sniffed, "text/html")
        self.assertFalse(capture.items.exists())  # a page body is never hashed as media

    @override_settings(FETCH_MAX_BYTES=100_000)
    def test_an_oversize_answer_is_bounded_and_recorded(self) -> None:
        with serve() as site:
            site.routes["/big.png"] = Route(body=b"\0" * 200_000, content_type="image/png")
            case = self.case_at(site.url("/big.png"))
            capture = services.case_capture(case_id=case.pk)
        self.assertEqual(capture.error, "too_large")
        self.assertEqual(capture.sha256, "")
        self.assertFalse(capture.items.exists())

    def test_an_image_type_that_is_not_an_image(self) -> None:
        with serve() as site:
            site.routes["/fake.png"] = Route(body=b"not really a picture",
                                             content_type="image/png")
            case = self.case_at(site.url("/fake.png"))
            capture = services.case_capture(case_id=case.pk)
        # Labelled image/png, but its bytes are no image: not media, nothing hashed as media.
        self.assertEqual(capture.sniffed, "")
        self.assertNotEqual(capture.sha256, "")
        self.assertFalse(CaptureItem.objects.exclude(sha256="").exists())

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



# A few bytes that are an MP4 file by their magic number (benign: no frames at all).
VIDEO = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 200
GALLERY = b"""<!doctype html><html><head>
<meta property="og:image" content="/og.jpg"><title>Gallery</title></head><body>
<img src="thumbs/1.png" srcset="thumbs/1-small.png 200w, full/1.png 1200w" alt="">
<img src="/thumbs/2.jpg" alt=""><img src="thumbs/1.png" alt="">
<video src="clip.mp4" poster="poster.png"></video>
<a href="full/3.png">larger</a> <a href="next.html">next page</a>
<img src="missing.png" alt=""><img src="logo.svg" alt=""><img src="error.png" alt="">
</body></html>"""


def images(count: int) -> list[bytes]:
    return [synthetic_image(seed=100 + i) for i in range(count)]


@override_settings(FETCH_ALLOW_NETWORKS=["127.0.0.1/32"])
class GalleryCaptureTestCase(StaffTestCase):
    def gallery(self, site: object) -> dict[str, bytes]:
        pictures = images(6)
        bodies = {"/g/full/1.png": pictures[0], "/thumbs/2.jpg": synthetic_image(7, "JPEG"),
                  "/g/poster.png": pictures[1], "/g/full/3.png": pictures[2],
                  "/og.jpg": synthetic_image(9, "JPEG"), "/g/clip.mp4": VIDEO}
        routes = site.routes  # type: ignore[attr-defined]
        routes["/g/"] = Route(body=GALLERY)
        for path, body in bodies.items():
            # Headers that lie: the bytes decide what an item is.
            routes[path] = Route(body=body, content_type="application/octet-stream")
        routes["/g/logo.svg"] = Route(body=b"<svg xmlns='http://www.w3.org/2000/svg'/>",
                                      content_type="image/svg+xml")
        routes["/g/error.png"] = Route(status=500, body=pictures[3], content_type="image/png")
        return bodies

    def test_a_gallery_is_captured_item_by_item(self) -> None:
        with serve() as site:
            bodies = self.gallery(site)
            self.report(site.url("/g/"))
            case = self.case_for(site.url("/g/"))
            capture = services.case_capture(case_id=case.pk)
        items = {item.url.removeprefix(site.base): item for item in capture.items.all()}
        # Every media item the page names, once, resolved, largest srcset candidate.
        self.assertEqual(set(items), {"/og.jpg", "/g/thumbs/1.png", "/g/full/1.png",
                                      "/thumbs/2.jpg", "/g/clip.mp4", "/g/poster.png",
                                      "/g/full/3.png", "/g/missing.png", "/g/logo.svg",
                                      "/g/error.png"})
        self.assertEqual(capture.items_found, 10)
        for path, body in bodies.items():
            item = items[path]
            self.assertEqual((item.status, item.size, item.sha256, item.md5, item.sha1),
                             (200, len(body), hashlib.sha256(body).hexdigest(),
                              hashlib.md5(body).hexdigest(), hashlib.sha1(body).hexdigest()),
                             path)
        self.assertEqual(items["/g/full/1.png"].source, "srcset")
        self.assertEqual(items["/og.jpg"].source, "og:image")
        self.assertEqual(items["/g/full/3.png"].source, "link")
        self.assertEqual((items["/g/clip.mp4"].media, items["/g/clip.mp4"].sniffed),
                         ("video", "video/mp4"))
        self.assertEqual(items["/g/clip.mp4"].pdq, "")  # videos: exact hashes only
        self.assertEqual(items["/g/full/1.png"].pdq, pdq_hash_bytes(bodies["/g/full/1.png"]
                                                                    ).hash_hex)
        self.assertEqual(items["/thumbs/2.jpg"].sniffed, "image/jpeg")
        # Not media, or not a 2xx answer: recorded, never hashed.
        for path, status in [("/g/missing.png", 404), ("/g/error.png", 500),
                             ("/g/logo.svg", 200)]:
            self.assertEqual((items[path].status, items[path].sha256, items[path].pdq),
                             (status, "", ""), path)
        self.assertEqual(items["/g/thumbs/1.png"].status, 404)

    @override_settings(CAPTURE_MAX_ITEMS=3)
    def test_the_items_of_one_capture_are_bounded(self) -> None:
        with serve() as site:
            self.gallery(site)
            self.report(site.url("/g/"))
            capture = services.case_capture(case_id=self.case_for(site.url("/g/")).pk)
            fetched = [path for path, _headers in site.requests if path != "/g/"]
        self.assertEqual(capture.items.count(), 3)
        self.assertEqual(len(fetched), 3)
        self.assertEqual(capture.items_found, 10)
        self.assertTrue(capture.items_truncated)

    @override_settings(CAPTURE_MAX_BYTES=120_000)
    def test_the_bytes_of_one_capture_are_bounded(self) -> None:
        with serve() as site:
            self.gallery(site)
            self.report(site.url("/g/"))
            capture = services.case_capture(case_id=self.case_for(site.url("/g/")).pk)
        fetched = sum(item.size or 0 for item in capture.items.all())
        self.assertLessEqual(fetched, 120_000)
        self.assertTrue(capture.items.filter(error__in=["capture_budget", "too_large"]).exists())

    def test_nothing_of_a_gallery_touches_disk_or_database(self) -> None:
        roots = [Path(settings.VAR_DIR), Path(settings.BASE_DIR), Path(tempfile.gettempdir())]
        with serve() as site:
            bodies = self.gallery(site)
            self.report(site.url("/g/"))
            case = self.case_for(site.url("/g/"))
            before = files_under(*roots)
            services.case_capture(case_id=case.pk)
            after = files_under(*roots)
        needles = [body[64:128] for body in bodies.values()] + [GALLERY[40:100]]
        assert_nowhere(self, needles, after - before)

    def test_a_stock_error_page_is_never_banked_or_matched(self) -> None:
        page = b"<html><body><h1>Not Found</h1><img src='/err.png'></body></html>"
        with serve() as site:
            site.routes["/err.png"] = Route(body=synthetic_image(seed=55))
            for path in ("/gone/1", "/gone/2"):
                site.routes[path] = Route(status=404, body=page)
            self.report(site.url("/gone/1"))
            first = self.case_for(site.url("/gone/1"))
            capture = services.case_capture(case_id=first.pk)
            self.confirm_case(first)
            self.report(site.url("/gone/2"))
            second = self.case_for(site.url("/gone/2"))
            services.case_capture(case_id=second.pk)
        self.assertEqual(capture.status, 404)
        self.assertFalse(capture.items.exists())  # an error page is not looked inside
        self.assertFalse(BankHash.objects.filter(bank__kind=HashBank.Kind.OWN).exists())
        second.refresh_from_db()
        self.assertFalse(second.known_content)


def _browser(headers: object) -> bool:
    agent = headers.get("User-Agent", "")  # type: ignore[attr-defined]
    return agent.startswith("Mozilla/5.0 (") and "capture" not in agent.lower() and bool(
        headers.get("Accept-Language"))  # type: ignore[attr-defined]


@override_settings(FETCH_ALLOW_NETWORKS=["127.0.0.1/32"])
class CloakingCaptureTestCase(StaffTestCase):
    """A site that shows its gallery to browsers and a benign decoy picture to robots."""

    def test_the_capture_sees_what_a_browser_sees(self) -> None:
        gallery = synthetic_image(seed=401)
        decoy = synthetic_image(seed=402)
        with serve() as site:
            for path in ("/c", "/c2"):
                site.routes[path] = Route(choose=lambda headers: Route(
                    body=b'<html><body><img src="/shown.png"></body></html>' if _browser(headers)
                    else b'<html><body><img src="/decoy.png"></body></html>'))
            site.routes["/shown.png"] = Route(body=gallery, content_type="image/png")
            site.routes["/decoy.png"] = Route(body=decoy, content_type="image/png")
            self.report(site.url("/c"))
            capture = services.case_capture(case_id=self.case_for(site.url("/c")).pk)
            with override_settings(FETCH_USER_AGENT="hotline-capture/1.0",
                                   FETCH_CLIENT_HINTS=""):
                self.report(site.url("/c2"))
                robot = services.case_capture(case_id=self.case_for(site.url("/c2")).pk)
        self.assertEqual(capture.items.get().sha256, hashlib.sha256(gallery).hexdigest())
        # What the old robot identity got, and what would have been banked as CSAM:
        self.assertEqual(robot.items.get().sha256, hashlib.sha256(decoy).hexdigest())
