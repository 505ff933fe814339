"""From confirmation to the first notice: trace on loopback DNS/GeoIP/RDAP, route, send."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from django.test import override_settings

from hotline.takedown import services
from hotline.takedown.models import Check, Notice, PartnerHotline, Takedown
from hotline.testing.dns import TEST_ZONE, dns_server, resolvers
from hotline.testing.geoip import ABUSE_EMAIL, hosting_world
from hotline.testing.smtp import smtp_server, smtp_settings

from .base import TakedownTestCase, payload


class TraceAndRouteTestCase(TakedownTestCase):
    def takedown_for(self, url: str) -> Takedown:
        case = self.confirm(url)
        return Takedown.objects.get(case=case)

    def route(self, url: str, *, hub: str, country_db: str = "") -> Takedown:
        # No bootstrap files: the RDAP step fails at once instead of asking a real registry.
        with dns_server(TEST_ZONE) as port, tempfile.TemporaryDirectory() as empty, \
                override_settings(DNS_RESOLVERS=resolvers(port), HUB_COUNTRY=hub,
                                  GEOIP_COUNTRY_DB=country_db, RDAP_BOOTSTRAP_DIR=empty):
            takedown = self.takedown_for(url)
            services.takedown_trace(takedown_id=takedown.pk)
        takedown.refresh_from_db()
        return takedown

    def test_no_country_known_goes_to_the_police_contact(self) -> None:
        takedown = self.route("https://www.shop.example.test/a", hub="GM")
        self.assertEqual(takedown.route, Takedown.Route.POLICE)
        self.assertEqual(takedown.chain[0]["email"], "police@police.example.test")
        notice = Notice.objects.get()
        self.assertEqual(notice.recipient_email, "police@police.example.test")
        trace = takedown.case.traces.get()
        self.assertEqual(trace.country, "")  # a documentation address: in no dataset

    def test_partner_hotline_country_gets_a_referral(self) -> None:
        PartnerHotline.objects.create(country="ZZ", name="Partner (test)",
                                      email="hotline@partner.example.test", language="fr")
        from hotline.takedown.routing import route_for

        route, chain = route_for("ZZ", "abuse@hosting.example.test")
        self.assertEqual(route, Takedown.Route.REFERRAL)
        self.assertEqual([c["email"] for c in chain], [
            "hotline@partner.example.test", "police@police.example.test",
            "desk@international.example.test"])

    @override_settings(HUB_COUNTRY="GM")
    def test_hub_country_gets_a_notice_to_the_host(self) -> None:
        from hotline.takedown.routing import route_for

        route, chain = route_for("GM", "abuse@hosting.example.test")
        self.assertEqual(route, Takedown.Route.NOTICE)
        self.assertEqual(chain[0]["email"], "abuse@hosting.example.test")
        route, chain = route_for("GM", "")  # no abuse contact found: the police
        self.assertEqual(route, Takedown.Route.POLICE)

    def test_without_any_contact_staff_are_asked(self) -> None:
        from hotline.takedown.models import Recipient

        Recipient.objects.all().delete()
        takedown = self.route("https://www.shop.example.test/a", hub="GM")
        self.assertEqual(takedown.state, Takedown.State.NO_CONTACT)
        self.assertFalse(Notice.objects.exists())

    def test_hosted_in_the_hub_country_the_host_gets_the_notice(self) -> None:
        # DNS, GeoIP (.mmdb written by the test), RDAP and SMTP: all real, all on loopback.
        with tempfile.TemporaryDirectory() as directory, \
                hosting_world(Path(directory)) as world, smtp_server() as box, \
                override_settings(**world.settings, **smtp_settings(box), HUB_COUNTRY="GM"):
            takedown = self.takedown_for("https://www.shop.example.test/a")
            services.takedown_trace(takedown_id=takedown.pk)
            for notice in Notice.objects.all():
                services.notice_send(notice_id=str(notice.pk))
        takedown.refresh_from_db()
        self.assertEqual(takedown.state, Takedown.State.ACTIVE)
        self.assertEqual(takedown.route, Takedown.Route.NOTICE)
        trace = takedown.case.traces.get()
        self.assertTrue(trace.ok, trace.error)
        self.assertEqual((trace.country, trace.abuse_email), ("GM", ABUSE_EMAIL))
        self.assertEqual([m["To"] for m in box.messages], [ABUSE_EMAIL])
        parts = {p.get_content_type(): p for p in box.messages[0].walk()}
        report = json.loads(payload(parts["application/json"]))
        self.assertEqual(report["source_identifier"], "192.0.2.10")  # from the trace

    @override_settings(FETCH_ALLOW_NETWORKS=["192.0.2.0/24"])
    def test_an_unresolvable_name_is_gone(self) -> None:
        with dns_server(TEST_ZONE) as port, override_settings(DNS_RESOLVERS=resolvers(port)):
            takedown = self.takedown_for("https://gone.example.test/a")
            Takedown.objects.filter(pk=takedown.pk).update(state=Takedown.State.ACTIVE)
            check = services.takedown_check(takedown_id=takedown.pk)
        assert check is not None
        self.assertEqual((check.outcome, check.reason), (Check.Outcome.GONE, "name_not_found"))

    @override_settings(DNS_TIMEOUT=0.5)
    def test_a_resolver_that_never_answers_is_bounded_and_not_removal(self) -> None:
        with dns_server(TEST_ZONE) as port, override_settings(DNS_RESOLVERS=resolvers(port)):
            takedown = self.takedown_for("https://slow.example.test/a")
            Takedown.objects.filter(pk=takedown.pk).update(state=Takedown.State.ACTIVE)
            check = services.takedown_check(takedown_id=takedown.pk)
        assert check is not None
        self.assertEqual((check.outcome, check.reason), (Check.Outcome.UNKNOWN, "timeout"))

    def world_route(self, url: str, hub: str, **extra: object) -> tuple[Takedown, list]:  # type: ignore[type-arg]
        with tempfile.TemporaryDirectory() as directory, \
                hosting_world(Path(directory)) as world, smtp_server() as box, \
                override_settings(**world.settings, **smtp_settings(box), HUB_COUNTRY=hub,
                                  **extra):
            takedown = self.takedown_for(url)
            services.takedown_trace(takedown_id=takedown.pk)
            for notice in Notice.objects.all():
                services.notice_send(notice_id=str(notice.pk))
        takedown.refresh_from_db()
        return takedown, box.messages

    def test_behind_a_cdn_the_cdn_is_asked_to_forward(self) -> None:
        takedown, messages = self.world_route("https://cdn-hosted.example.test/a", "US")
        self.assertTrue(takedown.case.traces.get().cdn)
        self.assertEqual(takedown.route, Takedown.Route.NOTICE)
        self.assertEqual((takedown.chain[0]["kind"], takedown.chain[0]["email"]),
                         ("cdn", "abuse@cdn.example.test"))
        self.assertEqual([m["To"] for m in messages], ["abuse@cdn.example.test"])
        text = payload({p.get_content_type(): p for p in messages[0].walk()}["text/plain"])
        self.assertIn("forward this notice to the origin host", " ".join(text.split()))
        page = self.as_user(self.analyst).get(f"/staff/takedown/{takedown.case_id}/")
        self.assertContains(page, 'id="via-cdn"')

    def test_hosted_at_home_the_police_may_hear_in_parallel(self) -> None:
        _takedown, messages = self.world_route("https://www.shop.example.test/a", "GM",
                                               POLICE_IN_PARALLEL=True)
        self.assertEqual(sorted(m["To"] for m in messages),
                         sorted([ABUSE_EMAIL, "police@police.example.test"]))
        self.assertEqual(list(Notice.objects.order_by("sequence").values_list("kind", flat=True)),
                         ["first", "parallel"])
        # Re-sends and escalations still count the host's notices only.
        _takedown.refresh_from_db()
        self.assertEqual(_takedown.notices_at_stage, 1)
