"""Trusted intake over the API: submit, follow, errors, limits and permissions."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client, override_settings

from hotline.cases import services as cases
from hotline.cases.models import Case, CaseReport
from hotline.intake.models import Report, ReportedAddress
from hotline.members.models import ApiKey, Member
from hotline.portals.models import Portal
from hotline.testing.base import StaffTestCase, case_url


class TrustedIntakeTestCase(StaffTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.member = Member.objects.create(name="Partner hotline (test)", may_submit=True,
                                            may_download_lists=False,
                                            portal=Portal.objects.get(code="gm"))
        _key, secret = ApiKey.issue(self.member)
        self.api = Client(HTTP_X_API_KEY=secret)

    def post(self, body: Any, client: Client | None = None, **extra: Any) -> Any:
        return (client or self.api).post("/api/v1/reports/", json.dumps(body),
                                         content_type="application/json", **extra)

    def take_in(self) -> None:
        for report in Report.objects.filter(intake_done_at__isnull=True):
            cases.report_intake(report_id=report.pk)


class SubmitTest(TrustedIntakeTestCase):
    def test_a_batch_is_stored_and_queued(self) -> None:
        with self.captureOnCommitCallbacks(execute=True) as queued:
            r = self.post({"reports": [
                {"urls": ["https://a.example.test/1", "HTTPS://A.example.test/1",
                          "b.example.test/x"], "reference": "ph-1", "classification_hint": "A1",
                 "content_kind": "image", "description": "seen on a forum"},
                {"urls": ["https://c.example.test/"], "reference": "ph-2"},
            ]})
        self.assertEqual(r.status_code, 201, r.content)
        body = r.json()["reports"]
        self.assertEqual([b["reference"] for b in body], ["ph-1", "ph-2"])
        self.assertTrue(all(b["created"] for b in body))
        # Duplicates after normalisation are kept once.
        self.assertEqual([u["url"] for u in body[0]["urls"]],
                         ["https://a.example.test/1", "b.example.test/x"])
        self.assertEqual({u["state"] for u in body[0]["urls"]}, {"pending"})
        first = Report.objects.get(pk=body[0]["id"])
        self.assertEqual((first.member, first.portal.code if first.portal else None,
                          first.classification_hint, first.receipt_digest, first.language),
                         (self.member, "gm", "A1", None, ""))
        self.assertNotIn(b"seen on a forum", bytes(first.description_sealed or b""))
        self.assertEqual(len(queued), 2)  # one intake task per report

    def test_the_state_follows_the_case(self) -> None:
        r = self.post({"reports": [{"urls": ["https://a.example.test/1"], "reference": "x"}]})
        report_id = r.json()["reports"][0]["id"]
        self.take_in()
        state = self.api.get(f"/api/v1/reports/{report_id}").json()
        self.assertEqual(state["urls"][0]["state"], "queued")
        self.assertEqual(state["urls"][0]["canonical_url"], case_url("https://a.example.test/1"))
        case = Case.objects.get(links__report_id=report_id)
        cases.case_claim(case_id=case.pk, user=self.analyst)
        self.assertEqual(self.api.get(f"/api/v1/reports/{report_id}").json()["urls"][0]["state"],
                         "in_assessment")
        self.confirm_case(case)
        state = self.api.get(f"/api/v1/reports/{report_id}").json()
        self.assertEqual(state["urls"][0]["state"], "confirmed")
        self.assertEqual(state["status"], "confirmed")  # no notice sent yet
        by_reference = self.api.get("/api/v1/reports/?reference=x").json()
        self.assertEqual([r["id"] for r in by_reference["reports"]], [report_id])

    def test_a_retried_batch_makes_nothing_twice(self) -> None:
        batch = {"reports": [{"urls": ["https://a.example.test/1"], "reference": "r-1"}]}
        first = self.post(batch).json()["reports"][0]
        again = self.post(batch).json()["reports"][0]
        self.assertEqual((again["id"], again["created"]), (first["id"], False))
        self.assertEqual(Report.objects.filter(member=self.member).count(), 1)
        # Another member may use the same reference for its own report.
        other = Member.objects.create(name="Company (test)", may_submit=True)
        _key, secret = ApiKey.issue(other)
        r = self.post(batch, Client(HTTP_X_API_KEY=secret))
        self.assertNotEqual(r.json()["reports"][0]["id"], first["id"])

    def test_reports_of_other_members_are_not_found(self) -> None:
        report_id = self.post({"reports": [{"urls": ["https://a.example.test/1"]}]}
                              ).json()["reports"][0]["id"]
        other = Member.objects.create(name="Company (test)", may_submit=True)
        _key, secret = ApiKey.issue(other)
        r = Client(HTTP_X_API_KEY=secret).get(f"/api/v1/reports/{report_id}")
        self.assertEqual(r.status_code, 404)
        self.assertEqual(r.json()["field"], "report_id")
        self.assertEqual(Client(HTTP_X_API_KEY=secret).get("/api/v1/reports/").json()["reports"],
                         [])

    def test_pages_of_reports(self) -> None:
        self.post({"reports": [{"urls": [f"https://a.example.test/{i}"]} for i in range(5)]})
        first = self.api.get("/api/v1/reports/?limit=2").json()
        second = self.api.get(f"/api/v1/reports/?limit=2&after={first['next_after']}").json()
        ids = [r["id"] for r in first["reports"] + second["reports"]]
        self.assertEqual(ids, sorted(ids, reverse=True))
        self.assertEqual(len(set(ids)), 4)


class ErrorTest(TrustedIntakeTestCase):
    def assertProblem(self, r: Any, status: int, field: str | None) -> dict[str, Any]:
        self.assertEqual(r.status_code, status, r.content)
        self.assertTrue(r["Content-Type"].startswith("application/json"), r["Content-Type"])
        body: dict[str, Any] = r.json()
        self.assertEqual(body["field"], field)
        self.assertTrue(body["message"])
        return body

    def test_a_bad_url_names_its_field_and_nothing_is_stored(self) -> None:
        r = self.post({"reports": [{"urls": ["https://a.example.test/1"]},
                                   {"urls": ["https://b.example.test/", "javascript:alert(1)",
                                             "not a url"]}]})
        body = self.assertProblem(r, 422, "reports.1.urls.1")
        self.assertEqual([e["field"] for e in body["errors"]],
                         ["reports.1.urls.1", "reports.1.urls.2"])
        self.assertEqual(Report.objects.count(), 0)
        self.assertEqual(ReportedAddress.objects.count(), 0)

    def test_schema_errors_name_their_field(self) -> None:
        self.assertProblem(self.post({"reports": [{"urls": []}]}), 422, "reports.0.urls")
        self.assertProblem(self.post({"reports": [{"urls": ["https://a.example.test/"],
                                                   "classification_hint": "Z9"}]}),
                           422, "reports.0.classification_hint")
        self.assertProblem(self.post({}), 422, "reports")
        r = self.api.post("/api/v1/reports/", b"{not json", content_type="application/json")
        self.assertEqual(r.status_code, 400)
        self.assertTrue(r.json()["message"])
        self.assertProblem(self.api.get("/api/v1/reports/?limit=0"), 422, "limit")

    def test_duplicate_references_and_unknown_portals(self) -> None:
        self.assertProblem(self.post({"reports": [
            {"urls": ["https://a.example.test/"], "reference": "same"},
            {"urls": ["https://b.example.test/"], "reference": "same"}]}),
            422, "reports.1.reference")
        self.assertProblem(self.post({"reports": [
            {"urls": ["https://a.example.test/"], "portal": "zz"}]}), 422, "reports.0.portal")
        self.assertEqual(Report.objects.count(), 0)

    def test_a_member_reports_for_its_own_portal_only_unless_allowed_more(self) -> None:
        sn = Portal.objects.get(code="sn")
        body = self.assertProblem(self.post({"reports": [
            {"urls": ["https://a.example.test/"], "portal": "gm"},
            {"urls": ["https://b.example.test/"], "portal": "sn"}]}), 422, "reports.1.portal")
        self.assertIn("'sn'", body["message"])
        self.assertEqual(Report.objects.count(), 0)
        self.assertEqual(self.post({"reports": [
            {"urls": ["https://a.example.test/"], "portal": "gm"}]}).status_code, 201)
        # An administrator lets the member report for Senegal too.
        self.member.extra_portals.add(sn)
        r = self.post({"reports": [{"urls": ["https://b.example.test/"], "portal": "sn"}]})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual(Report.objects.get(pk=r.json()["reports"][0]["id"]).portal, sn)
        self.assertProblem(self.post({"reports": [
            {"urls": ["https://c.example.test/"], "portal": "km"}]}), 422, "reports.0.portal")

    def test_a_member_without_a_portal_may_name_none(self) -> None:
        self.member.portal = None
        self.member.save()
        self.assertProblem(self.post({"reports": [
            {"urls": ["https://a.example.test/"], "portal": "gm"}]}), 422, "reports.0.portal")
        r = self.post({"reports": [{"urls": ["https://a.example.test/"]}]})
        self.assertEqual(r.status_code, 201)
        self.assertIsNone(Report.objects.get().portal)

    def test_administrators_set_the_portals_in_the_admin(self) -> None:
        sn = Portal.objects.get(code="sn")
        admin = self.as_user(self.admin)
        page = admin.get(f"/staff/admin/members/member/{self.member.pk}/change/")
        self.assertContains(page, 'name="extra_portals"')
        r = admin.post(f"/staff/admin/members/member/{self.member.pk}/change/", {
            "name": self.member.name, "contact": "", "active": "on", "may_submit": "on",
            "portal": self.member.portal_id, "extra_portals": [sn.pk],
            "keys-TOTAL_FORMS": "0", "keys-INITIAL_FORMS": "0"})
        self.assertEqual(r.status_code, 302, r.content[:2000])
        self.assertEqual(list(self.member.extra_portals.all()), [sn])

    @override_settings(API_MAX_BODY_BYTES=2000)
    def test_body_size_is_limited_before_parsing(self) -> None:
        r = self.post({"reports": [{"urls": ["https://a.example.test/"],
                                    "description": "x" * 3000}]})
        self.assertProblem(r, 413, None)
        self.assertEqual(Report.objects.count(), 0)

    def test_batch_and_url_counts_are_limited(self) -> None:
        from django.conf import settings

        many = {"reports": [{"urls": ["https://a.example.test/"]}] * (settings.API_MAX_BATCH + 1)}
        self.assertProblem(self.post(many), 422, "reports")
        urls = [f"https://a.example.test/{i}" for i in range(settings.API_MAX_URLS + 1)]
        self.assertProblem(self.post({"reports": [{"urls": urls}]}), 422, "reports.0.urls")

    def test_keys_permissions_and_methods(self) -> None:
        body = self.assertProblem(self.post({"reports": [{"urls": ["a.example.test"]}]},
                                            Client()), 401, None)
        self.assertIn("API key", body["message"])
        self.assertProblem(self.api.get("/api/v1/lists/urls"), 403, None)
        reader = Member.objects.create(name="Search engine (test)")
        _key, secret = ApiKey.issue(reader)
        self.assertProblem(self.post({"reports": [{"urls": ["a.example.test"]}]},
                                     Client(HTTP_X_API_KEY=secret)), 403, None)
        r = self.api.delete("/api/v1/reports/")
        self.assertProblem(r, 405, None)
        self.assertProblem(self.api.get("/api/v1/no-such-thing"), 404, None)

    @override_settings(API_RATE_LIMIT="3/m")
    def test_requests_are_limited_per_key(self) -> None:
        for _ in range(3):
            self.assertEqual(self.api.get("/api/v1/reports/").status_code, 200)
        r = self.api.get("/api/v1/reports/")
        self.assertProblem(r, 429, None)
        self.assertGreater(int(r["Retry-After"]), 0)
        # Another key of the same member has its own allowance.
        _key, secret = ApiKey.issue(self.member)
        self.assertEqual(Client(HTTP_X_API_KEY=secret).get("/api/v1/reports/").status_code, 200)

    def test_a_database_outage_is_a_503_with_nothing_stored(self) -> None:
        from unittest import mock

        from django.db import OperationalError

        with mock.patch.object(ReportedAddress.objects, "bulk_create",
                               side_effect=OperationalError("server closed the connection")):
            r = self.post({"reports": [{"urls": ["https://a.example.test/"]}]})
        self.assertProblem(r, 503, None)
        self.assertEqual(r["Retry-After"], "60")
        self.assertEqual(Report.objects.count(), 0)


class LinkedCasesTest(TrustedIntakeTestCase):
    def test_public_and_member_reports_of_one_url_share_a_case(self) -> None:
        self.report("https://a.example.test/1")
        self.post({"reports": [{"urls": ["https://a.example.test/1"]}]})
        self.take_in()
        case = self.case_for(case_url("https://a.example.test/1"))
        self.assertEqual(CaseReport.objects.filter(case=case).count(), 2)
        self.assertEqual(Case.objects.get(pk=case.pk).report_count, 2)
        # The staff case page shows where each report came from.
        page = self.as_user(self.analyst).get(f"/staff/cases/{case.pk}/")
        self.assertContains(page, "Partner hotline (test)")
