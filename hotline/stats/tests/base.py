"""Seeded figures with known answers: every row is also kept as a plain dict for the tests."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any
from unittest import mock

from django.utils import timezone

from hotline.cases.models import Case, CaseReport, Verdict, url_digest
from hotline.hosting.models import Trace
from hotline.intake.models import Report, ReportedAddress
from hotline.portals.models import Portal
from hotline.takedown.models import Takedown
from hotline.testing.base import StaffTestCase

# Whole hours, so that seeded times never sit a few seconds from a period's edge. Views are
# asked with their clock set to NOW (see FiguresTestCase.at_now).
NOW = timezone.now().replace(minute=0, second=0, microsecond=0)
VERDICTS = [Verdict.CSAM, Verdict.NOT_IN_REMIT, Verdict.NOT_ILLEGAL, Verdict.UNAVAILABLE]


def seed_case(portal: Portal, lang: str, received: dt.datetime, *, closed_after: float | None,
              verdict: str = "", confirmed: bool = False, removal_hours: float | None = None,
              open_takedown: bool = False, countries: tuple[str, ...] = (),
              number: int = 0) -> dict[str, Any]:
    """One report of one URL and its case, with the outcome given; returns the plain facts."""
    url = f"https://seed.example.test/{portal.code}/{number}"
    report = Report.objects.create(portal=portal, language=lang, content_kind="image",
                                   receipt_digest=f"seed-{portal.code}-{number}")
    Report.objects.filter(pk=report.pk).update(received_at=received)
    address = ReportedAddress.objects.create(report=report, position=0, submitted=url,
                                             canonical_url=url, host="seed.example.test")
    closed_at = received + dt.timedelta(hours=closed_after) if closed_after is not None else None
    case = Case.objects.create(
        url=url, url_sha256=url_digest(url), host="seed.example.test",
        registrable_domain="example.test",
        status=Case.Status.CLOSED if closed_at else Case.Status.OPEN,
        verdict=verdict if closed_at else "", confirmed=confirmed, report_count=1,
        first_reported=received, last_reported=received, closed_at=closed_at,
        time_to_assessment=closed_at - received if closed_at else None)
    CaseReport.objects.create(case=case, report=report, address=address, portal=portal,
                              closed_at=closed_at)
    removed_at = None
    if confirmed and closed_at and (removal_hours is not None or open_takedown):
        removed_at = (closed_at + dt.timedelta(hours=removal_hours)
                      if removal_hours is not None else None)
        Takedown.objects.create(
            case=case, confirmed_at=closed_at, removed_at=removed_at,
            state=Takedown.State.REMOVED if removed_at else Takedown.State.ACTIVE,
            time_to_removal=removed_at - received if removed_at else None)
    for i, country in enumerate(countries):
        Trace.objects.create(case=case, country=country,
                             at=(closed_at or received) + dt.timedelta(minutes=i + 1))
    return {"case": case.pk, "portal": portal.code, "lang": lang, "received": received,
            "closed_at": closed_at,
            "verdict": verdict if closed_at else "", "confirmed": confirmed,
            "removed_at": removed_at, "country": countries[-1] if countries else "",
            "time_to_removal": removed_at - received if removed_at else None,
            "open_takedown": open_takedown and removed_at is None and confirmed}


class FiguresTestCase(StaffTestCase):
    """About 200 random cases over 14 months through gm (en) and sn (fr), seeded once."""

    rows: list[dict[str, Any]]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        rng = random.Random(20261120)
        sn = Portal.objects.get(code="sn")
        cls.rows = []
        for number in range(200):
            portal = cls.gm if rng.random() < 0.7 else sn
            lang = "en" if portal == cls.gm else "fr"
            received = NOW - dt.timedelta(hours=rng.randint(1, 24 * 420))
            closed_after = rng.choice([None, rng.uniform(0.5, 200), rng.uniform(0.5, 200)])
            if closed_after is not None and received + dt.timedelta(hours=closed_after) > NOW:
                closed_after = None
            verdict = rng.choice(VERDICTS)
            confirmed = closed_after is not None and verdict == Verdict.CSAM and rng.random() < .8
            removal = rng.uniform(1, 100) if confirmed and rng.random() < .7 else None
            if removal is not None and (received + dt.timedelta(
                    hours=closed_after + removal) > NOW):  # type: ignore[operator]
                removal = None
            countries = tuple(rng.sample(["NL", "US", "DE", "FR"], rng.randint(0, 2)))
            cls.rows.append(seed_case(
                portal, lang, received, closed_after=closed_after, verdict=verdict,
                confirmed=confirmed, removal_hours=removal, open_takedown=rng.random() < .5,
                countries=countries, number=number))
        # The portals opened before the first seeded report (the public page leaves out the
        # months before a portal opened).
        Portal.objects.update(created=NOW - dt.timedelta(days=5 * 366))

    def at_now(self) -> Any:
        """Run the views with their clock at NOW."""
        clock = mock.Mock(wraps=timezone)
        clock.now.return_value = NOW
        return mock.patch("hotline.stats.views.timezone", clock)
