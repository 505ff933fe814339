"""Removal you can trust: gone only on definitive evidence, seen twice, followed up, and reopened
when the material comes back; each check's evidence recorded and shown."""

from __future__ import annotations

import hashlib
import itertools
from datetime import timedelta
from unittest import mock

from django.test import override_settings
from django.utils import timezone

from hotline.audit.models import AuditEntry
from hotline.capture import services as capture
from hotline.cases.progress import ReportStatus, report_progress
from hotline.intake.models import Report
from hotline.lists.models import UrlListChange, UrlListEntry
from hotline.takedown import services
from hotline.takedown.models import Check, Notice, Takedown
from hotline.testing.dns import DROP, SERVFAIL, Records, dns_server, resolvers
from hotline.testing.httpserver import Route, serve
from hotline.testing.images import synthetic_image
from hotline.testing.smtp import smtp_server, smtp_settings

from .base import HOST, POLICE, TakedownTestCase

PAGE = b"<html><body><h1>A page</h1></body></html>"


class Clock:
    """timezone.now for the takedown services, moved on by the test."""

    def __init__(self) -> None:
        self.now = timezone.now()

    def patch(self):  # type: ignore[no-untyped-def]
        clock = mock.Mock(wraps=timezone)
        clock.now.side_effect = lambda: self.now
        return mock.patch("hotline.takedown.services.timezone", clock)


@override_settings(FETCH_ALLOW_NETWORKS=["127.0.0.1/32"], REMOVAL_CONFIRMATIONS=2,
                   REMOVAL_CONFIRM_SECONDS=1800, REMOVAL_FOLLOW_UP_DAYS=[1, 7, 30])
