"""trace_case: a case's URL traced and stored, as the takedown app will ask for it."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib.admin.sites import site as admin_site
from django.test import override_settings

from hotline.hosting.models import Trace
from hotline.hosting.services import trace_case
from hotline.testing.base import StaffTestCase
from hotline.testing.geoip import ABUSE_EMAIL, hosting_world


class TraceCaseTest(StaffTestCase):
    def test_a_trace_is_stored_with_its_findings(self) -> None:
        self.report("https://www.shop.example.test/gallery/1")
        case = self.case_for("https://www.shop.example.test/gallery/1")
        with tempfile.TemporaryDirectory() as directory, \
                hosting_world(Path(directory)) as world, override_settings(**world.settings):
            trace = trace_case(case_id=case.pk)

        trace.refresh_from_db()
        self.assertEqual(list(Trace.objects.filter(case=case)), [trace])
        self.assertTrue(trace.ok)
        self.assertEqual((trace.failed_step, trace.error), ("", ""))
        self.assertEqual(trace.address, "192.0.2.10")
        self.assertEqual((trace.country, trace.asn, trace.organisation),
                         ("GM", 64500, "Example Hosting Ltd"))
        self.assertEqual(trace.abuse_email, ABUSE_EMAIL)
        self.assertFalse(trace.cdn)
        self.assertEqual(trace.result["canonical_name"], "edge.example.test")
        self.assertEqual([a["ip"] for a in trace.result["addresses"]],
                         ["192.0.2.10", "2001:db8::10"])
        self.assertEqual([s["step"] for s in trace.result["steps"]], ["dns", "geoip", "rdap"])

    def test_a_failed_trace_is_stored_too(self) -> None:
        self.report("https://gone.example.test/page")
        case = self.case_for("https://gone.example.test/page")
        with tempfile.TemporaryDirectory() as directory, \
                hosting_world(Path(directory)) as world, override_settings(**world.settings):
            first = trace_case(case_id=case.pk)
            second = trace_case(case_id=case.pk)

        self.assertEqual(Trace.objects.filter(case=case).count(), 2)
        self.assertEqual(Trace.objects.filter(case=case).latest(), second)
        for trace in (first, second):
            self.assertFalse(trace.ok)
            self.assertEqual(trace.failed_step, Trace.Step.DNS)
            self.assertIn("NXDOMAIN", trace.error)
            self.assertIsNone(trace.address)
            self.assertEqual((trace.country, trace.asn, trace.abuse_email), ("", None, ""))

    def test_traces_are_read_only_in_the_admin(self) -> None:
        self.report("https://gone.example.test/page")
        case = self.case_for("https://gone.example.test/page")
        trace = Trace.objects.create(case=case, failed_step="dns", error="test")
        model_admin = admin_site._registry[Trace]
        client = self.as_user(self.admin)
        self.assertEqual(client.get("/staff/admin/hosting/trace/").status_code, 200)
        self.assertEqual(client.get(f"/staff/admin/hosting/trace/{trace.pk}/change/")
                         .status_code, 200)
        request = client.get("/staff/admin/hosting/trace/").wsgi_request
        self.assertFalse(model_admin.has_add_permission(request))
        self.assertFalse(model_admin.has_change_permission(request, trace))
        self.assertFalse(model_admin.has_delete_permission(request, trace))
