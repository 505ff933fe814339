from __future__ import annotations

from hotline.cases import services as cases
from hotline.lists import services
from hotline.lists.models import UrlListChange, UrlListEntry
from hotline.testing.base import StaffTestCase


class UrlListTestCase(StaffTestCase):
    def test_a_confirmed_case_goes_on_the_list(self) -> None:
        case = self.confirm("https://images.example.test/g/1")
        entry = UrlListEntry.objects.get()
        self.assertEqual(entry.case, case)
        self.assertEqual(entry.value, "https://images.example.test/g/1")
        self.assertFalse(entry.whole_domain)
        self.assertEqual(services.list_version(), UrlListChange.objects.get().pk)

    def test_an_unconfirmed_verdict_does_not(self) -> None:
        self.report("https://images.example.test/g/2")
        case = self.case_for("https://images.example.test/g/2")
        cases.case_claim(case_id=case.pk, user=self.analyst)
        cases.case_assess(case_id=case.pk, analyst=self.analyst, verdict="csam",
                          classification=self.CLASSIFICATION)
        self.assertFalse(UrlListEntry.objects.exists())  # waiting for review
        cases.case_claim(case_id=case.pk, user=self.senior)
        cases.case_review(case_id=case.pk, reviewer=self.senior, agrees=False,
                          verdict="not_illegal", classification={})
        self.assertFalse(UrlListEntry.objects.exists())

    def test_a_dedicated_site_is_listed_as_a_domain(self) -> None:
        self.confirm("https://www.dedicated.example.test/x/1", dedicated=True)
        entry = UrlListEntry.objects.get()
        self.assertTrue(entry.whole_domain)
        self.assertEqual(entry.value, "www.dedicated.example.test")

    def test_removal_takes_it_off_and_keeps_history(self) -> None:
        case = self.confirm("https://images.example.test/g/1")
        services.url_list_remove(case, reason="removed")
        entry = UrlListEntry.objects.get()
        self.assertFalse(entry.active)
        self.assertIsNotNone(entry.removed_at)
        self.assertEqual(list(UrlListChange.objects.values_list("action", flat=True)),
                         ["add", "remove"])
        added, removed = UrlListChange.objects.values_list("id", flat=True)
        version, rows = services.url_list_rows(None)
        self.assertEqual((version, rows), (removed, []))
        _v, delta = services.url_list_rows(added)
        self.assertEqual([(r.action, r.value) for r in delta],
                         [("remove", "https://images.example.test/g/1")])
