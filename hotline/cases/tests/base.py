"""Personas and helpers shared by the staff-side tests."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from hotline.accounts.models import User
from hotline.cases.models import Case
from hotline.intake import services as intake
from hotline.intake.models import Report
from hotline.portals.models import Portal
from hotline.portals.tests.base import PublicTestCase

PASSWORD = "correct horse battery staple 42"


def make_user(email: str, role: str, portals: list[Portal] | None = None) -> User:
    user = User.objects.create_user(email, PASSWORD, role=role)
    if portals:
        user.portals.set(portals)
    return user


def verified_client(user: User) -> Client:
    """A client signed in with password and second factor, as after a real sign-in."""
    client = Client()
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={
        "confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


class StaffTestCase(PublicTestCase):
    """The demo portals plus an analyst, two senior analysts, a partner of gm and an admin."""

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
        intake.report_intake(report_id=report.pk)
        return report

    def case_for(self, url: str) -> Case:
        return Case.objects.exclude(status=Case.Status.CLOSED).get(url=url)

    def csam_post(self, **extra: str) -> dict[str, str]:
        data = {"verdict": "csam", "scheme_uk_category": "c", "scheme_inhope": "baseline",
                "scheme_industry": "B2", "scheme_age_band": "14-15",
                "scheme_site_type": "image_host", "scheme_media_type": "image",
                "notes": ""}
        data.update(extra)
        return data
