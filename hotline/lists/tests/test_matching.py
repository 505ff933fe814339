"""Known-content matching of captured items: exact hashes, PDQ within each bank's distance,
disabled banks ignored, negative banks win, indexes built once per bank version, retroactive
matching, and verdicts that disagree with a bank."""

from __future__ import annotations

import contextlib
import json

from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from hotline.audit.models import AuditEntry
from hotline.capture.models import Capture, CaptureItem
from hotline.cases import services as services_cases
from hotline.cases.models import Case
from hotline.lists import banks, services, tasks
from hotline.lists.matching import capture_match, known_classification
from hotline.lists.models import BankHash, HashBank, Match
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
        """A capture of the case with one 2xx image item carrying these hashes."""
        capture = Capture.objects.create(case=self.case, url=self.case.url, status=200)
        hashes.setdefault("sha256", "e" * 64)
        CaptureItem.objects.create(capture=capture, position=0, url=self.case.url,
                                   source="page", status=200, media="image", **hashes)
        return capture

    def test_planted_pdq_neighbours_are_found_exactly_up_to_31(self) -> None:
        planted = {d: BankHash.objects.create(bank=self.bank, pdq=flip(BASE, d), pdq_quality=90)
                   for d in (0, 10, 31, 32)}
        found = capture_match(self.capture(pdq=BASE, pdq_quality=100))
        got = {m.bank_hash_id: m.distance for m in found}
        self.assertEqual(got, {planted[0].pk: 0, planted[10].pk: 10, planted[31].pk: 31})
        self.case.refresh_from_db()
        self.assertTrue(self.case.known_content)

    @override_settings(PDQ_MAX_DISTANCE=10)
    def test_the_distance_is_configurable(self) -> None:
        for d in (0, 10, 11):
            BankHash.objects.create(bank=self.bank, pdq=flip(BASE, d), pdq_quality=90)
        found = capture_match(self.capture(pdq=BASE, pdq_quality=100))
        self.assertEqual(sorted(m.distance for m in found), [0, 10])

    def test_low_quality_hashes_are_ignored(self) -> None:
        BankHash.objects.create(bank=self.bank, pdq=BASE, pdq_quality=30)
        self.assertEqual(capture_match(self.capture(pdq=BASE, pdq_quality=100)), [])
        BankHash.objects.create(bank=self.bank, pdq=BASE, pdq_quality=90)
        self.assertEqual(capture_match(self.capture(pdq=BASE, pdq_quality=40)), [])

    def test_exact_hash_matches(self) -> None:
        BankHash.objects.create(bank=self.bank, md5="a" * 32)
        BankHash.objects.create(bank=self.bank, sha1="b" * 40)
        BankHash.objects.create(bank=self.bank, sha256="c" * 64)
        found = capture_match(self.capture(md5="a" * 32, sha1="b" * 40,
                                                    sha256="c" * 64))
        self.assertEqual(sorted(m.kind for m in found), ["md5", "sha1", "sha256"])
        self.assertEqual(capture_match(self.capture(md5="d" * 32)), [])

    def test_disabled_banks_are_ignored(self) -> None:
        BankHash.objects.create(bank=self.bank, sha256="c" * 64, pdq=BASE, pdq_quality=90)
        HashBank.objects.filter(pk=self.bank.pk).update(enabled=False)
        self.assertEqual(capture_match(self.capture(sha256="c" * 64, pdq=BASE,
                                                             pdq_quality=100)), [])
        self.case.refresh_from_db()
        self.assertFalse(self.case.known_content)

    def test_known_content_prefills_the_assessment(self) -> None:
        BankHash.objects.create(bank=self.bank, pdq=flip(BASE, 4), pdq_quality=90,
                                classification={"uk_category": ["a"], "industry": ["A1"],
                                                "sex": ["female", "male"]})
        capture_match(self.capture(pdq=BASE, pdq_quality=100))
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

    def test_each_bank_has_its_own_distance(self) -> None:
        strict = HashBank.objects.create(name="Strict partner (test)", pdq_max_distance=10)
        planted = {}
        for bank in (self.bank, strict):
            for d in (0, 10, 31, 32):
                planted[bank.pk, d] = BankHash.objects.create(bank=bank, pdq=flip(BASE, d),
                                                              pdq_quality=90).pk
        found = {m.bank_hash_id for m in capture_match(self.capture(pdq=BASE, pdq_quality=100))}
        self.assertEqual(found, {planted[self.bank.pk, 0], planted[self.bank.pk, 10],
                                 planted[self.bank.pk, 31], planted[strict.pk, 0],
                                 planted[strict.pk, 10]})

    def test_a_bank_may_ask_for_a_higher_quality(self) -> None:
        picky = HashBank.objects.create(name="Picky (test)", pdq_min_quality=95)
        BankHash.objects.create(bank=picky, pdq=BASE, pdq_quality=99)
        self.assertEqual(capture_match(self.capture(pdq=BASE, pdq_quality=90)), [])
        self.assertEqual(len(capture_match(self.capture(pdq=BASE, pdq_quality=96))), 1)

    def test_a_negative_bank_wins(self) -> None:
        BankHash.objects.create(bank=self.bank, pdq=flip(BASE, 3), pdq_quality=90,
                                classification={"uk_category": ["a"]})
        benign = HashBank.objects.create(name="Logos (test)", kind=HashBank.Kind.NEGATIVE)
        BankHash.objects.create(bank=benign, pdq=flip(BASE, 5), pdq_quality=90)
        found = capture_match(self.capture(pdq=BASE, pdq_quality=100))
        self.assertEqual(sorted(m.bank_hash.bank.kind for m in found), ["negative", "partner"])
        self.case.refresh_from_db()
        self.assertFalse(self.case.known_content)  # both recorded, but benign wins
        client = self.as_user(self.analyst)
        client.post(f"/staff/cases/{self.case.pk}/claim/")
        page = client.get(f"/staff/cases/{self.case.pk}/")
        self.assertNotIn("verdict", page.context["form"].initial)  # nothing pre-filled

    def test_an_analyst_marks_an_item_benign_in_one_action(self) -> None:
        BankHash.objects.create(bank=self.bank, sha256="c" * 64, classification={
            "uk_category": ["a"]})
        capture_match(self.capture(sha256="c" * 64))
        self.case.refresh_from_db()
        self.assertTrue(self.case.known_content)
        item = CaptureItem.objects.get()
        r = self.as_user(self.analyst).post(
            f"/staff/cases/{self.case.pk}/items/{item.pk}/benign/")
        self.assertEqual(r.status_code, 302)
        self.case.refresh_from_db()
        self.assertFalse(self.case.known_content)
        negative = HashBank.objects.get(kind=HashBank.Kind.NEGATIVE)
        self.assertTrue(negative.hashes.filter(sha256="c" * 64).exists())
        self.assertTrue(AuditEntry.objects.filter(action="bank.negative_add").exists())
        # The next case showing the same item is not known content either.
        self.report("https://images.example.test/g/2")
        other = Case.objects.get(url__endswith="/g/2")
        self.case = other
        capture_match(self.capture(sha256="c" * 64))
        other.refresh_from_db()
        self.assertFalse(other.known_content)

    def test_the_index_is_built_once_per_bank_version(self) -> None:
        BankHash.objects.create(bank=self.bank, pdq=flip(BASE, 2), pdq_quality=90)
        builds = banks.builds[self.bank.pk]
        for _ in range(3):
            self.assertEqual(len(capture_match(self.capture(pdq=BASE, pdq_quality=100))), 1)
        self.assertEqual(banks.builds[self.bank.pk] - builds, 1)
        # Another worker process would load the saved file instead of building again.
        banks.forget_loaded()
        self.assertEqual(len(capture_match(self.capture(pdq=BASE, pdq_quality=100))), 1)
        self.assertEqual(banks.builds[self.bank.pk] - builds, 1)

    def test_a_worker_picks_up_a_new_version(self) -> None:
        BankHash.objects.create(bank=self.bank, pdq=flip(BASE, 2), pdq_quality=90)
        self.assertEqual(len(capture_match(self.capture(pdq=BASE, pdq_quality=100))), 1)
        near = BankHash.objects.create(bank=self.bank, pdq=flip(BASE, 6), pdq_quality=90)
        banks.bank_changed(self.bank)  # what every change of a bank does
        found = capture_match(self.capture(pdq=BASE, pdq_quality=100))
        self.assertIn(near.pk, {m.bank_hash_id for m in found})
        self.bank.refresh_from_db()
        self.assertFalse(banks.index_path(self.bank.pk, self.bank.version - 1).exists())

    def test_importing_a_bank_matches_the_open_cases(self) -> None:
        capture = self.capture(pdq=BASE, pdq_quality=100, sha256="d" * 64)
        self.assertEqual(capture_match(capture), [])
        bank = HashBank.objects.create(name="Imported later (test)")
        rows = f"md5,sha1,sha256,pdq,pdq_quality,classification\n,,,{flip(BASE, 7)},90,\n"
        with self.captureOnCommitCallbacks(execute=True):
            services.bank_import(bank, rows.encode(), "csv")
        queued = DBTaskResult.objects.get(task_path=tasks.bank_rematch.module_path)
        self.assertEqual(queued.args_kwargs["args"], [bank.pk])
        tasks.bank_rematch.call(*queued.args_kwargs["args"])  # as the capture worker does
        self.case.refresh_from_db()
        self.assertTrue(self.case.known_content)
        bank.refresh_from_db()
        self.assertEqual((bank.rematch_total, bank.rematch_done), (1, 1))
        self.assertIsNotNone(bank.rematch_finished_at)
        self.assertEqual(Match.objects.get().distance, 7)

    def test_disagreeing_verdicts_stop_a_hash_prefilling(self) -> None:
        bank_hash = BankHash.objects.create(bank=self.bank, sha256="c" * 64, classification={
            "uk_category": ["a"]})
        for n in range(2):
            self.report(f"https://images.example.test/d/{n}")
            case = Case.objects.get(url__endswith=f"/d/{n}")
            self.case = case
            capture_match(self.capture(sha256="c" * 64))
            services_cases.case_claim(case_id=case.pk, user=self.analyst)
            services_cases.case_assess(case_id=case.pk, analyst=self.analyst,
                                       verdict="not_illegal", classification={})
        bank_hash.refresh_from_db()
        self.assertEqual(bank_hash.disagreements, 2)
        self.report("https://images.example.test/d/next")
        self.case = Case.objects.get(url__endswith="/d/next")
        capture_match(self.capture(sha256="c" * 64))
        self.case.refresh_from_db()
        self.assertTrue(self.case.known_content)  # still shown as a match...
        self.assertEqual(known_classification(self.case), {})  # ...but pre-fills nothing

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
                capture_match(self.capture(pdq=BASE, pdq_quality=100))
                self.assertEqual(client.get(f"/staff/cases/{self.case.pk}/").status_code, 200)
                self.assertEqual(BankHash.objects.count(), 0)
            BankHash.objects.all().delete()

    def test_a_malformed_classification_stored_earlier_is_not_prefilled(self) -> None:
        # Rows imported before imports were checked: the page opens, without a pre-fill.
        BankHash.objects.create(bank=self.bank, pdq=BASE, pdq_quality=90,
                                classification={"industry": []})
        capture_match(self.capture(pdq=BASE, pdq_quality=100))
        client = self.as_user(self.analyst)
        client.post(f"/staff/cases/{self.case.pk}/claim/")
        page = client.get(f"/staff/cases/{self.case.pk}/")
        self.assertContains(page, 'id="known-content"')
        # Nothing from the bank: no verdict, no classification, no item pre-graded (the media
        # type, which the items themselves show, is all there is).
        initial = page.context["form"].initial
        self.assertEqual({k: v for k, v in initial.items() if k != "scheme_media_type"}, {})
