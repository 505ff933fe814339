from __future__ import annotations

from hotline.cases.models import Case
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
