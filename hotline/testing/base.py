"""One base for the tests of every app (as healthchecks' hc/test.py): the demo portal network,
personas, a verified staff client, and the helpers that walk a report through the product.

    PublicTestCase   the demo portals gm (en), sn (fr), km (fr, ar); post forms like a browser
    StaffTestCase    + an analyst, a second analyst, two seniors, a partner of gm, an admin;
                     report() a URL as the public does, confirm_case() it as analysts do
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.test import Client, TestCase, override_settings
from django_otp import DEVICE_ID_SESSION_KEY

from hotline.accounts.models import AuthenticatorApp, User
from hotline.cases import services as cases
from hotline.cases.models import Case
from hotline.intake.models import Report
from hotline.lib.urlcanon import canonicalise
from hotline.portals.importer import import_portals, load_file
from hotline.portals.models import Portal

DEMO_NETWORK = Path(__file__).resolve().parents[1] / "portals" / "demo" / "network.yaml"
PASSWORD = "correct horse battery staple 42"
# A complete CSAM classification under the default schemes.
CLASSIFICATION = {"uk_category": ["c"], "inhope": ["baseline"], "industry": ["B2"],
                  "age_band": ["14-15"], "site_type": ["image_host"], "media_type": ["image"]}


def load_demo_network() -> None:
    demo = load_file(DEMO_NETWORK)
    import_portals(demo.portals, allow_draft_translations=demo.allow_draft_translations)


def case_url(url: str) -> str:
    """The canonical form of a URL, as a case stores it."""
    return canonicalise(url).url


def make_user(email: str, role: str, portals: list[Portal] | None = None) -> User:
    user = User.objects.create_user(email, PASSWORD, role=role)
    if portals:
        user.portals.set(portals)
    return user


def verified_client(user: User) -> Client:
    """A client signed in with password and second factor, as after a real sign-in."""
    client = Client()
    client.force_login(user)
    device, _ = AuthenticatorApp.objects.get_or_create(user=user, name="test", defaults={
        "confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def confirm_case(case: Case, *, analyst: User, senior: User,
                 classification: dict[str, list[str]] | None = None,
                 dedicated: bool = False) -> Case:
    """Claim → assess as CSAM → claim → agree in second review: the case is confirmed, and
    everything that follows a confirmation has run (hotline/takedown/confirmation.py)."""
    assert cases.case_claim(case_id=case.pk, user=analyst)
    with override_settings(REVIEW_SHARE_CSAM=1.0):
        cases.case_assess(case_id=case.pk, analyst=analyst, verdict="csam",
                          classification=classification or CLASSIFICATION, dedicated=dedicated)
    assert cases.case_claim(case_id=case.pk, user=senior)
    cases.case_review(case_id=case.pk, reviewer=senior, agrees=True)
    case.refresh_from_db()
    assert case.confirmed
    return case


class PublicTestCase(TestCase):
    """Test case with the demo portals gm (en), sn (fr) and km (fr, ar)."""

    gm: Portal
    km: Portal

    @classmethod
    def setUpTestData(cls) -> None:
        load_demo_network()
        cls.gm = Portal.objects.get(code="gm")
        cls.km = Portal.objects.get(code="km")

    def setUp(self) -> None:
        self.client = Client(HTTP_SEC_FETCH_SITE="same-origin")

    def report_data(self, **overrides: Any) -> dict[str, Any]:
        data = {
            "urls": "https://images.example.test/gallery/1\nhxxp://files[.]example.test/a",
            "content_kind": "image",
            "where_found": "A link in a chat group",
            "description": "Seen on 3 November",
            "contact": "",
            "website": "",
        }
        data.update(overrides)
        return data

    def submit(self, path: str = "/gm/en/report/", **overrides: Any) -> Any:
        return self.client.post(path, self.report_data(**overrides))

    def receipt_from(self, response: Any) -> str:
        match = re.search(r'class="code" dir="ltr">([\d ]+)<', response.content.decode())
        assert match, "no receipt code on the page"
        return match.group(1)


# Predictable second review: every CSAM assessment goes to review, no other verdict does.
@override_settings(REVIEW_SHARE_CSAM=1.0, REVIEW_SHARE_OTHER=0.0)
class StaffTestCase(PublicTestCase):
    """The demo portals plus an analyst, two senior analysts, a partner of gm and an admin."""

    CLASSIFICATION = CLASSIFICATION
    analyst: User
    analyst2: User
    senior: User
    senior2: User
    partner: User
    admin: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.analyst = make_user("analyst@hub.example.test", User.Role.ANALYST)
        cls.analyst2 = make_user("analyst2@hub.example.test", User.Role.ANALYST)
        cls.senior = make_user("senior@hub.example.test", User.Role.SENIOR)
        cls.senior2 = make_user("senior2@hub.example.test", User.Role.SENIOR)
        cls.partner = make_user("partner@ministry.example.test", User.Role.PARTNER,
                                [cls.gm])
        cls.admin = make_user("admin@hub.example.test", User.Role.ADMIN)

    def as_user(self, user: User) -> Client:
        return verified_client(user)

    def report(self, *urls: str, portal: str = "gm", lang: str = "en",
               **fields: Any) -> Report:
        """Submit a report through the public form and take it in, as the worker would."""
        r = self.client.post(f"/{portal}/{lang}/report/", self.report_data(
            urls="\n".join(urls), **fields))
        assert r.status_code == 200, r.content[:500]
        report = Report.objects.order_by("-id").first()
        assert report is not None
        cases.report_intake(report_id=report.pk)
        return report

    def case_for(self, url: str) -> Case:
        return Case.objects.exclude(status=Case.Status.CLOSED).get(url=url)

    def confirm_case(self, case: Case, *, dedicated: bool = False) -> Case:
        return confirm_case(case, analyst=self.analyst, senior=self.senior,
                            classification=self.CLASSIFICATION, dedicated=dedicated)

    def confirm(self, url: str, *, dedicated: bool = False) -> Case:
        """Report a URL, assess it as CSAM and have a senior confirm it."""
        self.report(url)
        return self.confirm_case(self.case_for(case_url(url)), dedicated=dedicated)

    def csam_post(self, **extra: str) -> dict[str, str]:
        data = {"verdict": "csam", "scheme_uk_category": "c", "scheme_inhope": "baseline",
                "scheme_industry": "B2", "scheme_age_band": "14-15",
                "scheme_site_type": "image_host", "scheme_media_type": "image",
                "notes": ""}
        data.update(extra)
        return data
