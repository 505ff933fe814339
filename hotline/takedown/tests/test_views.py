from __future__ import annotations

import datetime as dt

from hotline.audit.models import AuditEntry
from hotline.takedown.models import Notice, Takedown

from .base import HOST, POLICE, TakedownTestCase


class TakedownViewsTestCase(TakedownTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.case = self.confirm("https://images.example.test/g/1")
        self.takedown = self.active_takedown(self.case, [HOST, POLICE])

    def test_staff_see_every_actioned_url_and_its_history(self) -> None:
        client = self.as_user(self.analyst)
        page = client.get("/staff/takedown/")
        self.assertContains(page, "https://images.example.test/g/1")
        detail = client.get(f"/staff/takedown/{self.case.pk}/")
        self.assertContains(detail, "abuse@hosting.example.test")
        self.assertContains(detail, 'id="takedown-state"')
        self.assertNotContains(detail, "Override the routing")  # analysts do not decide

    def test_partners_and_strangers_do_not(self) -> None:
        self.assertEqual(self.as_user(self.partner).get("/staff/takedown/").status_code, 403)
        from django.test import Client

        self.assertEqual(Client().get("/staff/takedown/").status_code, 302)

    def test_a_senior_overrides_the_route_audited(self) -> None:
        client = self.as_user(self.senior)
        r = client.post(f"/staff/takedown/{self.case.pk}/override/", {
            "route": "referral", "email": "hotline@partner.example.test",
            "name": "Partner hotline (test)", "language": "fr",
            "reason": "host is a known bad actor"})
        self.assertEqual(r.status_code, 302)
        takedown = Takedown.objects.get(pk=self.takedown.pk)
        self.assertEqual(takedown.route, "referral")
        self.assertEqual((takedown.current_contact() or {})["email"],
                         "hotline@partner.example.test")
        self.assertEqual(takedown.overridden_by, self.senior)
        entry = AuditEntry.objects.get(action="takedown.override")
        self.assertEqual(entry.details["reason"], "host is a known bad actor")
        notice = Notice.objects.get()
        self.assertEqual((notice.recipient_email, notice.language),
                         ("hotline@partner.example.test", "fr"))

    def test_an_override_needs_a_reason_and_an_address(self) -> None:
        client = self.as_user(self.senior)
        r = client.post(f"/staff/takedown/{self.case.pk}/override/",
                        {"route": "referral", "email": "not an address", "language": "fr"})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(self.as_user(self.analyst).post(
            f"/staff/takedown/{self.case.pk}/override/", {}).status_code, 403)
        self.assertFalse(Notice.objects.exists())


class TraceDatasetShownTestCase(TakedownTestCase):
    def test_the_page_says_which_dataset_gave_the_country_and_how_old_it_was(self) -> None:
        from hotline.hosting.datasets import Dataset
        from hotline.hosting.models import Trace

        case = self.confirm("https://images.example.test/g/2")
        offline = Dataset(name="iptocc", version="3.3.170", built=dt.date(2026, 10, 27))
        source = {**offline.source(), "age_days": 33}  # as recorded on the day of the trace
        Trace.objects.create(case=case, country="US", result={"steps": [
            {"step": "dns", "source": {}},
            {"step": "geoip", "source": {"country": source, "asn": None}}]})

        page = self.as_user(self.analyst).get(f"/staff/takedown/{case.pk}/")
        self.assertContains(page, "iptocc 3.3.170")
        self.assertContains(page, "data of 2026-10-27, 33 days old")
        self.assertContains(page, "no network data")
