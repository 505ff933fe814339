"""One check of a batch of web addresses, used by the portal form and by trusted intake."""

from __future__ import annotations

import json

from django.test import Client

from hotline.intake.addresses import address_batch
from hotline.intake.models import Report
from hotline.members.models import ApiKey, Member
from hotline.testing.base import PublicTestCase

BATCH = ["https://a.example.test/x", " HTTPS://A.EXAMPLE.TEST/x ", "hxxp://b[.]example.test/",
         "b.example.test", "https://c.example.test/"]


def test_it_keeps_each_canonical_url_once_as_first_typed() -> None:
    batch = address_batch(BATCH)
    assert batch.kept == ["https://a.example.test/x", "hxxp://b[.]example.test/",
                          "https://c.example.test/"]
    assert batch.invalid == []


def test_it_names_every_address_that_is_not_one() -> None:
    batch = address_batch(["https://a.example.test/", "javascript:alert(1)", "http://",
                           "https://b.example.test/"])
    assert [(bad.position, bad.text) for bad in batch.invalid] == [
        (1, "javascript:alert(1)"), (2, "http://")]
    assert all(bad.reason for bad in batch.invalid)
    assert batch.kept == ["https://a.example.test/", "https://b.example.test/"]


class SameAnswerTestCase(PublicTestCase):
    def test_the_form_and_the_api_keep_the_same_addresses(self) -> None:
        self.submit(urls="\n".join(BATCH))
        member = Member.objects.create(name="Partner (test)", may_submit=True)
        _key, secret = ApiKey.issue(member)
        r = Client(HTTP_X_API_KEY=secret).post(
            "/api/v1/reports/", json.dumps({"reports": [{"urls": BATCH}]}),
            content_type="application/json")
        self.assertEqual(r.status_code, 201)
        public, trusted = Report.objects.order_by("id")
        self.assertEqual(list(public.addresses.values_list("submitted", flat=True)),
                         list(trusted.addresses.values_list("submitted", flat=True)))
        self.assertEqual(public.addresses.count(), 3)

    def test_the_form_and_the_api_refuse_the_same_addresses(self) -> None:
        bad = ["https://a.example.test/", "javascript:alert(1)", "http://"]
        page = self.submit(urls="\n".join(bad)).content.decode()
        member = Member.objects.create(name="Partner (test)", may_submit=True)
        _key, secret = ApiKey.issue(member)
        r = Client(HTTP_X_API_KEY=secret).post(
            "/api/v1/reports/", json.dumps({"reports": [{"urls": bad}]}),
            content_type="application/json")
        self.assertEqual([e["field"] for e in r.json()["errors"]],
                         ["reports.0.urls.1", "reports.0.urls.2"])
        self.assertIn("Line 2", page)
        self.assertIn("Line 3", page)
        self.assertNotIn("Line 1,", page)
        self.assertFalse(Report.objects.exists())
