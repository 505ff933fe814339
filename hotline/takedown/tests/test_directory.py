"""The takedown directory from a reviewed file, and the demo directory `make run` loads."""

from __future__ import annotations

import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import override_settings

from hotline.takedown import services
from hotline.takedown.models import Notice, PartnerHotline, Recipient, Takedown
from hotline.testing.base import StaffTestCase
from hotline.testing.geoip import hosting_world, write_country_db

DEMO = Path(__file__).resolve().parents[1] / "demo" / "directory.yaml"


def run(*args: str) -> str:
    out = StringIO()
    call_command("takedown", "directory", *args, stdout=out)
    return out.getvalue()


class DirectoryImportTest(StaffTestCase):
    def write(self, text: str) -> str:
        path = Path(self.enterContext(tempfile.TemporaryDirectory())) / "directory.yaml"
        path.write_text(text)
        return str(path)

    def test_the_demo_directory_has_a_partner_hotline_and_a_police_contact(self) -> None:
        said = run("import", str(DEMO))

        partner = PartnerHotline.objects.get()
        self.assertEqual((partner.email, partner.active, partner.demo),
                         ("hotline@partner.example.test", True, True))
        police = Recipient.objects.get()
        self.assertEqual((police.email, police.position, police.demo),
                         ("police@police.example.test", 0, True))
        self.assertIn("1 partner hotline(s)", said)
        self.assertIn("1 police or international contact(s)", said)

    def test_importing_again_updates_in_place(self) -> None:
        run("import", str(DEMO))
        PartnerHotline.objects.update(name="Edited")
        run("import", str(DEMO))
        self.assertEqual(PartnerHotline.objects.get().name, "Partner hotline (demo)")
        self.assertEqual(Recipient.objects.count(), 1)

    def test_if_empty_leaves_a_directory_that_has_entries_alone(self) -> None:
        Recipient.objects.create(name="Real unit", email="unit@police.example.test")
        said = run("import", str(DEMO), "--if-empty")
        self.assertIn("not empty", said)
        self.assertFalse(PartnerHotline.objects.exists())
        self.assertEqual(list(Recipient.objects.values_list("email", flat=True)),
                         ["unit@police.example.test"])

    def test_a_dry_run_writes_nothing(self) -> None:
        said = run("import", str(DEMO), "--dry-run")
        self.assertIn("would be", said)
        self.assertFalse(PartnerHotline.objects.exists() or Recipient.objects.exists())

    def test_a_file_with_mistakes_imports_nothing_and_names_every_one(self) -> None:
        path = self.write("""
partner_hotlines:
  - {country: FR, name: Good, email: good@partner.example.test}
  - {country: France, name: Bad country, email: x@partner.example.test}
  - {country: FR, name: Twice, email: twice@partner.example.test}
  - {country: DE, name: Bad address, email: not-an-address, language: de}
police:
  - {name: Unit, email: unit@police.example.test, colour: blue}
""")
        with self.assertRaises(CommandError) as raised:
            run("import", path)
        message = str(raised.exception)
        self.assertIn("Nothing was imported", message)
        self.assertIn("partner_hotlines[1]: country must be a two-letter code", message)
        self.assertIn("partner_hotlines[2]: country FR is listed twice", message)
        self.assertIn("partner_hotlines[3].email", message)
        self.assertIn("partner_hotlines[3]: language de is not one of", message)
        self.assertIn("police[0]: unknown field(s) colour", message)
        self.assertFalse(PartnerHotline.objects.exists() or Recipient.objects.exists())

    def test_a_file_that_is_not_a_directory_is_refused(self) -> None:
        for text in ("- just a list", "partner_hotlines: {}", ": not yaml ["):
            with self.assertRaises(CommandError):
                run("import", self.write(text))
        with self.assertRaises(CommandError):
            run("import", "/nonexistent/directory.yaml")

    def test_list_shows_the_directory(self) -> None:
        run("import", str(DEMO))
        said = run("list")
        self.assertIn("FR\tPartner hotline (demo)\thotline@partner.example.test [demo]", said)
        self.assertIn("police\tPolice international desk (demo)\tpolice@police.example.test "
                      "[demo]", said)


class DemoRoutingTest(StaffTestCase):
    """After `make run` loads the demo, confirmed cases reach a route."""

    def route(self, url: str) -> Takedown:
        takedown = Takedown.objects.get(case=self.confirm(url))
        services.takedown_trace(takedown_id=takedown.pk)
        takedown.refresh_from_db()
        return takedown

    def test_a_confirmed_demo_case_reaches_the_partner_or_the_police(self) -> None:
        run("import", str(DEMO), "--if-empty")
        with tempfile.TemporaryDirectory() as directory, \
                hosting_world(Path(directory)) as world:
            # The trace of the first address says France (the partner's country); the second
            # is in the United States, where no partner works.
            countries = write_country_db(Path(directory) / "countries.mmdb",
                                         {"192.0.2.0/24": "FR", "198.51.100.0/24": "US"})
            with override_settings(**{**world.settings, "GEOIP_COUNTRY_DB": str(countries)},
                                   HUB_COUNTRY="GB"):
                in_france = self.route("https://www.shop.example.test/a")
                elsewhere = self.route("http://cdn-hosted.example.test/b.jpg")

        self.assertEqual((in_france.state, in_france.route),
                         (Takedown.State.ACTIVE, Takedown.Route.REFERRAL))
        self.assertEqual(in_france.chain[0]["email"], "hotline@partner.example.test")
        self.assertEqual((elsewhere.state, elsewhere.route),
                         (Takedown.State.ACTIVE, Takedown.Route.POLICE))
        self.assertEqual(elsewhere.chain[0]["email"], "police@police.example.test")
        self.assertEqual(sorted(Notice.objects.values_list("recipient_email", flat=True)),
                         ["hotline@partner.example.test", "police@police.example.test"])
