"""A database from before captures had items migrates forward: an image answer becomes its
capture's one item with its hashes and matches; matches of page bodies (the false "known
content" of stock pages) are dropped and their cases no longer known."""

from __future__ import annotations

from django.utils import timezone

from hotline.capture.models import Capture, CaptureItem
from hotline.cases.models import Case
from hotline.lists.models import Match
from hotline.testing.migrations import (
    BEFORE_ARCHITECTURE,
    MigrationTestCase,
    migrate_to,
    migrate_to_latest,
)


class ItemsMigrationTestCase(MigrationTestCase):
    def test_image_captures_become_items_and_page_matches_go(self) -> None:
        old = migrate_to(BEFORE_ARCHITECTURE)
        OldCase = old.get_model("cases", "Case")
        OldCapture = old.get_model("lists", "Capture")
        bank = old.get_model("lists", "HashBank").objects.create(name="Partner (test)")
        bank_hash = old.get_model("lists", "BankHash").objects.create(
            bank=bank, sha256="a" * 64, pdq="f" * 64, pdq_quality=90)
        now = timezone.now()
        cases = [OldCase.objects.create(
            url=f"https://x.example.test/{n}", url_sha256=str(n) * 64, host="x.example.test",
            registrable_domain="example.test", first_reported=now, last_reported=now,
            known_content=True) for n in (1, 2)]
        image = OldCapture.objects.create(
            case=cases[0], url=cases[0].url, status=200, content_type="image/jpeg", size=10,
            md5="b" * 32, sha1="c" * 40, sha256="a" * 64, pdq="f" * 64, pdq_quality=88)
        page = OldCapture.objects.create(case=cases[1], url=cases[1].url, status=404,
                                         content_type="text/html", size=5, sha256="a" * 64)
        OldMatch = old.get_model("lists", "Match")
        OldMatch.objects.create(capture=image, bank_hash=bank_hash, kind="sha256")
        OldMatch.objects.create(capture=page, bank_hash=bank_hash, kind="sha256")

        migrate_to_latest()

        item = CaptureItem.objects.get()
        self.assertEqual((item.capture_id, item.media, item.md5, item.sha1, item.sha256,
                          item.pdq, item.pdq_quality, item.status),
                         (image.pk, "image", "b" * 32, "c" * 40, "a" * 64, "f" * 64, 88, 200))
        self.assertEqual(Capture.objects.get(pk=page.pk).sha256, "a" * 64)  # evidence kept
        self.assertEqual(list(Match.objects.values_list("item", "bank_hash", "kind")),
                         [(item.pk, bank_hash.pk, "sha256")])
        self.assertTrue(Case.objects.get(pk=cases[0].pk).known_content)
        self.assertFalse(Case.objects.get(pk=cases[1].pk).known_content)
