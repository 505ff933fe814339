"""API keys issued in the admin: the secret is shown once, on a page that is never stored, and
never travels in a cookie."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from hotline.audit.models import AuditEntry
from hotline.members.models import ApiKey, Member
from hotline.testing.base import StaffTestCase

SECRET = re.compile(r"hk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}")


class ApiKeyAdminTestCase(StaffTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.member = Member.objects.create(name="Search engine (test)",
                                            contact="abuse@search.example.test")
        self.client = self.as_user(self.admin)

    def action(self, client: Client, name: str) -> Any:
        return client.post("/staff/admin/members/member/", {
            "action": name, "_selected_action": [self.member.pk]})

    def shown_secret(self, response: Any) -> str:
        found = SECRET.findall(response.content.decode())
        self.assertEqual(len(found), 1, "the page shows exactly one new key")
        return str(found[0])

    def assert_no_cookie_holds(self, response: Any, secret: str) -> None:
        self.assertNotIn("messages", response.cookies)
        for morsel in [*response.cookies.values(), *self.client.cookies.values()]:
            self.assertNotIn(secret, morsel.value)
            self.assertNotIn(secret.split("_", 2)[2], morsel.value)

    def test_a_new_key_is_shown_once_on_a_page_that_is_never_stored(self) -> None:
        r = self.action(self.client, "issue_key")
        self.assertEqual(r.status_code, 200)
        secret = self.shown_secret(r)
        self.assertIn("no-store", r["Cache-Control"])
        self.assertContains(r, "Search engine (test)")
        key = ApiKey.find(secret)
        assert key is not None
        self.assertEqual(key.member, self.member)
        self.assert_no_cookie_holds(r, secret)
        self.assertTrue(AuditEntry.objects.filter(action="apikey.issue",
                                                  object_id=str(key.pk)).exists())
        # The next pages never show it again.
        for path in ["/staff/admin/", "/staff/admin/members/member/",
                     f"/staff/admin/members/member/{self.member.pk}/change/"]:
            self.assertNotContains(self.client.get(path), secret)

    def test_rotating_shows_the_new_key_and_revokes_the_old_ones(self) -> None:
        _old, old_secret = ApiKey.issue(self.member)
        r = self.action(self.client, "rotate_keys")
        secret = self.shown_secret(r)
        self.assertNotEqual(secret, old_secret)
        self.assertIn("no-store", r["Cache-Control"])
        self.assert_no_cookie_holds(r, secret)
        self.assertIsNone(ApiKey.find(old_secret))
        self.assertIsNotNone(ApiKey.find(secret))

    def test_admin_messages_are_kept_in_the_session_not_in_a_cookie(self) -> None:
        r = self.client.post("/staff/admin/members/member/add/", {
            "name": "Host (test)", "contact": "", "active": "on",
            "may_download_lists": "on", "portal": "",
            "keys-TOTAL_FORMS": "0", "keys-INITIAL_FORMS": "0",
            "keys-MIN_NUM_FORMS": "0", "keys-MAX_NUM_FORMS": "1000"})
        self.assertEqual(r.status_code, 302, r.content[:2000])
        self.assertNotIn("messages", r.cookies)
        self.assertContains(self.client.get(r["Location"]), "was added successfully")
