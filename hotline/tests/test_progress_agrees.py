"""The receipt's status page and the member API can never disagree about a report: both read
hotline/cases/progress.py. Hypothesis builds reports whose addresses are at every stage (no
case yet, queued, claimed, in review, assessed, confirmed, actioned, removed) and asks both."""

from __future__ import annotations

from django.test import Client, override_settings
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from hotline.cases.models import Case, CaseReport, url_digest
from hotline.cases.progress import ReportStatus, UrlState
from hotline.intake.models import Report, ReportedAddress
from hotline.lib import receipts
from hotline.members.models import ApiKey, Member
from hotline.takedown.models import Notice, Takedown
from hotline.testing.base import StaffTestCase

STAGES = ["no_case", "open", "claimed", "review", "third", "not_illegal", "csam_unreviewed",
          "confirmed", "actioned", "notified", "removed"]


@override_settings(STATUS_RATE_LIMIT=1_000_000, API_RATE_LIMIT="1000000/m")
class ProgressAgreesTestCase(StaffTestCase, HypothesisTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.member = Member.objects.create(name="Partner hotline (test)", may_submit=True)
        _key, secret = ApiKey.issue(self.member)
        self.api = Client(HTTP_X_API_KEY=secret)

    def make_report(self, stages: list[str], taken_in: bool) -> tuple[Report, str]:
        code = receipts.new_code()
        now = timezone.now()
        report = Report.objects.create(
            portal=self.gm, member=self.member, language="en", content_kind="image",
            receipt_key=receipts.key(code), intake_done_at=now if taken_in else None)
        for position, stage in enumerate(stages):
            url = f"https://s{Report.objects.count()}.example.test/{position}"
            address = ReportedAddress.objects.create(report=report, position=position,
                                                     submitted=url, canonical_url=url)
            if stage == "no_case":
                continue
            closed = stage in ("not_illegal", "csam_unreviewed", "confirmed", "actioned",
                               "notified", "removed")
            case = Case.objects.create(
                url=url, url_sha256=url_digest(url), host="example.test",
                registrable_domain="example.test", first_reported=now, last_reported=now,
                status={"open": Case.Status.OPEN, "claimed": Case.Status.OPEN,
                        "review": Case.Status.REVIEW, "third": Case.Status.THIRD}.get(
                            stage, Case.Status.CLOSED),
                claimed_by=self.analyst if stage == "claimed" else None,
                claimed_at=now if stage == "claimed" else None,
                verdict="" if not closed else "not_illegal" if stage == "not_illegal" else "csam",
                confirmed=stage in ("confirmed", "actioned", "notified", "removed"),
                closed_at=now if closed else None)
            CaseReport.objects.create(case=case, report=report, address=address)
            if stage in ("actioned", "notified", "removed"):
                takedown = Takedown.objects.create(
                    case=case, confirmed_at=now, removed_at=now if stage == "removed" else None)
            if stage == "notified":
                Notice.objects.create(takedown=takedown, sequence=1, kind=Notice.Kind.FIRST,
                                      route=Takedown.Route.NOTICE, state=Notice.State.SENT,
                                      recipient_email="abuse@hosting.example.test",
                                      sent_at=now)
        return report, code

    @settings(max_examples=60, deadline=None)
    @given(stages=st.lists(st.sampled_from(STAGES), min_size=1, max_size=4),
           taken_in=st.booleans())
    def test_the_status_page_and_the_api_agree(self, stages: list[str], taken_in: bool) -> None:
        report, code = self.make_report(stages, taken_in)
        api = self.api.get(f"/api/v1/reports/{report.pk}").json()
        page = self.client.post("/gm/en/status/", {"code": code}).content.decode()
        shown = page.split('class="state"')[1].split("<strong>")[1].split("</strong>")[0]

        self.assertEqual(shown, str(ReportStatus(api["status"]).label))
        states = [u["state"] for u in api["urls"]]
        self.assertEqual(len(states), len(stages))
        if api["status"] == ReportStatus.RECEIVED:
            self.assertLessEqual(set(states), {UrlState.PENDING, UrlState.NOT_A_URL,
                                               UrlState.QUEUED})
        if api["status"] == ReportStatus.REMOVED:
            self.assertIn(UrlState.REMOVED, states)
            self.assertNotIn(UrlState.QUEUED, states)
        self.assertIn(api["status_text"], page)
        if api["status"] == ReportStatus.ACTION_TAKEN:
            self.assertIn("notified", stages)
        if api["status"] in (ReportStatus.ASSESSED, ReportStatus.CONFIRMED,
                             ReportStatus.ACTION_TAKEN, ReportStatus.REMOVED):
            self.assertFalse({UrlState.QUEUED, UrlState.IN_ASSESSMENT} & set(states))
        if UrlState.IN_ASSESSMENT in states:
            self.assertEqual(api["status"], ReportStatus.BEING_ASSESSED)
