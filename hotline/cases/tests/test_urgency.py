"""Urgency: a reporter (or a member) says a child may be in immediate danger or the abuse is
happening now; the answer page shows the emergency numbers first, and the case goes to the top
of the analysts' queue, before cases a member classified, before all others."""

from __future__ import annotations

from hotline.api.tests.test_reports import TrustedIntakeTestCase
from hotline.cases import queue
from hotline.cases import services as cases
from hotline.cases.models import Case
from hotline.intake.models import Report
from hotline.testing.base import StaffTestCase, case_url


class UrgencyTestCase(TrustedIntakeTestCase):
    def ids(self, response) -> list[int]:  # type: ignore[no-untyped-def]
        return [c.pk for c in response.context["page"]]

    def test_the_form_asks_optionally(self) -> None:
        page = self.client.get("/gm/en/report/").content.decode()
        self.assertIn('name="urgent"', page)
        self.assertIn("A child may be in immediate danger, or the abuse is happening now", page)
        self.submit()  # not ticked: an ordinary report
        self.assertFalse(Report.objects.get().urgent)

    def test_the_answer_page_shows_the_emergency_numbers_first(self) -> None:
        page = self.submit(urgent="on").content.decode()
        self.assertIn('href="tel:117"', page)
        self.assertLess(page.index('href="tel:117"'), page.index('class="code"'))
        self.assertIn("You said a child may be in danger now", page)
        self.assertTrue(Report.objects.get().urgent)

    def test_an_ordinary_answer_page_does_not_say_urgent(self) -> None:
        page = self.submit().content.decode()
        self.assertNotIn("You said a child may be in danger now", page)

    def test_the_answer_page_is_in_the_reporters_language(self) -> None:
        page = self.client.post("/sn/fr/report/", self.report_data(urgent="on")).content.decode()
        self.assertIn("tel:", page)
        self.assertNotIn("You said a child may be in danger now", page)

    def test_urgent_cases_go_to_the_top_of_the_queue(self) -> None:
        self.report("https://a.example.test/")
        self.report("https://b.example.test/")
        self.report("https://b.example.test/")  # b: two reports, normally first
        self.report("https://c.example.test/", urgent="on")
        a, b, c = (self.case_for(case_url(f"https://{x}.example.test/")) for x in "abc")
        self.assertEqual(c.priority, queue.URGENT)
        r = self.as_user(self.analyst).get("/staff/cases/")
        self.assertEqual(self.ids(r), [c.pk, b.pk, a.pk])

    def test_a_later_urgent_report_moves_an_open_case_up(self) -> None:
        self.report("https://a.example.test/")
        self.report("https://b.example.test/")
        self.report("https://b.example.test/", urgent="on")
        self.report("https://a.example.test/")
        self.report("https://a.example.test/")  # a: three reports, but b is urgent
        a, b = (self.case_for(case_url(f"https://{x}.example.test/")) for x in "ab")
        r = self.as_user(self.analyst).get("/staff/cases/")
        self.assertEqual(self.ids(r), [b.pk, a.pk])

    def test_the_api_hint_and_urgency_feed_the_same_order(self) -> None:
        self.report("https://plain.example.test/")
        self.report("https://plain.example.test/")
        r = self.post({"reports": [
            {"urls": ["https://hinted.example.test/"], "classification_hint": "A1"},
            {"urls": ["https://urgent.example.test/"], "urgent": True},
        ]})
        self.assertEqual(r.status_code, 201, r.content)
        self.assertEqual([x["urgent"] for x in r.json()["reports"]], [False, True])
        self.take_in()
        plain, hinted, urgent = (self.case_for(case_url(f"https://{x}.example.test/"))
                                 for x in ("plain", "hinted", "urgent"))
        self.assertEqual((urgent.priority, hinted.priority, plain.priority),
                         (queue.URGENT, queue.HINTED, queue.NORMAL))
        r = self.as_user(self.analyst).get("/staff/cases/")
        self.assertEqual(self.ids(r), [urgent.pk, hinted.pk, plain.pk])

    def test_the_api_refuses_a_non_boolean_urgency(self) -> None:
        r = self.post({"reports": [{"urls": ["https://x.example.test/"], "urgent": "maybe"}]})
        self.assertEqual(r.status_code, 422)
        self.assertEqual(Report.objects.count(), 0)

    def test_review_list_puts_urgent_first_too(self) -> None:
        self.report("https://a.example.test/")
        self.report("https://u.example.test/", urgent="on")
        for x in "au":
            case = self.case_for(case_url(f"https://{x}.example.test/"))
            cases.case_claim(case_id=case.pk, user=self.analyst)
            cases.case_assess(case_id=case.pk, analyst=self.analyst, verdict="csam",
                              classification=self.CLASSIFICATION)
        u = Case.objects.get(url=case_url("https://u.example.test/"))
        r = self.as_user(self.senior).get("/staff/cases/reviews/")
        self.assertEqual(self.ids(r)[0], u.pk)


class UrgentShownTestCase(StaffTestCase):
    def test_the_queue_and_the_case_page_say_a_case_is_urgent(self) -> None:
        self.report("https://u.example.test/", urgent="on")
        self.report("https://a.example.test/")
        staff = self.as_user(self.analyst)
        queue = staff.get("/staff/cases/").content.decode()
        self.assertEqual(queue.count("urgent: a child may be in danger now"), 1)
        urgent = Case.objects.get(url=case_url("https://u.example.test/"))
        other = Case.objects.get(url=case_url("https://a.example.test/"))
        self.assertContains(staff.get(f"/staff/cases/{urgent.pk}/"), 'id="urgent"')
        self.assertNotContains(staff.get(f"/staff/cases/{other.pk}/"), 'id="urgent"')
