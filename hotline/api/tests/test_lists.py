from __future__ import annotations

import csv
import io

from django.test import Client
from django.utils import timezone

from hotline.audit.models import AuditEntry
from hotline.lists import services
from hotline.lists.models import UrlListChange
from hotline.lists.variants import lookup_keys
from hotline.members.models import ApiKey, Member
from hotline.testing.base import StaffTestCase


class MemberApiTestCase(StaffTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.member = Member.objects.create(name="Search engine (test)")
        self.key, self.secret = ApiKey.issue(self.member)
        self.api = Client(HTTP_X_API_KEY=self.secret)

    def test_a_key_is_needed(self) -> None:
        self.assertEqual(Client().get("/api/v1/lists/urls").status_code, 401)
        bad = Client(HTTP_X_API_KEY=self.secret[:-2] + "xx")
        self.assertEqual(bad.get("/api/v1/lists/urls").status_code, 401)
        self.assertEqual(Client(HTTP_X_API_KEY="nonsense").get("/api/v1/lists/urls").status_code,
                         401)

    def test_bearer_works_too(self) -> None:
        r = Client(HTTP_AUTHORIZATION=f"Bearer {self.secret}").get("/api/v1/lists/urls")
        self.assertEqual(r.status_code, 200)

    def test_only_a_digest_of_the_key_is_stored(self) -> None:
        key = ApiKey.objects.get()
        self.assertNotIn(self.secret.split("_", 2)[2], key.digest)
        self.assertTrue(self.secret.startswith(f"hk_{key.prefix}_"))

    def test_snapshot_and_changes_since_a_version(self) -> None:
        first = self.confirm("https://images.example.test/g/1")
        self.confirm("https://files.example.test/a")
        # Versions are the ids of the change history (not reset between tests on PostgreSQL).
        start = UrlListChange.objects.order_by("id").first().pk - 1  # type: ignore[union-attr]
        r = self.api.get("/api/v1/lists/urls").json()
        self.assertEqual(r["version"], start + 2)
        self.assertEqual({e["value"] for e in r["entries"]},
                         {"https://images.example.test/g/1", "https://files.example.test/a"})
        services.url_list_remove(first, reason="removed")
        delta = self.api.get(f"/api/v1/lists/urls?since={start + 2}").json()
        self.assertEqual(delta["version"], start + 3)
        self.assertEqual([(e["action"], e["value"]) for e in delta["entries"]],
                         [("remove", "https://images.example.test/g/1")])
        self.assertEqual(
            self.api.get(f"/api/v1/lists/urls?since={start + 3}").json()["entries"], [])

    def test_csv(self) -> None:
        self.confirm("https://images.example.test/g/1")
        r = self.api.get("/api/v1/lists/urls?format=csv")
        self.assertEqual(r["Content-Type"], "text/csv; charset=utf-8")
        rows = list(csv.reader(io.StringIO(r.content.decode())))
        self.assertEqual(rows[0], ["version", "action", "value", "whole_domain", "at", "why"])
        self.assertEqual(rows[1][1:3], ["add", "https://images.example.test/g/1"])
        self.assertEqual(rows[1][5], "confirmed")

    def test_the_hashed_form_matches_a_variant(self) -> None:
        self.confirm("https://www.images.example.test/g/1/")
        hashes = set(self.api.get("/api/v1/lists/urls/hashed").json()["hashes"])
        self.assertTrue(lookup_keys("http://images.example.test/g/1") & hashes)
        self.assertFalse(lookup_keys("http://images.example.test/g/2") & hashes)
        self.assertNotIn("images.example.test", str(sorted(hashes)))

    def test_a_revoked_key_is_refused(self) -> None:
        ApiKey.objects.update(revoked_at=timezone.now())
        self.assertEqual(self.api.get("/api/v1/lists/urls").status_code, 401)

    def test_an_inactive_member_is_refused(self) -> None:
        Member.objects.update(active=False)
        self.assertEqual(self.api.get("/api/v1/lists/urls").status_code, 401)

    def test_downloads_are_audited(self) -> None:
        self.api.get("/api/v1/lists/urls?since=0")
        self.api.get("/api/v1/lists/urls/hashed")
        self.api.get("/api/v1/lists/hashes?format=csv")
        entries = AuditEntry.objects.filter(action__startswith="list.download")
        self.assertEqual([e.action for e in entries],
                         ["list.download.urls", "list.download.urls_hashed",
                          "list.download.hashes"])
        self.assertEqual(entries[0].actor_label, "member:Search engine (test)")
        self.assertEqual(entries[0].details["since"], 0)
        self.assertIsNotNone(ApiKey.objects.get().last_used)

    def test_the_csv_hash_list_never_carries_a_formula(self) -> None:
        from hotline.lists.models import BankHash, HashBank

        bank = HashBank.objects.create(name="Own (test)", kind=HashBank.Kind.OWN)
        BankHash.objects.create(bank=bank, sha256="ab" * 32,
                                classification='=HYPERLINK("http://attacker.invalid/","x")')
        r = self.api.get("/api/v1/lists/hashes?format=csv")
        rows = list(csv.reader(io.StringIO(r.content.decode())))
        self.assertEqual(rows[1][-1], '\'=HYPERLINK("http://attacker.invalid/","x")')

    def test_bad_parameters_are_a_clear_4xx(self) -> None:
        r = self.api.get("/api/v1/lists/urls?since=abc")
        self.assertEqual(r.status_code, 422)
        self.assertIn("since", r.content.decode())
        self.assertEqual(self.api.get("/api/v1/lists/urls?format=xml").status_code, 422)

    def test_no_cookies_and_the_schema_is_published(self) -> None:
        r = self.api.get("/api/v1/lists/urls")
        self.assertEqual(r.cookies, {})
        schema = Client().get("/api/v1/openapi.json").json()
        self.assertIn("/api/v1/lists/urls", schema["paths"])
        docs = Client().get("/api/v1/docs")
        self.assertEqual(docs.status_code, 200)
        self.assertNotIn("cdn", docs.content.decode().lower())

    def test_keys_are_rotated_and_revoked_by_administrators_in_the_admin(self) -> None:
        admin = self.as_user(self.admin)
        r = admin.post("/staff/admin/members/member/", {
            "action": "rotate_keys", "_selected_action": [self.member.pk]}, follow=True)
        self.assertContains(r, "New API key")  # on a page of its own (members/tests)
        self.assertIn("no-store", r["Cache-Control"])
        self.assertEqual(self.api.get("/api/v1/lists/urls").status_code, 401)
        self.assertEqual(ApiKey.objects.filter(revoked_at__isnull=True).count(), 1)
        self.assertTrue(AuditEntry.objects.filter(action="apikey.rotate").exists())
        admin.post("/staff/admin/members/member/", {
            "action": "revoke_keys", "_selected_action": [self.member.pk]})
        self.assertEqual(ApiKey.objects.filter(revoked_at__isnull=True).count(), 0)
