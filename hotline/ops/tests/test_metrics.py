"""/metrics: the Prometheus text format, counts from the database, only for allowed clients."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import override_settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from hotline.capture.models import Capture
from hotline.cases.models import Case
from hotline.cases.tasks import report_intake
from hotline.intake.models import Report
from hotline.ops.heartbeat import beat
from hotline.takedown.models import Notice, Takedown
from hotline.testing.base import PublicTestCase


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """(sample name, sorted labels) → value, for every sample of the answer."""
    found = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            found[s.name, tuple(sorted(s.labels.items()))] = s.value
    return found


def case(url: str, status: str = Case.Status.OPEN, **fields: Any) -> Case:
    now = timezone.now()
    values: dict[str, Any] = {"first_reported": now, "last_reported": now, **fields}
    return Case.objects.create(url=url, url_sha256=url.encode().hex()[:64].ljust(64, "0"),
                               host="site.example.test", registrable_domain="example.test",
                               status=status, **values)


@override_settings(METRICS_ALLOWED_ADDRESSES=["127.0.0.1", "::1"], METRICS_TOKEN="",
                   TRUSTED_PROXY_COUNT=0, METRICS_WINDOW_DAYS=30)
class MetricsTestCase(PublicTestCase):
    def scrape(self, **headers: Any) -> Any:
        return self.client.get("/metrics", **headers)

    def test_counts_from_the_database_and_nothing_of_any_report(self) -> None:
        """Each figure from seeded rows, with what falls outside its window left out."""
        now = timezone.now()
        self.submit()
        self.submit(path="/km/fr/report/")
        self.submit(path="/km/fr/report/")
        self.submit(path="/sn/fr/report/")
        Report.objects.filter(portal__code="sn").update(received_at=now - timedelta(hours=25))
        case("https://a.example.test/1", first_reported=now - timedelta(hours=5))
        case("https://a.example.test/2", first_reported=now - timedelta(hours=1))
        case("https://a.example.test/3", Case.Status.REVIEW)
        Case.objects.filter(url="https://a.example.test/3").update(priority=2)  # urgent
        case("https://a.example.test/4", Case.Status.THIRD)
        closed = [case(f"https://a.example.test/c{i}", Case.Status.CLOSED, closed_at=now,
                       time_to_assessment=timedelta(hours=h)) for i, h in enumerate([2, 30])]
        case("https://a.example.test/old", Case.Status.CLOSED, closed_at=now - timedelta(days=40),
             time_to_assessment=timedelta(hours=1))  # outside the window of the histogram
        removed = Takedown.objects.create(case=closed[0], state=Takedown.State.REMOVED,
                                          confirmed_at=now, removed_at=now,
                                          time_to_removal=timedelta(hours=3))
        Takedown.objects.create(case=closed[1], state=Takedown.State.NO_CONTACT, confirmed_at=now)
        for sequence, state in enumerate(["sent", "failed"], 1):
            Notice.objects.create(takedown=removed, sequence=sequence, kind=Notice.Kind.FIRST,
                                  route="notice", recipient_email="abuse@host.example.test",
                                  state=state)
        for error in ["dns", "dns", "timeout", "", "something new"]:
            Capture.objects.create(case=closed[0], url=closed[0].url, error=error)
        report_intake.enqueue(1)
        beat("w1", "default", started_at=now, now=now - timedelta(seconds=20))

        response = self.scrape()
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("text/plain; version=0.0.4"))
        self.assertFalse(response.cookies)
        text = response.content.decode()
        self.assertNotIn("example.test", text)
        got = samples(text)
        received = "hotline_reports_received_recent"
        self.assertEqual(got[received, (("portal", "gm"),)], 1)
        self.assertEqual(got[received, (("portal", "km"),)], 2)
        self.assertEqual(got[received, (("portal", "sn"),)], 0)
        for status, n in [("open", 2), ("review", 1), ("third", 1)]:
            self.assertEqual(got["hotline_cases_waiting", (("status", status),)], n)
        self.assertEqual(got["hotline_review_backlog", ()], 2)
        self.assertEqual(got["hotline_cases_urgent_waiting", ()], 1)
        self.assertAlmostEqual(got["hotline_oldest_unassessed_case_age_seconds", ()], 5 * 3600,
                               delta=60)
        for state, n in [("no_contact", 1), ("active", 0), ("tracing", 0)]:
            self.assertEqual(got["hotline_takedowns_open", (("state", state),)], n)
        self.assertEqual(got["hotline_notices_unsent", (("state", "failed"),)], 1)
        self.assertEqual(got["hotline_notices_unsent", (("state", "pending"),)], 0)
        for outcome, n in [("ok", 1), ("dns", 2), ("timeout", 1), ("other", 1), ("proxy", 0)]:
            self.assertEqual(got["hotline_recent_captures", (("outcome", outcome),)], n)
        self.assertEqual(got["hotline_task_queue_depth", (("queue", "default"),)], 1)
        self.assertEqual(got["hotline_task_queue_depth", (("queue", "capture"),)], 0)
        self.assertAlmostEqual(
            got["hotline_worker_heartbeat_age_seconds", (("queue", "default"),)], 20, delta=10)
        self.assertEqual(got["hotline_worker_heartbeat_age_seconds", (("queue", "capture"),)],
                         float("inf"))
        # Time to assessment: 2 h and 30 h in the window (the 40-day-old case is not).
        bucket = "hotline_time_to_assessment_seconds_bucket"
        self.assertEqual(got[bucket, (("le", "3600.0"),)], 0)
        self.assertEqual(got[bucket, (("le", "14400.0"),)], 1)
        self.assertEqual(got[bucket, (("le", "172800.0"),)], 2)
        self.assertEqual(got[bucket, (("le", "+Inf"),)], 2)
        self.assertEqual(got["hotline_time_to_assessment_seconds_gsum", ()], 32 * 3600)
        self.assertEqual(got["hotline_time_to_removal_seconds_bucket", (("le", "21600.0"),)], 1)

    def test_an_empty_database_answers_zeros(self) -> None:
        got = samples(self.scrape().content.decode())
        self.assertEqual(got["hotline_cases_waiting", (("status", "open"),)], 0)
        self.assertEqual(got["hotline_oldest_unassessed_case_age_seconds", ()], 0)
        self.assertEqual(got["hotline_time_to_removal_seconds_bucket", (("le", "+Inf"),)], 0)

    def test_other_addresses_get_the_sites_404(self) -> None:
        refused = self.scrape(REMOTE_ADDR="203.0.113.9")
        self.assertEqual(refused.status_code, 404)
        self.assertNotIn(b"hotline_", refused.content)
        elsewhere = self.client.get("/no-such-page/", REMOTE_ADDR="203.0.113.9")
        self.assertEqual(refused.content, elsewhere.content)

    @override_settings(METRICS_ALLOWED_ADDRESSES=["192.0.2.0/24"])
    def test_networks_may_be_allowed(self) -> None:
        self.assertEqual(self.scrape(REMOTE_ADDR="192.0.2.77").status_code, 200)
        self.assertEqual(self.scrape(REMOTE_ADDR="127.0.0.1").status_code, 404)

    def test_through_an_unknown_proxy_the_address_proves_nothing(self) -> None:
        # A reverse proxy on the same machine: every visitor would come from 127.0.0.1.
        self.assertEqual(self.scrape(HTTP_X_FORWARDED_FOR="203.0.113.9").status_code, 404)
        self.assertEqual(self.scrape(HTTP_FORWARDED="for=203.0.113.9").status_code, 404)

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_behind_a_trusted_proxy_the_forwarded_address_counts(self) -> None:
        self.assertEqual(self.scrape(HTTP_X_FORWARDED_FOR="127.0.0.1").status_code, 200)
        self.assertEqual(self.scrape(HTTP_X_FORWARDED_FOR="203.0.113.9").status_code, 404)

    @override_settings(METRICS_TOKEN="s3cret-token-for-tests")
    def test_a_bearer_token_opens_it_from_anywhere(self) -> None:
        far = {"REMOTE_ADDR": "203.0.113.9"}
        self.assertEqual(self.scrape(HTTP_AUTHORIZATION="Bearer s3cret-token-for-tests",
                                     **far).status_code, 200)
        for wrong in ["Bearer s3cret", "Bearer ", "Basic s3cret-token-for-tests", ""]:
            self.assertEqual(self.scrape(HTTP_AUTHORIZATION=wrong, **far).status_code, 404)

    def test_without_a_token_configured_no_token_opens_it(self) -> None:
        self.assertEqual(self.scrape(HTTP_AUTHORIZATION="Bearer ", REMOTE_ADDR="203.0.113.9")
                         .status_code, 404)
