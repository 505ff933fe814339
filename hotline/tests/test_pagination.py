"""Paged staff lists (queue, audit log, takedown list) share one pagination that keeps the
current filters, goes both ways and reaches every page."""

from __future__ import annotations

import re

from django.utils import timezone

from hotline.audit.services import audit_record
from hotline.cases.models import Case, CaseReport, url_digest
from hotline.intake.models import Report, ReportedAddress
from hotline.takedown.models import Takedown
from hotline.testing.base import StaffTestCase


def links(page: str) -> dict[str, str]:
    """rel → href of the pagination links on a page."""
    return {rel: href.replace("&amp;", "&") for href, rel in
            re.findall(r'<a href="([^"]*)" rel="(prev|next)"', page)}


class PaginationTestCase(StaffTestCase):
    def make_cases(self, n: int, portal_code: str = "gm") -> list[Case]:
        now = timezone.now()
        portal = self.gm if portal_code == "gm" else self.km
        report = Report.objects.create(portal=portal, language="en", content_kind="image",
                                       receipt_digest=f"pages-{portal_code}")
        made = []
        for i in range(n):
            url = f"https://p{i}.{portal_code}.example.test/"
            address = ReportedAddress.objects.create(report=report, position=i, submitted=url)
            case = Case.objects.create(url=url, url_sha256=url_digest(url), host="example.test",
                                       registrable_domain="example.test", first_reported=now,
                                       last_reported=now)
            CaseReport.objects.create(case=case, report=report, address=address, portal=portal)
            made.append(case)
        return made

    def test_the_queue_keeps_its_filters_on_every_page(self) -> None:
        self.make_cases(55, "gm")
        self.make_cases(3, "km")
        client = self.as_user(self.analyst)
        first = client.get("/staff/cases/", {"portal": "gm"}).content.decode()
        following = links(first)["next"]
        self.assertIn("portal=gm", following)
        second = client.get("/staff/cases/" + following).content.decode()
        self.assertIn("p54.gm.example.test", second + first)
        self.assertNotIn("km.example.test", second)
        self.assertIn("portal=gm", links(second)["prev"])
        self.assertNotIn("next", links(second))

    def test_the_audit_log_keeps_its_filters_and_goes_back(self) -> None:
        for i in range(105):
            audit_record(actor=self.admin, action="test.paging", number=i)
        audit_record(actor=self.admin, action="other.action")
        client = self.as_user(self.admin)
        first = client.get("/staff/audit/", {"action": "test."}).content.decode()
        older = links(first)["next"]
        self.assertIn("action=test.", older)
        second = client.get("/staff/audit/" + older).content.decode()
        self.assertIn("test.paging", second)
        self.assertNotIn("other.action", second)
        self.assertIn("action=test.", links(second)["prev"])

    def test_every_takedown_can_be_reached(self) -> None:
        now = timezone.now()
        for case in self.make_cases(51):
            Takedown.objects.create(case=case, confirmed_at=now, state=Takedown.State.ACTIVE)
        client = self.as_user(self.analyst)
        first = client.get("/staff/takedown/", {"state": "active"}).content.decode()
        following = links(first)["next"]
        self.assertIn("state=active", following)
        second = client.get("/staff/takedown/" + following).content.decode()
        shown = set(re.findall(r"p(\d+)\.gm\.example\.test", first + second))
        self.assertEqual(len(shown), 51)
