"""Appeals and corrections: members appeal over the API, staff lodge for a site owner, and only a
senior who took no part in the case delists, relists or re-assesses, each with a reason,
audited, and seen by members in the URL list's changes."""

from __future__ import annotations

from django.test import Client

from hotline.audit.models import AuditEntry
from hotline.lists.models import BankHash, UrlListChange, UrlListEntry
from hotline.members.models import ApiKey, Member
from hotline.takedown.models import Appeal, Notice, Takedown

from .base import TakedownTestCase

URL = "https://images.example.test/g/1"


class AppealTestCase(TakedownTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.member = Member.objects.create(name="Search engine (test)")
        _key, secret = ApiKey.issue(self.member)
        self.api = Client(HTTP_X_API_KEY=secret)
        self.case = self.confirm(URL)  # assessed by self.analyst, reviewed by self.senior
        self.version = UrlListChange.objects.order_by("-id").values_list("id", flat=True)[0]

    def deltas(self) -> list[tuple[str, str]]:
        rows = self.api.get(f"/api/v1/lists/urls?since={self.version}").json()["entries"]
        return [(r["action"], r["why"]) for r in rows]

    def lodge(self, **body: str) -> dict[str, object]:
        r = self.api.post("/api/v1/appeals/", {"url": URL, "reason": "The owner says the "
                          "image is of an adult.", **body}, content_type="application/json")
        self.assertIn(r.status_code, (200, 201), r.content)
        return dict(r.json())

    def decide(self, user: object, appeal: int, **post: str) -> object:
        return self.as_user(user).post(f"/staff/takedown/appeals/{appeal}/decide/", post)  # type: ignore[arg-type]

    def test_a_member_appeals_a_listed_address_and_follows_it(self) -> None:
        body = self.lodge(url="HTTPS://Images.EXAMPLE.test/g/1")  # any spelling of it
        self.assertEqual((body["state"], body["created"]), ("open", True))
        again = self.lodge()
        self.assertEqual((again["id"], again["created"]), (body["id"], False))
        self.assertEqual(self.api.get(f"/api/v1/appeals/{body['id']}").json()["state"], "open")
        queue = self.as_user(self.analyst).get("/staff/takedown/appeals/")
        self.assertContains(queue, URL)
        self.assertContains(queue, "Search engine (test)")

    def test_an_address_not_on_the_list_is_a_404_and_nothing_is_stored(self) -> None:
        r = self.api.post("/api/v1/appeals/", {"url": "https://other.example.test/",
                                               "reason": "x"}, content_type="application/json")
        self.assertEqual(r.status_code, 404)
        self.assertEqual(r.json()["field"], "url")
        r = self.api.post("/api/v1/appeals/", {"url": URL, "reason": ""},
                          content_type="application/json")
        self.assertEqual(r.status_code, 422)
        self.assertFalse(Appeal.objects.exists())

    def test_another_members_appeal_is_not_found(self) -> None:
        body = self.lodge()
        other = Member.objects.create(name="Other (test)")
        _k, secret = ApiKey.issue(other)
        r = Client(HTTP_X_API_KEY=secret).get(f"/api/v1/appeals/{body['id']}")
        self.assertEqual(r.status_code, 404)

    def test_only_a_senior_who_took_no_part_decides(self) -> None:
        appeal = self.lodge()["id"]
        # The senior who reviewed it, and an analyst: refused, nothing changes.
        r = self.decide(self.senior, appeal, action="delist", reason="r")  # type: ignore[arg-type]
        self.assertEqual(r.status_code, 400)  # type: ignore[attr-defined]
        self.assertContains(r, "took no part", status_code=400)  # type: ignore[arg-type]
        r = self.decide(self.analyst, appeal, action="delist", reason="r")  # type: ignore[arg-type]
        self.assertEqual(r.status_code, 403)  # type: ignore[attr-defined]
        self.assertTrue(UrlListEntry.objects.get(case=self.case).active)
        self.assertEqual(self.deltas(), [])

    def test_delist_then_reject_puts_it_back_and_members_see_both(self) -> None:
        appeal = self.lodge()["id"]
        r = self.decide(self.senior2, appeal, action="delist",  # type: ignore[arg-type]
                        reason="Looking at the owner's claim")
        self.assertEqual(r.status_code, 302)  # type: ignore[attr-defined]
        self.assertFalse(UrlListEntry.objects.get(case=self.case).active)
        self.assertEqual(Appeal.objects.get().state, Appeal.State.OPEN)
        self.decide(self.senior2, appeal, action="reject",  # type: ignore[arg-type]
                    reason="The material is what we confirmed")
        self.assertTrue(UrlListEntry.objects.get(case=self.case).active)
        self.assertEqual(Appeal.objects.get().state, Appeal.State.UPHELD)
        self.assertEqual(self.deltas(), [("remove", "delisted"), ("add", "relisted")])
        self.assertEqual(self.api.get(f"/api/v1/appeals/{appeal}").json()["state"], "upheld")
        actions = set(AuditEntry.objects.values_list("action", flat=True))
        self.assertTrue({"appeal.lodge", "listing.delist", "appeal.decide"} <= actions)

    def test_reassessed_as_not_illegal_withdraws_everything(self) -> None:
        self.assertTrue(BankHash.objects.filter(case=self.case).exists()
                        or not self.case.captures.exists())
        appeal = self.lodge()["id"]
        r = self.decide(self.admin, appeal, action="reassess",  # type: ignore[arg-type]
                        verdict="not_illegal", reason="An adult, documented")
        self.assertEqual(r.status_code, 302)  # type: ignore[attr-defined]
        self.case.refresh_from_db()
        self.assertFalse(self.case.confirmed)
        self.assertEqual(self.case.verdict, "not_illegal")
        self.assertFalse(UrlListEntry.objects.get(case=self.case).active)
        self.assertFalse(BankHash.objects.filter(case=self.case).exists())
        takedown = Takedown.objects.get(case=self.case)
        self.assertEqual((takedown.state, takedown.next_check_at),
                         (Takedown.State.WITHDRAWN, None))
        self.assertFalse(takedown.notices.filter(state=Notice.State.PENDING).exists())
        self.assertEqual(Appeal.objects.get().state, Appeal.State.CORRECTED)
        self.assertEqual(self.deltas(), [("remove", "reassessed")])
        self.assertEqual(self.case.assessments.last().kind, "reassess")  # type: ignore[union-attr]

    def test_a_reassessment_needs_a_verdict_and_a_failed_one_keeps_the_form(self) -> None:
        appeal = self.lodge()["id"]
        r = self.decide(self.senior2, appeal, action="reassess",  # type: ignore[arg-type]
                        reason="kept text")
        self.assertContains(r, "Give the new verdict.", status_code=400)  # type: ignore[arg-type]
        self.assertContains(r, "kept text", status_code=400)  # type: ignore[arg-type]
        self.assertTrue(UrlListEntry.objects.get(case=self.case).active)

    def test_staff_lodge_for_a_site_owner_and_correct_without_an_appeal(self) -> None:
        senior = self.as_user(self.senior2)
        r = senior.post("/staff/takedown/appeals/new/", {
            "url": URL, "on_behalf_of": "Owner of images.example.test",
            "reason": "Says it is removed"})
        self.assertEqual(r.status_code, 302)
        appeal = Appeal.objects.get()
        self.assertEqual((appeal.lodged_by, appeal.member), (self.senior2, None))
        r = senior.post("/staff/takedown/appeals/new/", {
            "url": "https://nowhere.example.test/", "on_behalf_of": "x", "reason": "kept"})
        self.assertContains(r, "This address is not on the list.", status_code=400)
        self.assertContains(r, "kept", status_code=400)
        page = senior.get(f"/staff/takedown/{self.case.pk}/")
        self.assertContains(page, "Correct this listing")
        r = senior.post(f"/staff/takedown/{self.case.pk}/correct/", {
            "action": "delist", "reason": "While we look"})
        self.assertEqual(r.status_code, 302)
        r = senior.post(f"/staff/takedown/{self.case.pk}/correct/", {
            "action": "relist", "reason": "Checked again"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(self.deltas(), [("remove", "delisted"), ("add", "relisted")])