class RemovalTestCase(TakedownTestCase):
    def actioned(self, url: str, *, capture_first: bool = True) -> Takedown:
        self.report(url)
        case = self.case_for(url)
        if capture_first:
            capture.case_capture(case_id=case.pk)
        case = self.confirm_case(case)
        first = case.captures.order_by("fetched_at").first()
        return self.active_takedown(case, [HOST, POLICE],
                                    sha256=first.sha256 if first else "")

    def check(self, takedown: Takedown) -> Check:
        result = services.takedown_check(takedown_id=takedown.pk)
        assert result is not None
        takedown.refresh_from_db()
        return result

    def test_gone_checks_closer_than_the_spacing_count_once(self) -> None:
        clock = Clock()
        with serve() as site, clock.patch():
            site.routes["/p"] = Route(body=PAGE)
            takedown = self.actioned(site.url("/p"))
            site.routes["/p"] = Route(status=404)
            self.assertEqual(self.check(takedown).outcome, Check.Outcome.GONE)
            first = clock.now
            clock.now += timedelta(minutes=5)
            self.check(takedown)
            self.assertEqual((takedown.state, takedown.gone_checks), (Takedown.State.ACTIVE, 1))
            self.assertEqual(takedown.next_check_at, first + timedelta(minutes=30))
            clock.now = first + timedelta(minutes=31)
            self.check(takedown)
        self.assertEqual(takedown.state, Takedown.State.REMOVED)
        self.assertEqual(takedown.removed_at, first)
        self.assertEqual(takedown.time_to_removal, first - takedown.confirmed_at)

    def test_a_present_check_ends_the_streak_and_unknown_neither_counts_nor_ends_it(self) -> None:
        clock = Clock()
        with serve() as site, clock.patch():
            site.routes["/p"] = Route(body=PAGE)
            takedown = self.actioned(site.url("/p"))
            site.routes["/p"] = Route(status=404)
            self.check(takedown)
            site.routes["/p"] = Route(body=PAGE)  # back: present
            clock.now += timedelta(hours=1)
            self.assertEqual(self.check(takedown).outcome, Check.Outcome.PRESENT)
            self.assertEqual((takedown.gone_checks, takedown.gone_since), (0, None))
            site.routes["/p"] = Route(status=404)
            clock.now += timedelta(hours=1)
            self.check(takedown)
            site.routes["/p"] = Route(status=503)  # a hiccup
            clock.now += timedelta(hours=1)
            self.assertEqual(self.check(takedown).outcome, Check.Outcome.UNKNOWN)
            self.assertEqual(takedown.gone_checks, 1)
            site.routes["/p"] = Route(status=404)
            clock.now += timedelta(hours=1)
            self.check(takedown)
        self.assertEqual(takedown.state, Takedown.State.REMOVED)

    @override_settings(DNS_TIMEOUT=0.5, FETCH_CONNECT_TIMEOUT=2.0)
    def test_only_nxdomain_is_a_name_gone(self) -> None:
        clock = Clock()
        zone: dict[str, Records | str] = {}
        with serve() as site, dns_server(zone) as port, clock.patch(), \
                override_settings(DNS_RESOLVERS=resolvers(port)):
            site.routes["/p"] = Route(body=PAGE)
            zone["host.example.test"] = [("A", "127.0.0.1")]
            url = f"http://host.example.test:{site.port}/p"
            takedown = self.actioned(url)
            outcomes = []
            for state in (SERVFAIL, DROP, None, None):
                if state is None:
                    zone.pop("host.example.test", None)  # NXDOMAIN
                else:
                    zone["host.example.test"] = state
                clock.now += timedelta(hours=1)
                check = self.check(takedown)
                outcomes.append((check.outcome, check.reason))
        self.assertEqual([o for o, _r in outcomes], ["unknown", "unknown", "gone", "gone"])
        self.assertEqual(outcomes[2][1], "name_not_found")
        self.assertEqual(takedown.state, Takedown.State.REMOVED)
        self.assertFalse(UrlListEntry.objects.get().active)

    def test_a_page_that_changes_on_every_request_is_never_removed(self) -> None:
        counter = itertools.count()
        clock = Clock()
        with serve() as site, clock.patch():
            site.routes["/p"] = Route(body=PAGE)
            takedown = self.actioned(site.url("/p"))
            site.routes["/p"] = Route(stream=lambda: iter(
                [f"<html><p>visit {next(counter)}</p></html>".encode()]))
            for _ in range(4):
                clock.now += timedelta(hours=2)
                self.assertEqual(self.check(takedown).reason, "page_changed")
        self.assertEqual(takedown.state, Takedown.State.ACTIVE)
        self.assertTrue(UrlListEntry.objects.get().active)

    def gallery(self, site: object, with_items: bool = True) -> None:
        images = {"/img/1.png": synthetic_image(seed=301), "/img/2.png": synthetic_image(seed=302)}
        body = b"<html><body><h1>Gallery</h1>" + (b"".join(
            f'<img src="{path}">'.encode() for path in images) if with_items else b"") + \
            b"<p>advert %d</p></body></html>"
        routes = site.routes  # type: ignore[attr-defined]
        routes["/g"] = Route(body=body)
        for path, image in images.items():
            routes[path] = Route(body=image, content_type="image/png")

    def test_a_gallery_whose_confirmed_items_go_while_the_page_stays(self) -> None:
        clock = Clock()
        with serve() as site, clock.patch():
            self.gallery(site)
            takedown = self.actioned(site.url("/g"))
            self.assertEqual(takedown.case.captures.get().items.exclude(sha256="").count(), 2)
            clock.now += timedelta(hours=1)
            self.assertEqual(self.check(takedown).reason, "items_present")
            # The host takes the pictures down; the page (with its adverts) stays.
            del site.routes["/img/1.png"], site.routes["/img/2.png"]
            site.routes["/g"] = Route(body=b"<html><body><h1>Gallery</h1><p>empty</p></body>"
                                           b"</html>")
            for _ in range(2):
                clock.now += timedelta(hours=1)
                check = self.check(takedown)
                self.assertEqual((check.outcome, check.reason), ("gone", "items_gone"))
        self.assertEqual(takedown.state, Takedown.State.REMOVED)
        shown = check.evidence[0]["items"]
        self.assertEqual({i["status"] for i in shown}, {404})

    def test_an_item_that_cannot_be_fetched_is_not_gone(self) -> None:
        clock = Clock()
        with serve() as site, clock.patch():
            self.gallery(site)
            takedown = self.actioned(site.url("/g"))
            site.routes["/img/1.png"] = Route(status=503)
            del site.routes["/img/2.png"]
            clock.now += timedelta(hours=1)
            check = self.check(takedown)
        self.assertEqual((check.outcome, check.reason), ("unknown", "items_unclear"))

    def test_material_that_comes_back_reopens_the_takedown(self) -> None:
        clock = Clock()
        with serve() as site, clock.patch():
            site.routes["/p"] = Route(body=PAGE)
            takedown = self.actioned(site.url("/p"))
            site.routes["/p"] = Route(status=404)
            for _ in range(2):
                clock.now += timedelta(hours=1)
                self.check(takedown)
            self.assertEqual(takedown.state, Takedown.State.REMOVED)
            report = Report.objects.get(case_links__case=takedown.case)
            self.assertEqual(report_progress(report).status, ReportStatus.REMOVED)
            self.assertFalse(UrlListEntry.objects.get().active)
            removed_at = takedown.removed_at
            assert removed_at is not None
            self.assertEqual(takedown.next_check_at, removed_at + timedelta(days=1))
            clock.now = removed_at + timedelta(days=1)
            check = self.check(takedown)  # the first follow-up: still gone
            self.assertTrue(check.follow_up)
            self.assertEqual(takedown.next_check_at, removed_at + timedelta(days=7))
            site.routes["/p"] = Route(body=PAGE)  # the material is back
            clock.now = removed_at + timedelta(days=7)
            check = self.check(takedown)
        self.assertEqual((check.outcome, check.follow_up), ("present", True))
        self.assertEqual((takedown.state, takedown.reappearances), (Takedown.State.ACTIVE, 1))
        self.assertIsNone(takedown.removed_at)
        entry = UrlListEntry.objects.get()
        self.assertTrue(entry.active)
        self.assertEqual(list(UrlListChange.objects.filter(entry=entry).values_list(
            "action", flat=True)), ["add", "remove", "add"])  # members see it in the deltas
        self.assertTrue(Notice.objects.filter(takedown=takedown,
                                              kind=Notice.Kind.REAPPEARED).exists())
        self.assertTrue(AuditEntry.objects.filter(action="takedown.reappeared").exists())
        # The reporter's receipt goes back from "Removed": "Confirmed" until the notice saying
        # the material is back has really gone out, then "Action taken".
        self.assertEqual(report_progress(report).status, ReportStatus.CONFIRMED)
        with smtp_server() as box, self.settings(**smtp_settings(box)):
            for notice in Notice.objects.filter(takedown=takedown, state=Notice.State.PENDING):
                services.notice_send(notice_id=str(notice.pk))
        self.assertEqual(report_progress(report).status, ReportStatus.ACTION_TAKEN)

    def test_each_check_is_shown_as_a_timeline_with_its_evidence(self) -> None:
        with serve() as site:
            site.routes["/p"] = Route(body=PAGE)
            takedown = self.actioned(site.url("/p"))
            site.routes["/p"] = Route(status=404)
            self.check(takedown)
        page = self.as_user(self.analyst).get(f"/staff/takedown/{takedown.case_id}/")
        self.assertContains(page, 'id="checks"')
        self.assertContains(page, "http_404")
        self.assertContains(page, "Gone")
        self.assertEqual(hashlib.sha256(PAGE).hexdigest(), takedown.recorded_sha256)

    def test_a_404_sent_only_to_robots_is_not_removal(self) -> None:
        def cloaking(headers: object) -> Route:
            agent = headers.get("User-Agent", "")  # type: ignore[attr-defined]
            return Route(body=PAGE) if agent.startswith("Mozilla/5.0 (") else Route(status=404)

        clock = Clock()
        with serve() as site, clock.patch():
            site.routes["/p"] = Route(body=PAGE)
            takedown = self.actioned(site.url("/p"))
            site.routes["/p"] = Route(choose=cloaking)
            for _ in range(3):
                clock.now += timedelta(hours=1)
                self.assertEqual(self.check(takedown).outcome, Check.Outcome.PRESENT)
        self.assertEqual(takedown.state, Takedown.State.ACTIVE)
        self.assertTrue(UrlListEntry.objects.get().active)
