"""The safe viewer against a real HTTP server on loopback: items fetched again into memory,
shown as blurred greyscale thumbnails, revealed on demand (audited), changed and gone items
said so, known items never fetched, and nothing of any picture written to disk or database."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.test import override_settings
from PIL import Image

from hotline.audit.models import AuditEntry
from hotline.capture import services as capture
from hotline.capture.models import CaptureItem
from hotline.cases.models import Case
from hotline.lists.matching import capture_match
from hotline.lists.models import BankHash, HashBank
from hotline.testing.base import StaffTestCase
from hotline.testing.httpserver import Route, Site, serve
from hotline.testing.images import synthetic_image
from hotline.testing.leftovers import assert_nowhere, files_under

PAGE = b"""<!doctype html><html><body>
<img src="/p/1.png" alt=""><img src="/p/2.png" alt=""><img src="/p/3.png" alt="">
<video src="/p/clip.mp4" poster="/p/poster.png"></video></body></html>"""
VIDEO = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64




def detail(image: Image.Image) -> float:
    """Mean absolute difference between neighbouring pixels: low for a blurred picture."""
    pixels = np.asarray(image.convert("L"), dtype=np.float64)
    return float(np.abs(np.diff(pixels, axis=1)).mean() + np.abs(np.diff(pixels, axis=0)).mean())


@override_settings(FETCH_ALLOW_NETWORKS=["127.0.0.1/32"])
class CapturedPageTestCase(StaffTestCase):
    """A page of three pictures, a video and its poster on a loopback server, captured."""

    def setUp(self) -> None:
        super().setUp()
        self.pictures = {f"/p/{n}.png": synthetic_image(seed=20 + n) for n in (1, 2, 3)}
        self.pictures["/p/poster.png"] = synthetic_image(seed=30)
        self.server = serve()
        self.site: Site = self.server.__enter__()
        self.addCleanup(self.server.__exit__, None, None, None)
        self.site.routes["/p/"] = Route(body=PAGE)
        for path, body in self.pictures.items():
            self.site.routes[path] = Route(body=body, content_type="image/png")
        self.site.routes["/p/clip.mp4"] = Route(body=VIDEO, content_type="video/mp4")
        self.report(self.site.url("/p/"))
        self.case = self.case_for(self.site.url("/p/"))
        self.capture = capture.case_capture(case_id=self.case.pk)
        self.items = {item.url.removeprefix(self.site.base): item
                      for item in self.capture.items.all()}
        self.client = self.as_user(self.analyst)

    def page(self) -> str:
        r = self.client.get(f"/staff/cases/{self.case.pk}/")
        self.assertEqual(r.status_code, 200)
        return r.content.decode()

    def thumb(self, path: str, kind: str = "thumbnail") -> Any:
        return self.client.get(
            f"/staff/cases/{self.case.pk}/items/{self.items[path].pk}/{kind}/")

    def fetched(self) -> list[str]:
        return [path for path, _headers in self.site.requests]


class ViewerTestCase(CapturedPageTestCase):
    def test_thumbnails_are_greyscale_blurred_small_and_never_cached(self) -> None:
        html = self.page()
        for path in ("/p/1.png", "/p/2.png", "/p/3.png", "/p/poster.png"):
            self.assertIn(f'/items/{self.items[path].pk}/thumbnail/"', html)
        self.assertNotIn(f'src="{self.site.base}', html)  # nothing from the address itself
        r = self.thumb("/p/1.png")
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r["Content-Type"], "image/png")
        self.assertEqual(r["Cache-Control"], "no-store, private")
        shown = Image.open(io.BytesIO(r.content))
        self.assertEqual(shown.mode, "L")  # greyscale
        self.assertLessEqual(max(shown.size), 240)
        original = Image.open(io.BytesIO(self.pictures["/p/1.png"])).resize(shown.size)
        self.assertLess(detail(shown), detail(original) / 3)  # blurred: little detail left

    def test_a_video_shows_its_hashes_and_is_never_fetched_or_played(self) -> None:
        video = self.items["/p/clip.mp4"]
        before = self.fetched().count("/p/clip.mp4")
        html = self.page()
        self.assertIn(video.sha256, html)
        self.assertNotIn("<video", html)
        self.assertNotIn("autoplay", html)
        self.assertEqual(self.fetched().count("/p/clip.mp4"), before)
        self.assertEqual(self.client.get(
            f"/staff/cases/{self.case.pk}/items/{video.pk}/thumbnail/").status_code, 404)

    def test_changed_and_gone_items_are_said_so(self) -> None:
        self.site.routes["/p/2.png"] = Route(body=synthetic_image(seed=99),
                                             content_type="image/png")
        self.site.routes["/p/3.png"] = Route(status=404, body=b"gone")
        html = self.page()
        second = html.split(f'id="item-{self.items["/p/2.png"].pk}"')[1].split("</li>")[0]
        third = html.split(f'id="item-{self.items["/p/3.png"].pk}"')[1].split("</li>")[0]
        first = html.split(f'id="item-{self.items["/p/1.png"].pk}"')[1].split("</li>")[0]
        self.assertIn("changed since capture", second)
        self.assertIn("no longer available", third)
        self.assertNotIn("thumbnail/", third)
        self.assertNotIn("changed since capture", first)
        self.assertNotIn("no longer available", first)
        self.assertEqual(self.thumb("/p/3.png").status_code, 404)
        self.assertEqual(self.thumb("/p/2.png")["X-Item-Changed"], "1")

    def test_a_reveal_is_audited_counted_and_shows_colour(self) -> None:
        self.assertEqual(self.thumb("/p/1.png", "revealed").status_code, 403)
        item = self.items["/p/1.png"]
        r = self.client.post(f"/staff/cases/{self.case.pk}/items/{item.pk}/reveal/")
        self.assertRedirects(r, f"/staff/cases/{self.case.pk}/#item-{item.pk}",
                             fetch_redirect_response=False)
        entry = AuditEntry.objects.get(action="item.reveal")
        self.assertEqual((entry.actor_label, entry.object_id, entry.details["case"]),
                         ("analyst@hub.example.test", str(item.pk), self.case.pk))
        shown = self.thumb("/p/1.png", "revealed")
        self.assertEqual(shown["Cache-Control"], "no-store, private")
        picture = Image.open(io.BytesIO(shown.content))
        self.assertEqual(picture.mode, "RGB")
        channels = np.asarray(picture, dtype=np.int16)
        self.assertGreater(np.abs(channels[..., 0] - channels[..., 1]).mean(), 5)  # colour
        html = self.page()
        self.assertIn('<span id="reveals-session">1</span>', html)
        self.assertIn('<span id="reveals-today">1</span>', html)
        self.assertIn(f'/items/{item.pk}/revealed/"', html)
        # Another analyst's session has revealed nothing.
        self.assertEqual(self.as_user(self.analyst2).get(
            f"/staff/cases/{self.case.pk}/items/{item.pk}/revealed/").status_code, 403)

    def test_the_break_reminder_counts_reveals(self) -> None:
        item = self.items["/p/1.png"]
        with self.settings(BREAK_REMINDER_REVEALS=2):
            self.client.post(f"/staff/cases/{self.case.pk}/items/{item.pk}/reveal/")
            self.assertNotIn("Please take a break", self.page())
            self.client.post(f"/staff/cases/{self.case.pk}/items/{item.pk}/reveal/")
            self.assertIn("You have revealed 2 items in this session", self.page())
        with self.settings(BREAK_REMINDER_REVEALS=0):
            self.assertNotIn("Please take a break", self.page())

    def test_known_items_are_not_fetched_until_revealed(self) -> None:
        known = self.items["/p/2.png"]
        bank = HashBank.objects.create(name="Partner bank", source="a partner")
        BankHash.objects.create(bank=bank, sha256=known.sha256,
                                classification={"uk_category": ["a"]})
        capture_match(self.capture)
        self.site.requests.clear()
        self.client.post(f"/staff/cases/{self.case.pk}/claim/")
        html = self.page()
        self.assertNotIn("/p/2.png", self.fetched())
        self.assertIn("/p/1.png", self.fetched())
        self.assertIn("Known: CSAM", html)
        self.assertNotIn(f'/items/{known.pk}/thumbnail/"', html)
        self.assertEqual(self.thumb("/p/2.png").status_code, 403)
        self.assertNotIn("/p/2.png", self.fetched())
        # Known items come pre-graded.
        form = self.client.get(f"/staff/cases/{self.case.pk}/").context["form"]
        self.assertEqual(form.initial[f"item_{known.pk}_verdict"], "csam")
        self.assertEqual(form.initial[f"item_{known.pk}_uk_category"], "a")
        # Revealed on purpose: fetched then, and only then.
        self.client.post(f"/staff/cases/{self.case.pk}/items/{known.pk}/reveal/")
        self.assertEqual(self.thumb("/p/2.png", "revealed").status_code, 200)
        self.assertIn("/p/2.png", self.fetched())

    def test_only_staff_who_assess_reach_the_viewer(self) -> None:
        item = self.items["/p/1.png"]
        path = f"/staff/cases/{self.case.pk}/items/{item.pk}/thumbnail/"
        self.assertEqual(self.as_user(self.partner).get(path).status_code, 403)
        self.assertEqual(self.client_class().get(path).status_code, 302)
        other = self.report("https://other.example.test/")
        del other
        elsewhere = Case.objects.get(url="https://other.example.test/")
        self.assertEqual(self.client.get(
            f"/staff/cases/{elsewhere.pk}/items/{item.pk}/thumbnail/").status_code, 404)
        self.assertEqual(self.client.get(
            f"/staff/cases/{self.case.pk}/items/{item.pk}/reveal/").status_code, 405)

    def test_nothing_of_any_picture_touches_disk_or_database(self) -> None:
        roots = [Path(settings.VAR_DIR), Path(settings.BASE_DIR), Path(tempfile.gettempdir())]
        item = self.items["/p/1.png"]
        before = files_under(*roots)
        self.page()
        thumb = self.thumb("/p/1.png").content
        self.client.post(f"/staff/cases/{self.case.pk}/items/{item.pk}/reveal/")
        revealed = self.thumb("/p/1.png", "revealed").content
        after = files_under(*roots)
        needles = [body[64:128] for body in self.pictures.values()]
        needles += [thumb[64:128], revealed[64:128]]
        assert_nowhere(self, needles, after - before)

    @override_settings(VIEWER_TOTAL_SECONDS=0.5)
    def test_the_check_is_bounded_in_time(self) -> None:
        for path in ("/p/1.png", "/p/2.png", "/p/3.png", "/p/poster.png"):
            self.site.routes[path] = Route(body=self.pictures[path], content_type="image/png",
                                           delay=3.0)
        html = self.page()
        self.assertIn("not checked in time", html)
        self.assertEqual(CaptureItem.objects.filter(capture=self.capture).count(),
                         len(self.items))
