"""Rate limits that never shut out the reporters who most need anonymity: refused posts have
their own budget, and onion visitors, who all arrive from the Tor daemon's address, share one
budget for the whole onion service instead of stopping at the first few."""

from __future__ import annotations

from typing import Any

from django.test import override_settings

from hotline.intake.models import Report
from hotline.lib import receipts
from hotline.portals.models import Portal
from hotline.testing.base import PublicTestCase

ONION = "a" * 56 + ".onion"
HUB_ONION = "b" * 56 + ".onion"
HOSTS = ["testserver", ONION, HUB_ONION]


@override_settings(REPORT_RATE_LIMIT=2, STATUS_RATE_LIMIT=2, INVALID_RATE_LIMIT=20,
                   ONION_RATE_FACTOR=3)
class RateLimitTestCase(PublicTestCase):
    def post(self, path: str = "/gm/en/report/", address: str = "192.0.2.50",
             **data: Any) -> Any:
        fields = self.report_data(**data) if path.endswith("/report/") else data
        return self.client.post(path, fields, REMOTE_ADDR=address)

    def test_junk_posts_do_not_stop_a_valid_report_from_the_same_address(self) -> None:
        for _ in range(16):
            self.assertEqual(self.post(urls="javascript:alert(1)").status_code, 400)
        self.assertEqual(self.post().status_code, 200)
        self.assertEqual(Report.objects.count(), 1)

    def test_refused_posts_have_their_own_larger_budget(self) -> None:
        for _ in range(20):
            self.post(urls="not an address")
        r = self.post(urls="not an address", description="Still here")
        self.assertContains(r, "too many requests", status_code=429)
        self.assertContains(r, "Still here", status_code=429)
        # The reporting budget is untouched, and still counts valid reports.
        self.assertEqual([self.post().status_code for _ in range(3)], [200, 200, 429])
        self.assertEqual(Report.objects.count(), 2)

    def test_malformed_receipt_codes_do_not_spend_the_status_budget(self) -> None:
        code = self.receipt_from(self.submit())
        for _ in range(5):
            self.assertEqual(self.post("/gm/en/status/", code="12345").status_code, 400)
        self.assertContains(self.post("/gm/en/status/", code=code), "Report found")

    @override_settings(ALLOWED_HOSTS=HOSTS)
    def test_many_onion_visitors_can_report(self) -> None:
        Portal.objects.filter(code="gm").update(onion_address=ONION)
        # Every onion visitor arrives from the Tor daemon's address.
        for _ in range(6):
            r = self.client.post("/gm/en/report/", self.report_data(), HTTP_HOST=ONION,
                                 REMOTE_ADDR="127.0.0.1")
            self.assertEqual(r.status_code, 200)
        self.assertEqual(Report.objects.count(), 6)

    @override_settings(ALLOWED_HOSTS=HOSTS, HUB_ONION_ADDRESS=HUB_ONION)
    def test_the_onion_budget_is_a_circuit_breaker_for_the_onion_side_only(self) -> None:
        def onion() -> Any:
            return self.client.post("/sn/fr/report/", self.report_data(), HTTP_HOST=HUB_ONION,
                                    REMOTE_ADDR="127.0.0.1")

        self.assertEqual([onion().status_code for _ in range(6)], [200] * 6)  # 3 times 2
        with self.assertLogs("hotline.public.views", "WARNING") as logs:
            r = onion()
            onion()
        self.assertContains(r, "envoyées par le service onion", status_code=429)
        self.assertContains(r, '<html lang="fr"', status_code=429)
        self.assertEqual(len(logs.output), 1)  # said once per window, with no client detail
        self.assertNotIn("127.0.0.1", logs.output[0])
        # Visitors on the ordinary address keep their own budgets.
        self.assertEqual(self.post(address="127.0.0.1").status_code, 200)
        self.assertEqual(self.post(address="192.0.2.51").status_code, 200)
        self.assertEqual(Report.objects.count(), 8)

    @override_settings(ALLOWED_HOSTS=HOSTS)
    def test_status_checks_through_the_onion_service_share_a_budget_too(self) -> None:
        Portal.objects.filter(code="gm").update(onion_address=ONION)
        code = self.receipt_from(self.submit())
        for _ in range(6):
            r = self.client.post("/gm/en/status/", {"code": receipts.new_code()},
                                 HTTP_HOST=ONION, REMOTE_ADDR="127.0.0.1")
            self.assertEqual(r.status_code, 200)
        r = self.client.post("/gm/en/status/", {"code": code}, HTTP_HOST=ONION,
                             REMOTE_ADDR="127.0.0.1")
        self.assertEqual(r.status_code, 429)
