from __future__ import annotations

import datetime as dt

from django.test import override_settings

from hotline.audit.models import AuditEntry
from hotline.cases.models import Assessment, Case, Scheme, SchemeOption
from hotline.cases.progress import ReportStatus, report_progress
from hotline.intake.models import Report
from hotline.portals.models import Portal
from hotline.testing.base import StaffTestCase


@override_settings(REVIEW_SHARE_CSAM=1.0, REVIEW_SHARE_OTHER=0.0)
class AssessTestCase(StaffTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.reported = self.report("https://images.example.test/g/1")
        self.case = Case.objects.get()

    def claimed_by(self, user):  # type: ignore[no-untyped-def]
        client = self.as_user(user)
        client.post(f"/staff/cases/{self.case.pk}/claim/")
        return client

    def assess(self, client, **data):  # type: ignore[no-untyped-def]
        return client.post(f"/staff/cases/{self.case.pk}/assess/", data)

    def test_a_csam_verdict_waits_for_second_review(self) -> None:
        client = self.claimed_by(self.analyst)
        r = self.assess(client, **self.csam_post())
        self.assertRedirects(r, "/staff/cases/", fetch_redirect_response=False)
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, Case.Status.REVIEW)
        self.assertIsNone(self.case.claimed_by)
        self.assertFalse(self.case.confirmed)
        a = Assessment.objects.get()
        self.assertEqual(a.classification["uk_category"], ["c"])
        self.assertEqual(a.classification["industry"], ["B2"])
        self.assertTrue(a.needs_review)
        self.assertEqual(report_progress(Report.objects.get()).status, ReportStatus.BEING_ASSESSED)

    def test_closing_stores_what_the_figures_read(self) -> None:
        from hotline.cases.models import CaseReport
        from hotline.stats import figures

        link = CaseReport.objects.get()
        self.assertEqual((link.portal, link.closed_at), (self.gm, None))
        client = self.claimed_by(self.analyst)
        self.assess(client, verdict="not_illegal", notes="")
        self.case.refresh_from_db()
        link.refresh_from_db()
        self.assertEqual(self.case.status, Case.Status.CLOSED)
        self.assertEqual(link.closed_at, self.case.closed_at)
        closed = self.case.closed_at
        assert closed is not None
        self.assertEqual(self.case.time_to_assessment, closed - self.case.first_reported)
        period = figures.Period(closed - dt.timedelta(hours=1), closed + dt.timedelta(hours=1))
        self.assertEqual(figures.summary([self.gm], period)["assessed"], 1)
        self.assertEqual(figures.summary([Portal.objects.get(code="sn")], period)["assessed"], 0)

    def test_csam_needs_every_required_scheme(self) -> None:
        client = self.claimed_by(self.analyst)
        r = self.assess(client, verdict="csam", scheme_uk_category="a", notes="keep me")
        self.assertContains(r, "Required for this verdict.", status_code=400)
        self.assertContains(r, "keep me", status_code=400)
        self.assertFalse(Assessment.objects.exists())

    def test_unknown_options_are_refused(self) -> None:
        client = self.claimed_by(self.analyst)
        r = self.assess(client, **self.csam_post(scheme_uk_category="z"))
        self.assertEqual(r.status_code, 400)
        r = self.assess(client, verdict="maybe")
        self.assertEqual(r.status_code, 400)
        self.assertFalse(Assessment.objects.exists())

    def test_other_verdicts_close_unless_sampled(self) -> None:
        client = self.claimed_by(self.analyst)
        self.assess(client, verdict="not_in_remit", notes="")
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, Case.Status.CLOSED)
        self.assertEqual(self.case.verdict, "not_in_remit")
        self.assertFalse(self.case.confirmed)
        self.assertEqual(self.case.classification, {})
        self.assertEqual(report_progress(Report.objects.get()).status, ReportStatus.ASSESSED)

    @override_settings(REVIEW_SHARE_OTHER=1.0)
    def test_the_review_share_is_configurable(self) -> None:
        self.assess(self.claimed_by(self.analyst), verdict="not_illegal", notes="")
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, Case.Status.REVIEW)

    def test_an_agreeing_review_confirms(self) -> None:
        self.assess(self.claimed_by(self.analyst), **self.csam_post())
        reviewer = self.claimed_by(self.senior)
        # A blind review: the reviewer grades alike without seeing the first grades, then
        # sees the comparison on the case page.
        r = self.assess(reviewer, **self.csam_post())
        self.assertRedirects(r, f"/staff/cases/{self.case.pk}/", fetch_redirect_response=False)
        self.assertContains(reviewer.get(f"/staff/cases/{self.case.pk}/"),
                            "The review and the assessment agree.")
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, Case.Status.CLOSED)
        self.assertEqual(self.case.verdict, "csam")
        self.assertTrue(self.case.confirmed)
        self.assertEqual(self.case.classification["inhope"], ["baseline"])
        # Confirmed: the takedown begins; the receipt says "Confirmed" (not "Action taken")
        # until a notice has really been sent (hotline/takedown/tests/test_status_truth.py).
        self.assertEqual(report_progress(Report.objects.get()).status, ReportStatus.CONFIRMED)
        actions = list(AuditEntry.objects.values_list("action", flat=True))
        self.assertIn("case.assess", actions)
        self.assertIn("case.review", actions)
        code_page = self.client.post("/gm/en/status/", {"code": "0" * 20})
        self.assertContains(code_page, "No report found")

    def test_nobody_reviews_their_own_assessment(self) -> None:
        client = self.claimed_by(self.senior)
        self.assess(client, **self.csam_post())
        r = client.post(f"/staff/cases/{self.case.pk}/claim/", follow=True)
        self.assertContains(r, "You cannot take this case")
        self.case.refresh_from_db()
        self.assertIsNone(self.case.claimed_by)
        self.assertNotContains(client.get("/staff/cases/reviews/"), f"#{self.case.pk}<")
        self.assertContains(self.as_user(self.senior2).get("/staff/cases/reviews/"),
                            f"#{self.case.pk}<")

    def test_analysts_cannot_review(self) -> None:
        self.assess(self.claimed_by(self.analyst), **self.csam_post())
        r = self.as_user(self.analyst2).post(f"/staff/cases/{self.case.pk}/claim/", follow=True)
        self.assertContains(r, "You cannot take this case")
        self.assertEqual(self.as_user(self.analyst2).get("/staff/cases/reviews/").status_code,
                         403)

    def test_a_disagreement_goes_to_a_third_senior(self) -> None:
        self.assess(self.claimed_by(self.analyst), **self.csam_post())
        r = self.assess(self.claimed_by(self.senior), verdict="not_illegal",
                        notes="adult, not a child")
        self.assertEqual(r.status_code, 302)
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, Case.Status.THIRD)
        # Neither the assessor nor the first reviewer may decide.
        for user in (self.analyst, self.senior):
            self.assertFalse(self.claimed_by(user).get(
                f"/staff/cases/{self.case.pk}/").context["may_work"])
        third = self.claimed_by(self.senior2)
        r = self.assess(third, **self.csam_post(scheme_uk_category="b"))
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, Case.Status.CLOSED)
        self.assertTrue(self.case.confirmed)
        self.assertEqual(self.case.classification["uk_category"], ["b"])
        kinds = list(Assessment.objects.values_list("kind", "analyst__email"))
        self.assertEqual(kinds, [("initial", "analyst@hub.example.test"),
                                 ("review", "senior@hub.example.test"),
                                 ("third", "senior2@hub.example.test")])

    def test_a_review_needs_a_verdict(self) -> None:
        self.assess(self.claimed_by(self.analyst), **self.csam_post())
        r = self.assess(self.claimed_by(self.senior))
        self.assertContains(r, "Choose a verdict, or grade the items.", status_code=400)
        self.assertContains(r, 'id="error-summary"', status_code=400)
        self.assertContains(r, 'href="#id_verdict_0"', status_code=400)

    def test_schemes_are_data_an_administrator_extends(self) -> None:
        scheme = Scheme.objects.create(code="local_law", name="Local law section",
                                       required=True, position=99)
        SchemeOption.objects.create(scheme=scheme, code="s12", label="Section 12")
        client = self.claimed_by(self.analyst)
        page = client.get(f"/staff/cases/{self.case.pk}/")
        self.assertContains(page, "Local law section")
        r = self.assess(client, **self.csam_post())
        self.assertContains(r, "Required for this verdict.", status_code=400)
        self.assess(client, **self.csam_post(scheme_local_law="s12"))
        self.assertEqual(Assessment.objects.get().classification["local_law"], ["s12"])
        Scheme.objects.filter(code="local_law").update(enabled=False)
        from hotline.workbench.forms import AssessmentForm

        self.assertNotIn("scheme_local_law", AssessmentForm().fields)
        self.assertIn("scheme_uk_category", AssessmentForm().fields)

    def test_a_multiple_choice_scheme_keeps_every_choice(self) -> None:
        client = self.claimed_by(self.analyst)
        data = self.csam_post()
        data_list = [*data.items(), ("scheme_sex", "female"), ("scheme_sex", "male")]
        from urllib.parse import urlencode

        client.post(f"/staff/cases/{self.case.pk}/assess/", urlencode(data_list),
                    content_type="application/x-www-form-urlencoded")
        self.assertEqual(Assessment.objects.get().classification["sex"], ["female", "male"])

    def test_the_receipt_follows_the_case(self) -> None:
        r = self.client.post("/gm/en/report/", self.report_data(urls="example.test/receipt"))
        code = self.receipt_from(r)
        from hotline.cases.services import report_intake

        report_intake(report_id=Report.objects.order_by("-id").first().pk)  # type: ignore[union-attr]
        case = self.case_for("http://example.test/receipt")
        self.assertContains(self.client.post("/gm/en/status/", {"code": code}),
                            "<strong>Received</strong>")
        self.case = case
        client = self.claimed_by(self.analyst)
        self.assertContains(self.client.post("/gm/en/status/", {"code": code}),
                            "<strong>Being assessed</strong>")
        self.assess(client, verdict="not_illegal", notes="")
        self.assertContains(self.client.post("/gm/en/status/", {"code": code}),
                            "<strong>Assessed</strong>")
