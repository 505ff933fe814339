"""Grading a captured page item by item: the page follows from its items, the second review is
blind, only items graded CSAM and confirmed reach the own bank and the XARF report; and the
flow around it (Start next case, Save and next, error summary, the case page's links)."""

from __future__ import annotations

from typing import Any

from django.test import override_settings

from hotline.cases.models import Assessment, Case
from hotline.lists.models import BankHash
from hotline.lists.services import OWN_BANK
from hotline.takedown.xarf_report import xarf_for_case
from hotline.workbench.casepage import gradable_items, prefill

from .test_viewer import CapturedPageTestCase

PAGE_LEVEL = {"scheme_site_type": "image_host", "scheme_media_type": "image", "notes": ""}


@override_settings(REVIEW_SHARE_CSAM=1.0, REVIEW_SHARE_OTHER=0.0)
class GradingTestCase(CapturedPageTestCase):
    def grades(self, **by_path: tuple[str, ...]) -> dict[str, str]:
        """Form data: per picture, (verdict, uk category, inhope, industry, age band)."""
        data: dict[str, str] = dict(PAGE_LEVEL)
        for name, grade in by_path.items():
            item = self.items[f"/p/{name}.png"]
            data[f"item_{item.pk}_verdict"] = grade[0]
            for scheme, value in zip(("uk_category", "inhope", "industry", "age_band"),
                                     grade[1:], strict=False):
                data[f"item_{item.pk}_{scheme}"] = value
        return data

    def claimed(self, user: Any) -> Any:
        client = self.as_user(user)
        client.post(f"/staff/cases/{self.case.pk}/claim/")
        return client

    def assess(self, client: Any, data: dict[str, str], **extra: str) -> Any:
        return client.post(f"/staff/cases/{self.case.pk}/assess/", {**data, **extra})

    FIRST = {"1": ("csam", "c", "national", "B2", "14-15"),
             "2": ("csam", "a", "baseline", "A1", "3-6"),
             "3": ("not_illegal",)}

    def test_the_page_follows_from_its_items(self) -> None:
        r = self.assess(self.claimed(self.analyst), self.grades(**self.FIRST))
        self.assertEqual(r.status_code, 302)
        assessment = Assessment.objects.get()
        self.assertEqual(assessment.verdict, "csam")
        # The most severe option any CSAM item got, scheme by scheme; page-level ones as given.
        self.assertEqual(assessment.classification, {
            "uk_category": ["a"], "inhope": ["baseline"], "industry": ["A1"],
            "age_band": ["3-6"], "site_type": ["image_host"], "media_type": ["image"]})
        one, three = self.items["/p/1.png"], self.items["/p/3.png"]
        self.assertEqual(assessment.item_grades[str(one.pk)]["classification"]["industry"],
                         ["B2"])
        self.assertEqual(assessment.item_grades[str(three.pk)],
                         {"verdict": "not_illegal", "classification": {}})

    def test_a_page_without_csam_items_is_graded_as_a_whole(self) -> None:
        data = self.grades(**{"1": ("not_illegal",)})
        r = self.assess(self.claimed(self.analyst), data)
        self.assertContains(r, "Choose a verdict, or grade the items.", status_code=400)
        r = self.assess(self.claimed(self.analyst), data, verdict="not_illegal")
        self.assertEqual(r.status_code, 302)
        self.case.refresh_from_db()
        self.assertEqual((self.case.status, self.case.verdict), ("closed", "not_illegal"))

    def test_a_failed_save_lists_every_problem_at_the_top(self) -> None:
        data = self.grades(**{"1": ("csam",)})
        data.pop("scheme_site_type")
        r = self.assess(self.claimed(self.analyst), data)
        self.assertEqual(r.status_code, 400)
        html = r.content.decode()
        summary = html.split('id="error-summary"')[1].split("</div>")[0]
        item = self.items["/p/1.png"]
        self.assertIn(f'href="#id_item_{item.pk}_uk_category"', summary)
        self.assertIn('href="#id_scheme_site_type_0"', summary)
        self.assertLess(html.index('id="error-summary"'), html.index("<h1>"))
        # The form is kept: what was chosen is still chosen.
        self.assertIn('value="csam" selected', html)
        self.assertFalse(Assessment.objects.exists())

    def test_an_item_verdict_contradicting_the_page_is_refused(self) -> None:
        r = self.assess(self.claimed(self.analyst), self.grades(**self.FIRST),
                        verdict="not_illegal")
        self.assertContains(r, "An item is graded CSAM, so the page is too.", status_code=400)

    def test_blind_review_then_comparison_and_only_confirmed_items_banked(self) -> None:
        self.assess(self.claimed(self.analyst), self.grades(**self.FIRST), notes="first notes")
        reviewer = self.claimed(self.senior)
        blind = reviewer.get(f"/staff/cases/{self.case.pk}/").content.decode()
        self.assertIn('id="blind-review"', blind)
        self.assertNotIn("Assessment by", blind)
        self.assertNotIn("first notes", blind)
        self.assertNotIn("(csam)", blind)  # not even in the history
        self.assertNotIn('selected>A1', blind)
        r = self.assess(reviewer, self.grades(**self.FIRST))
        self.assertRedirects(r, f"/staff/cases/{self.case.pk}/", fetch_redirect_response=False)
        compared = reviewer.get(f"/staff/cases/{self.case.pk}/").content.decode()
        self.assertIn("The review and the assessment agree.", compared)
        self.assertIn("first notes", compared)
        self.case.refresh_from_db()
        self.assertTrue(self.case.confirmed)
        banked = set(BankHash.objects.filter(bank__name=OWN_BANK)
                     .values_list("sha256", flat=True))
        csam = {self.items["/p/1.png"].sha256, self.items["/p/2.png"].sha256}
        self.assertEqual(banked, csam)  # not item 3 (not illegal), not the poster (ungraded)
        own = BankHash.objects.get(sha256=self.items["/p/1.png"].sha256)
        self.assertEqual(own.classification["industry"], ["B2"])  # the item's own grade
        tags = xarf_for_case(self.case)["tags"]
        self.assertEqual({t.removeprefix("sha256:") for t in tags if t.startswith("sha256:")},
                         csam)

    def test_a_review_that_differs_on_one_item_goes_to_a_third_senior(self) -> None:
        self.assess(self.claimed(self.analyst), self.grades(**self.FIRST))
        differs = dict(self.FIRST, **{"1": ("csam", "c", "national", "B1", "14-15")})
        reviewer = self.claimed(self.senior)
        self.assess(reviewer, self.grades(**differs))
        self.case.refresh_from_db()
        self.assertEqual(self.case.status, Case.Status.THIRD)
        review = Assessment.objects.get(kind="review")
        self.assertFalse(review.agrees)
        html = reviewer.get(f"/staff/cases/{self.case.pk}/").content.decode()
        self.assertIn("The review differs from the assessment on 1 item.", html)
        self.assertEqual(BankHash.objects.filter(bank__name=OWN_BANK).count(), 0)
        # The third senior decides; the decision's CSAM items are what the bank gets.
        third = self.claimed(self.senior2)
        self.assess(third, self.grades(**{"2": ("csam", "a", "baseline", "A1", "3-6"),
                                          "1": ("not_illegal",)}))
        self.case.refresh_from_db()
        self.assertTrue(self.case.confirmed)
        self.assertEqual(set(BankHash.objects.filter(bank__name=OWN_BANK)
                             .values_list("sha256", flat=True)),
                         {self.items["/p/2.png"].sha256})

    def test_start_next_and_save_and_next(self) -> None:
        self.report("https://later.example.test/a")
        self.report("https://latest.example.test/b")
        later = self.case_for("https://later.example.test/a")
        latest = self.case_for("https://latest.example.test/b")
        client = self.as_user(self.analyst)
        # The queue's order: the oldest report first (all reported once).
        r = client.post("/staff/cases/next/")
        self.assertEqual(r["Location"], f"/staff/cases/{self.case.pk}/")
        self.assertTrue(Case.objects.get(pk=self.case.pk).is_claimed_by(self.analyst))
        # Pressing it again while holding a case goes back to that case.
        self.assertEqual(client.post("/staff/cases/next/")["Location"], r["Location"])
        # Someone else's claim is skipped.
        r2 = self.as_user(self.analyst2).post("/staff/cases/next/")
        self.assertEqual(r2["Location"], f"/staff/cases/{later.pk}/")
        # Save and next: saved, and the next free case is claimed and opened.
        r = self.assess(client, self.grades(**self.FIRST), next="1")
        self.assertRedirects(r, f"/staff/cases/{latest.pk}/", fetch_redirect_response=False)
        self.assertEqual(Case.objects.get(pk=self.case.pk).status, Case.Status.REVIEW)
        self.assertTrue(Case.objects.get(pk=latest.pk).is_claimed_by(self.analyst))
        r = client.post(f"/staff/cases/{latest.pk}/assess/",
                        {"verdict": "not_illegal", "next": "1"})
        # Nothing else waits: back to the queue, with a word.
        self.assertRedirects(r, "/staff/cases/", fetch_redirect_response=False)
        self.assertContains(client.get("/staff/cases/"), "Nothing is waiting for you")

    def test_the_case_page_links_the_domain_history_and_takedown(self) -> None:
        self.report(self.site.url("/other"))
        sibling = self.case_for(self.site.url("/other"))
        self.assess(self.claimed(self.analyst), self.grades(**self.FIRST))
        client = self.claimed(self.senior)
        self.assess(client, self.grades(**self.FIRST))
        html = client.get(f"/staff/cases/{self.case.pk}/").content.decode()
        self.assertIn('id="same-domain"', html)
        self.assertIn(f'href="/staff/cases/{sibling.pk}/"', html)
        history = html.split('id="history"')[1]
        for action in ("case.claim", "case.assess", "case.review", "case.view"):
            self.assertIn(action, history)
        self.assertIn(f'href="/staff/takedown/{self.case.pk}/"', html)

    def test_pre_filled_from_the_items_the_domain_and_the_analysts_own_grades(self) -> None:
        self.confirm(self.site.url("/earlier"))  # a confirmed case on the same domain
        self.assess(self.claimed(self.analyst), self.grades(**self.FIRST))
        self.report(self.site.url("/p/?again"))
        self.case = self.case_for(self.site.url("/p/?again"))
        client = self.claimed(self.analyst)
        page = client.get(f"/staff/cases/{self.case.pk}/")
        initial = page.context["form"].initial
        self.assertEqual(initial["scheme_site_type"], "image_host")  # the domain's last one
        # This case has no capture yet, so no media type; the first case had both kinds.
        self.assertNotIn("scheme_media_type", initial)
        quick = page.context["viewer"]["quick"]
        self.assertEqual(sorted(q["classification"]["industry"][0] for q in quick), ["A1", "B2"])
        self.assertEqual([q["key"] for q in quick], ["1", "2"])
        self.case = Case.objects.get(url=self.site.url("/p/"))
        items = gradable_items(self.case)
        self.assertEqual(prefill(self.case, items, [])["scheme_media_type"], "both")
