from __future__ import annotations

from hotline.capture.models import Capture, CaptureItem
from hotline.cases import services
from hotline.cases.models import Case
from hotline.hosting.models import Trace
from hotline.lists.models import BankHash, HashBank, Match
from hotline.testing.base import StaffTestCase


class QueueTestCase(StaffTestCase):
    def ids(self, response) -> list[int]:  # type: ignore[no-untyped-def]
        return [c.pk for c in response.context["page"]]

    def test_order_most_reported_first_and_previously_assessed_last(self) -> None:
        self.report("https://a.example.test/")
        self.report("https://b.example.test/")
        self.report("https://b.example.test/")  # b: two reports
        self.report("https://c.example.test/")
        c = self.case_for("https://c.example.test/")
        Case.objects.filter(pk=c.pk).update(status=Case.Status.CLOSED, verdict="not_illegal")
        self.report("https://c.example.test/")  # previously assessed
        a, b = self.case_for("https://a.example.test/"), self.case_for("https://b.example.test/")
        c2 = self.case_for("https://c.example.test/")
        r = self.as_user(self.analyst).get("/staff/cases/")
        self.assertEqual(self.ids(r), [b.pk, a.pk, c2.pk])
        self.assertContains(r, "previously assessed: Not illegal")

    def test_older_first_among_equals(self) -> None:
        self.report("https://old.example.test/")
        self.report("https://new.example.test/")
        r = self.as_user(self.analyst).get("/staff/cases/")
        self.assertEqual(self.ids(r), [self.case_for("https://old.example.test/").pk,
                                       self.case_for("https://new.example.test/").pk])

    def test_filters(self) -> None:
        self.report("https://gm.example.test/")
        self.report("https://sn.example.test/", portal="sn", lang="fr")
        client = self.as_user(self.analyst)
        sn = self.case_for("https://sn.example.test/")
        self.assertEqual(self.ids(client.get("/staff/cases/?portal=sn")), [sn.pk])
        Case.objects.filter(pk=sn.pk).update(status=Case.Status.CLOSED, verdict="not_illegal")
        self.assertEqual(self.ids(client.get("/staff/cases/?portal=sn")), [])
        self.assertEqual(self.ids(client.get("/staff/cases/?status=closed")), [sn.pk])
        self.assertEqual(self.ids(client.get("/staff/cases/?status=all&verdict=not_illegal")),
                         [sn.pk])
        self.assertEqual(self.ids(client.get("/staff/cases/?status=all&verdict=csam")), [])

    def test_bad_filters_are_ignored_not_500(self) -> None:
        r = self.as_user(self.analyst).get("/staff/cases/?portal=nope&status=zzz&page=x")
        self.assertEqual(r.status_code, 200)


