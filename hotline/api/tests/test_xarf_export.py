"""Export of a confirmed case as XARF v4 JSON, validated by the official xarf library."""

from __future__ import annotations

import json

from django.test import Client
from xarf import parse

from hotline.audit.models import AuditEntry
from hotline.members.models import ApiKey, Member

from .test_reports import TrustedIntakeTestCase


class XarfExportTest(TrustedIntakeTestCase):
    def test_a_member_exports_the_confirmed_cases_of_its_reports(self) -> None:
        self.post({"reports": [{"urls": ["https://a.example.test/1"]}]})
        self.take_in()
        case = self.confirm("https://a.example.test/1")
        r = self.api.get(f"/api/v1/cases/{case.pk}/xarf")
        self.assertEqual(r.status_code, 200, r.content)
        result = parse(r.content.decode())
        self.assertEqual(result.errors, [])
        self.assertEqual(type(result.report).__name__, "CsamReport")
        report = r.json()
        self.assertEqual((report["category"], report["type"], report["classification"],
                          report["url"], report["content_removed"]),
                         ("content", "csam", "B2", case.url, False))
        self.assertIn(f"case:{case.pk}", report["tags"])
        self.assertTrue(AuditEntry.objects.filter(action="case.export.xarf",
                                                  object_id=str(case.pk)).exists())
        # A case it did not report is not found, unless the member may export any case.
        other = self.confirm("https://b.example.test/2")
        self.assertEqual(self.api.get(f"/api/v1/cases/{other.pk}/xarf").status_code, 404)
        self.member.may_export = True
        self.member.save()
        self.assertEqual(self.api.get(f"/api/v1/cases/{other.pk}/xarf").status_code, 200)

    def test_a_case_not_confirmed_is_not_found(self) -> None:
        self.post({"reports": [{"urls": ["https://a.example.test/1"]}]})
        self.take_in()
        case = self.case_for("https://a.example.test/1")
        self.member.may_export = True
        self.member.save()
        r = self.api.get(f"/api/v1/cases/{case.pk}/xarf")
        self.assertEqual(r.status_code, 404)
        self.assertEqual(json.loads(r.content)["field"], "case_id")
        self.assertEqual(Client().get(f"/api/v1/cases/{case.pk}/xarf").status_code, 401)

    def test_lists_only_members_may_export_their_nothing(self) -> None:
        reader = Member.objects.create(name="Search engine (test)")
        _key, secret = ApiKey.issue(reader)
        case = self.confirm("https://a.example.test/1")
        r = Client(HTTP_X_API_KEY=secret).get(f"/api/v1/cases/{case.pk}/xarf")
        self.assertEqual(r.status_code, 404)
