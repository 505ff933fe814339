"""A database made by the code before members had their own app (members and keys in the lists
app, reports with a stored status) migrates forward without losing a member, a key or a
report's link to its member."""

from __future__ import annotations

import hashlib

from hotline.intake.models import Report
from hotline.members.models import ApiKey, Member
from hotline.testing.migrations import (
    BEFORE_ARCHITECTURE,
    MigrationTestCase,
    migrate_to,
    migrate_to_latest,
)

SECRET = "s" * 43


class MigrationForwardTestCase(MigrationTestCase):
    def seed_old_database(self) -> dict[str, int]:
        old = migrate_to(BEFORE_ARCHITECTURE)
        portal = old.get_model("portals", "Portal").objects.create(
            code="gm", name="The Gambia", country="GM", languages=["en"])
        member = old.get_model("lists", "Member").objects.create(
            name="Partner hotline (test)", contact="desk@partner.example.test", may_submit=True,
            may_export=True, portal=portal)
        key = old.get_model("lists", "ApiKey").objects.create(
            member=member, prefix="abcd1234", digest=hashlib.sha256(SECRET.encode()).hexdigest())
        report = old.get_model("intake", "Report").objects.create(
            member=member, portal=portal, reference="theirs-1", language="", content_kind="image",
            status="action_taken")
        old.get_model("intake", "ReportedAddress").objects.create(
            report=report, position=0, submitted="https://a.example.test/1")
        return {"member": member.pk, "key": key.pk, "report": report.pk}

    def test_members_keys_and_reports_survive_the_move(self) -> None:
        before = self.seed_old_database()
        migrate_to_latest()

        member = Member.objects.get()
        self.assertEqual((member.pk, member.name, member.contact, member.may_submit,
                          member.may_export, member.may_download_lists,
                          member.portal and member.portal.code),
                         (before["member"], "Partner hotline (test)",
                          "desk@partner.example.test", True, True, True, "gm"))
        found = ApiKey.find(f"hk_abcd1234_{SECRET}")
        self.assertIsNotNone(found)
        assert found is not None
        self.assertEqual((found.pk, found.member_id), (before["key"], before["member"]))
        report = Report.objects.get()
        self.assertEqual((report.pk, report.member_id, report.reference),
                         (before["report"], before["member"], "theirs-1"))
        self.assertEqual(list(member.reports.values_list("pk", flat=True)), [before["report"]])
        self.assertEqual(report.addresses.get().submitted, "https://a.example.test/1")

    def test_the_content_types_move_with_the_models(self) -> None:
        from django.contrib.contenttypes.models import ContentType

        self.seed_old_database()
        old_ids = dict(ContentType.objects.filter(app_label="lists", model__in=[
            "member", "apikey"]).values_list("model", "pk"))
        self.assertEqual(sorted(old_ids), ["apikey", "member"])
        migrate_to_latest()
        ContentType.objects.clear_cache()
        moved = dict(ContentType.objects.filter(app_label="members").values_list("model", "pk"))
        self.assertEqual({k: moved[k] for k in old_ids}, old_ids)
        self.assertEqual(ContentType.objects.get_for_model(Member).pk, moved["member"])