class QueueColumnsTestCase(StaffTestCase):
    """What an analyst reads off the queue before opening a case (issue 13)."""

    def test_each_row_says_where_from_what_capture_matches_country_and_age(self) -> None:
        self.report("https://img.example.test/g/1", content_kind="video")
        self.report("https://img.example.test/g/1", portal="sn", lang="fr")
        self.report("https://other.example.test/")
        case = self.case_for("https://img.example.test/g/1")
        capture = Capture.objects.create(case=case, url=case.url, status=200)
        items = [CaptureItem.objects.create(capture=capture, position=i, url=f"{case.url}/{i}",
                                            source="img", media="image", sha256=f"{i:064x}")
                 for i in range(3)]
        bank = HashBank.objects.create(name="Partner bank")
        Match.objects.create(item=items[0], kind="sha256",
                             bank_hash=BankHash.objects.create(bank=bank, sha256=f"{0:064x}"))
        benign = HashBank.objects.create(name="Allow", kind=HashBank.Kind.NEGATIVE)
        Match.objects.create(item=items[1], kind="sha256",
                             bank_hash=BankHash.objects.create(bank=benign, sha256=f"{1:064x}"))
        Trace.objects.create(case=case, ok=True, country="NL")
        other = self.case_for("https://other.example.test/")
        Capture.objects.create(case=other, url=other.url, status=404, error="HTTP 404")

        r = self.as_user(self.analyst).get("/staff/cases/")
        rows = {row.case.pk: row for row in r.context["rows"]}
        row = rows[case.pk]
        self.assertEqual(row.portals, [("gm", "en"), ("sn", "fr")])
        self.assertEqual(row.kinds, ["Videos", "Images"])
        self.assertEqual((row.capture.item_count, row.known_matches, row.country), (3, 1, "NL"))
        self.assertTrue(row.capture_ok)
        self.assertFalse(rows[other.pk].capture_ok)
        self.assertEqual((rows[other.pk].traced, rows[other.pk].country), (False, ""))
        self.assertContains(r, "fetched, 3 items")
        self.assertContains(r, "sn · fr")
        self.assertContains(r, "failed (HTTP 404)")
        self.assertContains(r, "not traced yet")
        self.assertContains(r, "<td>NL</td>", html=False)
        self.assertContains(r, 'datetime="')

    def test_the_page_reads_a_few_queries_whatever_its_length(self) -> None:
        for i in range(12):
            self.report(f"https://q{i}.example.test/")
        client = self.as_user(self.analyst)
        client.get("/staff/cases/")
        with self.assertNumQueriesLessThan(20):
            client.get("/staff/cases/")

    def assertNumQueriesLessThan(self, n: int):  # type: ignore[no-untyped-def]
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        test = self

        class Under(CaptureQueriesContext):
            def __exit__(self, *args):  # type: ignore[no-untyped-def]
                super().__exit__(*args)
                test.assertLess(len(self), n, [q["sql"] for q in self.captured_queries])

        return Under(connection)

    def ids(self, response) -> list[int]:  # type: ignore[no-untyped-def]
        return [c.pk for c in response.context["page"]]

    def test_search_by_address_and_by_domain(self) -> None:
        self.report("https://www.shop.example.test/a/1", "https://cdn.shop.example.test/b/2",
                    "https://elsewhere.example.test/a/1")
        www = self.case_for("https://www.shop.example.test/a/1")
        cdn = self.case_for("https://cdn.shop.example.test/b/2")
        elsewhere = self.case_for("https://elsewhere.example.test/a/1")
        client = self.as_user(self.analyst)
        self.assertEqual(set(self.ids(client.get("/staff/cases/?q=shop.example.test"))),
                         {www.pk, cdn.pk})
        self.assertEqual(self.ids(client.get("/staff/cases/?q=cdn.shop.example.test")),
                         [cdn.pk])
        self.assertEqual(set(self.ids(client.get("/staff/cases/?q=/a/1"))),
                         {www.pk, elsewhere.pk})
        self.assertEqual(self.ids(client.get(
            "/staff/cases/?q=https://www.shop.example.test/a/1")), [www.pk])
        self.assertEqual(self.ids(client.get("/staff/cases/?q=nothing.example.test")), [])
        r = client.get("/staff/cases/?q=" + "x" * 5000)
        self.assertEqual(r.status_code, 200)  # too long: said, and ignored like any bad filter
        self.assertContains(r, "at most 2000 characters")
        # Each row links to every case on its registrable domain.
        self.assertContains(r, 'href="?q=example.test&amp;status=all"')
        self.assertContains(r, "All cases on example.test")


class ReviewQueueTestCase(StaffTestCase):
    def test_who_assessed_and_since_when_but_never_the_verdict(self) -> None:
        self.report("https://img.example.test/g/1")
        case = self.case_for("https://img.example.test/g/1")
        services.case_claim(case_id=case.pk, user=self.analyst)
        with self.settings(REVIEW_SHARE_CSAM=1.0):
            services.case_assess(case_id=case.pk, analyst=self.analyst, verdict="csam",
                                 classification=self.CLASSIFICATION, notes="",
                                 dedicated=False)
        r = self.as_user(self.senior).get("/staff/cases/reviews/")
        self.assertEqual([c.pk for c, _ in r.context["rows"]], [case.pk])
        self.assertContains(r, "analyst@hub.example.test (Assessment)")
        self.assertContains(r, "Waiting for second review")
        self.assertContains(r, "does not show earlier verdicts")
        self.assertNotContains(r, "Child sexual abuse material")
        self.assertNotContains(r, "csam")
        self.assertContains(r, "<time", count=2)
        # The analyst who assessed it does not see it in review at all.
        self.assertEqual(self.as_user(self.analyst).get("/staff/cases/reviews/").status_code,
                         403)
