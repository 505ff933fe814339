"""One check of a batch of web addresses, used by the portal form and by trusted intake."""

from __future__ import annotations

import json

from django.test import Client

from hotline.intake.addresses import address_batch
from hotline.intake.models import Report, ReportedAddress
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


CREDENTIALS = [
    # (as pasted, as kept)
    ("https://user:s3cret@a.example.test/x", "https://a.example.test/x"),
    ("hxxps://user:s3cret@b[.]example[.]test/y", "hxxps://b[.]example[.]test/y"),
    ("<http://s3cret@c.example.test/>", "<http://c.example.test/>"),
    ("s3cret@d.example.test/z?q=1", "d.example.test/z?q=1"),
    ("http://a@b:s3cret@e.example.test/", "http://e.example.test/"),
    ("http://user:s3cret@192.0.2.10:8080/p", "http://192.0.2.10:8080/p"),
    # An @ after the host is part of the path or query, not a credential.
    ("https://f.example.test/@s3cret", "https://f.example.test/@s3cret"),
    ("https://g.example.test?to=s3cret@example.test", "https://g.example.test?to=s3cret@example.test"),
]


def test_it_keeps_no_user_name_or_password() -> None:
    batch = address_batch([typed for typed, _kept in CREDENTIALS])
    assert batch.kept == [kept for _typed, kept in CREDENTIALS]
    assert batch.invalid == []


def test_credentials_do_not_change_which_url_it_is() -> None:
    batch = address_batch(["https://user:s3cret@a.example.test/x", "https://a.example.test/x"])
    assert batch.kept == ["https://a.example.test/x"]


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

    def test_neither_the_form_nor_the_api_stores_or_returns_credentials(self) -> None:
        pasted = "https://reporter:hunter2-s3cret@a.example.test/album"
        self.submit(urls=pasted)
        member = Member.objects.create(name="Partner (test)", may_submit=True)
        _key, secret = ApiKey.issue(member)
        r = Client(HTTP_X_API_KEY=secret).post(
            "/api/v1/reports/", json.dumps({"reports": [{"urls": [pasted]}]}),
            content_type="application/json")
        self.assertEqual(r.status_code, 201)
        self.assertNotIn("s3cret", r.content.decode())
        self.assertEqual(r.json()["reports"][0]["urls"][0]["url"],
                         "https://a.example.test/album")
        stored = list(ReportedAddress.objects.values_list("submitted", flat=True))
        self.assertEqual(stored, ["https://a.example.test/album"] * 2)

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
