"""Addresses stored with a user name and password before they were cut out at submission lose
them when the database migrates."""

from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from hotline.intake.models import ReportedAddress
from hotline.testing.migrations import MigrationTestCase

BEFORE = [("intake", "0006_remove_report_status")]


class StripUserinfoMigrationTest(MigrationTestCase):
    def test_stored_credentials_are_removed(self) -> None:
        old = self.migrate(BEFORE).loader.project_state(BEFORE).apps
        portal = old.get_model("portals", "Portal").objects.create(
            code="gm", name="The Gambia", country="GM", languages=["en"])
        report = old.get_model("intake", "Report").objects.create(
            portal=portal, language="en", content_kind="image")
        texts = ["https://user:s3cret@a.example.test/1", "https://b.example.test/@name",
                 "not an address @ all", "hxxp://s3cret@c[.]example[.]test/"]
        for i, text in enumerate(texts):
            old.get_model("intake", "ReportedAddress").objects.create(
                report=report, position=i, submitted=text)
        self.migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
        self.assertEqual(list(ReportedAddress.objects.order_by("position").values_list(
            "submitted", flat=True)), ["https://a.example.test/1", "https://b.example.test/@name",
                                       "not an address @ all", "hxxp://c[.]example[.]test/"])
