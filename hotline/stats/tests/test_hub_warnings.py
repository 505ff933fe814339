"""The hub dashboard says, in words, what keeps takedown from working, and what to do."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

from django.test import override_settings
from django.utils import timezone

from hotline.hosting.models import Trace
from hotline.takedown.models import PartnerHotline, Recipient, Takedown
from hotline.testing.base import StaffTestCase
from hotline.testing.geoip import write_bootstrap, write_country_db

SMTP = "django.core.mail.backends.smtp.EmailBackend"
FILES = "django.core.mail.backends.filebased.EmailBackend"


def published(days_ago: int) -> str:
    return (timezone.now() - dt.timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


class HubWarningsTest(StaffTestCase):
    """A hub set up to work (a police contact, SMTP, the offline dataset, fresh bootstrap
    files); each test takes one thing away."""

    def setUp(self) -> None:
        super().setUp()
        Recipient.objects.create(name="Police unit (test)", email="police@police.example.test")
        self.directory = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.bootstrap = write_bootstrap(self.directory / "bootstrap",
                                         "https://rdap.example.test/", publication=published(10))
        self.enterContext(override_settings(
            EMAIL_BACKEND=SMTP, EMAIL_HOST="smtp.hub.example.test", GEOIP_COUNTRY_DB="",
            GEOIP_OFFLINE=True, RDAP_BOOTSTRAP_DIR=self.bootstrap, HUB_COUNTRY="GB"))

    def warnings(self) -> list[str]:
        page = self.as_user(self.admin).get("/staff/figures/hub/")
        self.assertEqual(page.status_code, 200)
        found = re.search(r'<ul id="hub-warnings">(.*?)</ul>', page.content.decode(), re.S)
        items = re.findall(r"<li>(.*?)</li>", found.group(1), re.S) if found else []
        return [re.sub(r"\s+", " ", item).strip() for item in items]

    def warning(self, words: str) -> str:
        matching = [w for w in self.warnings() if words in w]
        self.assertEqual(len(matching), 1, self.warnings())
        return matching[0]

    def open_takedown(self, url: str, *, country: str, abuse_email: str = "",
                      state: str = Takedown.State.ACTIVE) -> Takedown:
        case = self.confirm(url)
        Trace.objects.create(case=case, country=country, abuse_email=abuse_email)
        takedown = Takedown.objects.get(case=case)
        Takedown.objects.filter(pk=takedown.pk).update(state=state)
        return takedown

    def test_a_hub_set_up_to_work_has_no_warnings(self) -> None:
        self.open_takedown("https://a.example.test/1", country="US")
        self.assertEqual(self.warnings(), [])

    def test_without_any_police_contact_it_says_to_add_one(self) -> None:
        Recipient.objects.all().delete()
        said = self.warning("No police or international contact")
        self.assertIn("GB", said)
        self.assertIn("admin", said)

    def test_countries_of_open_takedowns_without_a_route_are_named(self) -> None:
        Recipient.objects.all().delete()
        PartnerHotline.objects.create(country="FR", name="Partner (test)",
                                      email="hotline@partner.example.test")
        self.open_takedown("https://a.example.test/1", country="US")
        self.open_takedown("https://a.example.test/2", country="FR")
        self.open_takedown("https://a.example.test/3", country="GB",
                           abuse_email="abuse@host.example.test")
        self.open_takedown("https://a.example.test/4", country="DE",
                           state=Takedown.State.REMOVED)
        said = self.warning("have no route")
        self.assertIn("US", said)
        self.assertNotIn("FR", said)  # a partner hotline works there
        self.assertNotIn("GB", said)  # the hub's own country, with the host's abuse contact
        self.assertNotIn("DE", said)  # removed already
        self.open_takedown("https://a.example.test/5", country="GB")  # no abuse contact
        self.assertIn("GB", self.warning("have no route"))
        Recipient.objects.create(name="Police unit (test)", email="police@police.example.test")
        self.assertEqual(self.warnings(), [])

    def test_takedowns_waiting_in_no_contact_are_counted_with_a_link(self) -> None:
        self.open_takedown("https://a.example.test/1", country="US",
                           state=Takedown.State.NO_CONTACT)
        self.open_takedown("https://a.example.test/2", country="US",
                           state=Takedown.State.NO_CONTACT)
        said = self.warning("No contact found")
        self.assertIn("2 takedowns", said)
        self.assertIn('href="/staff/takedown/?state=no_contact"', said)

    def test_mail_written_to_files_is_a_warning(self) -> None:
        with override_settings(EMAIL_BACKEND=FILES, EMAIL_HOST=""):
            self.assertIn("EMAIL_HOST", self.warning("never sent"))
        with override_settings(EMAIL_BACKEND=SMTP, EMAIL_HOST=""):
            self.assertIn("EMAIL_HOST", self.warning("never sent"))

    def test_no_geoip_dataset_at_all_is_a_warning(self) -> None:
        with override_settings(GEOIP_OFFLINE=False):
            self.assertIn("GEOIP_COUNTRY_DB", self.warning("No IP-to-country dataset"))
        with override_settings(GEOIP_COUNTRY_DB=str(self.directory / "missing.mmdb")):
            self.assertIn("missing.mmdb", self.warning("cannot be read"))
        own = write_country_db(self.directory / "own.mmdb", {"192.0.2.0/24": "GM"})
        with override_settings(GEOIP_COUNTRY_DB=str(own), GEOIP_OFFLINE=False):
            self.assertEqual(self.warnings(), [])

    def test_old_rdap_bootstrap_files_are_a_warning(self) -> None:
        write_bootstrap(self.bootstrap, "https://rdap.example.test/", publication=published(91))
        said = self.warning("hotline rdap refresh")
        self.assertIn("91 days", said)
        write_bootstrap(self.bootstrap, "https://rdap.example.test/", publication=published(89))
        self.assertEqual(self.warnings(), [])
        with override_settings(RDAP_BOOTSTRAP_DIR=self.directory / "nowhere"):
            self.assertIn("hotline rdap refresh", self.warning("cannot be read"))
