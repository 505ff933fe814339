"""Known-content matching: exact hashes, PDQ within the distance, disabled banks ignored."""

from __future__ import annotations

import contextlib
import json

from django.test import override_settings

from hotline.cases.models import Case
from hotline.lists import services
from hotline.lists.models import BankHash, Capture, HashBank, Match
from hotline.testing.base import StaffTestCase

BASE = "45bc9ed60a9951bd4488f10162665ffeefe65e2052bc797726e86ccc14a80df2"


def flip(hex_hash: str, bits: int) -> str:
    """The hash with its first `bits` bits inverted: exactly that Hamming distance away."""
    value = int(hex_hash, 16) ^ (((1 << bits) - 1) << (256 - bits))
    return f"{value:064x}"


class MatchingTestCase(StaffTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.report("https://images.example.test/g/1")
        self.case = Case.objects.get()
        self.bank = HashBank.objects.create(name="Partner (test)")

    def capture(self, **hashes: object) -> Capture:
        return Capture.objects.create(case=self.case, url=self.case.url, status=200, **hashes)

    def test_planted_pdq_neighbours_are_found_exactly_up_to_31(self) -> None:
        planted = {d: BankHash.objects.create(bank=self.bank, pdq=flip(BASE, d), pdq_quality=90)
                   for d in (0, 10, 31, 32)}
        found = services.capture_match(self.capture(pdq=BASE, pdq_quality=100))
        got = {m.bank_hash_id: m.distance for m in found}
        self.assertEqual(got, {planted[0].pk: 0, planted[10].pk: 10, planted[31].pk: 31})
        self.case.refresh_from_db()
        self.assertTrue(self.case.known_content)

    @override_settings(PDQ_MAX_DISTANCE=10)
    def test_the_distance_is_configurable(self) -> None:
        for d in (0, 10, 11):
            BankHash.objects.create(bank=self.bank, pdq=flip(BASE, d), pdq_quality=90)
        found = services.capture_match(self.capture(pdq=BASE, pdq_quality=100))
        self.assertEqual(sorted(m.distance for m in found), [0, 10])

    def test_low_quality_hashes_are_ignored(self) -> None:
        BankHash.objects.create(bank=self.bank, pdq=BASE, pdq_quality=30)
        self.assertEqual(services.capture_match(self.capture(pdq=BASE, pdq_quality=100)), [])
        BankHash.objects.create(bank=self.bank, pdq=BASE, pdq_quality=90)
        self.assertEqual(services.capture_match(self.capture(pdq=BASE, pdq_quality=40)), [])

    def test_exact_hash_matches(self) -> None:
        BankHash.objects.create(bank=self.bank, md5="a" * 32)
        BankHash.objects.create(bank=self.bank, sha1="b" * 40)
        BankHash.objects.create(bank=self.bank, sha256="c" * 64)
        found = services.capture_match(self.capture(md5="a" * 32, sha1="b" * 40,
                                                    sha256="c" * 64))
        self.assertEqual(sorted(m.kind for m in found), ["md5", "sha1", "sha256"])
        self.assertEqual(services.capture_match(self.capture(md5="d" * 32)), [])

    def test_disabled_banks_are_ignored(self) -> None:
        BankHash.objects.create(bank=self.bank, sha256="c" * 64, pdq=BASE, pdq_quality=90)
        HashBank.objects.filter(pk=self.bank.pk).update(enabled=False)
        self.assertEqual(services.capture_match(self.capture(sha256="c" * 64, pdq=BASE,
                                                             pdq_quality=100)), [])
        self.case.refresh_from_db()
        self.assertFalse(self.case.known_content)

    def test_known_content_prefills_the_assessment(self) -> None:
        BankHash.objects.create(bank=self.bank, pdq=flip(BASE, 4), pdq_quality=90,
                                classification={"uk_category": ["a"], "industry": ["A1"],
                                                "sex": ["female", "male"]})
        services.capture_match(self.capture(pdq=BASE, pdq_quality=100))
        client = self.as_user(self.analyst)
        queue = client.get("/staff/cases/")
        self.assertContains(queue, "known content")
        client.post(f"/staff/cases/{self.case.pk}/claim/")
        page = client.get(f"/staff/cases/{self.case.pk}/")
        self.assertContains(page, 'id="known-content"')
        self.assertContains(page, "distance 4")
        form = page.context["form"]
        self.assertEqual(form.initial["verdict"], "csam")
        self.assertEqual(form.initial["scheme_uk_category"], "a")
        self.assertEqual(form.initial["scheme_sex"], ["female", "male"])
        self.assertEqual(Match.objects.count(), 1)

    def test_a_bank_with_a_malformed_classification_never_breaks_the_case_page(self) -> None:
        # A partner's file whose classification does not fit the schemes: refused whole at
        # import, so no case can match it and the analyst's case page keeps working.
        malformed: list[object] = [["A1"], {"industry": []}, {"industry": [5]},
                                   {"industry": "A1"}, {"industry": ["Z9"]},
                                   {"no_such_scheme": ["a"]}, {"uk_category": ["a", "b"]}]
        client = self.as_user(self.analyst)
        client.post(f"/staff/cases/{self.case.pk}/claim/")
        for classification in malformed:
            with self.subTest(classification=classification):
                data = json.dumps([{"pdq": BASE, "pdq_quality": 90,
                                    "classification": classification}]).encode()
                with contextlib.suppress(services.BankFileError):
                    services.bank_import(self.bank, data, "json")
                services.capture_match(self.capture(pdq=BASE, pdq_quality=100))
                self.assertEqual(client.get(f"/staff/cases/{self.case.pk}/").status_code, 200)
                self.assertEqual(BankHash.objects.count(), 0)
            BankHash.objects.all().delete()

    def test_a_malformed_classification_stored_earlier_is_not_prefilled(self) -> None:
        # Rows imported before imports were checked: the page opens, without a pre-fill.
        BankHash.objects.create(bank=self.bank, pdq=BASE, pdq_quality=90,
                                classification={"industry": []})
        services.capture_match(self.capture(pdq=BASE, pdq_quality=100))
        client = self.as_user(self.analyst)
        client.post(f"/staff/cases/{self.case.pk}/claim/")
        page = client.get(f"/staff/cases/{self.case.pk}/")
        self.assertContains(page, 'id="known-content"')
        self.assertEqual(page.context["form"].initial, {})
