"""One notice per recipient for the addresses that became ready within a short window, each
address looked at just before sending and left out when it is already gone."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

from django.test import override_settings
from django.utils import timezone

from hotline.audit.models import AuditEntry
from hotline.capture import services as capture
from hotline.lists.models import UrlListEntry
from hotline.takedown import services
from hotline.takedown.models import Check, Notice, Takedown
from hotline.testing.httpserver import Route, serve
from hotline.testing.smtp import smtp_server, smtp_settings

from .base import HOST, POLICE, TakedownTestCase, payload

PAGE = b"<html><body><h1>A page</h1></body></html>"


@override_settings(FETCH_ALLOW_NETWORKS=["127.0.0.1/32"], NOTICE_GROUP_SECONDS=60,
                   NOTICE_GROUP_MAX=50)
class NoticeGroupTestCase(TakedownTestCase):
    def actioned(self, url: str) -> Takedown:
        self.report(url)
        case = self.case_for(url)
        capture.case_capture(case_id=case.pk)
        case = self.confirm_case(case)
        first = case.captures.order_by("fetched_at").first()
        return self.active_takedown(case, [HOST, POLICE], sha256=first.sha256 if first else "")

    def test_addresses_ready_within_the_window_go_out_as_one_message(self) -> None:
        with serve() as site, smtp_server() as box, self.settings(**smtp_settings(box)):
            for path in ("/a", "/b", "/c"):
                site.routes[path] = Route(body=PAGE + path.encode())
            takedowns = [self.actioned(site.url(p)) for p in ("/a", "/b", "/c")]
            notices = [services.notice_create(t, Notice.Kind.FIRST) for t in takedowns]
            self.assertEqual(len({n.send_after for n in notices}), 1)
            services.notice_send(notice_id=str(notices[1].pk))
            for n in notices:  # the other tasks of the group find nothing left to send
                services.notice_send(notice_id=str(n.pk))
        self.assertEqual(len(box.messages), 1)
        message = box.messages[0]
        self.assertEqual(message["To"], "abuse@hosting.example.test")
        parts = list(message.walk())
        text = payload(next(p for p in parts if p.get_content_type() == "text/plain"))
        for path in ("/a", "/b", "/c"):
            self.assertIn(site.url(path), text)
        reports = [json.loads(payload(p)) for p in parts
                   if p.get_content_type() == "application/json"]
        self.assertEqual(sorted(r["url"] for r in reports), sorted(site.url(p)
                                                                    for p in ("/a", "/b", "/c")))
        self.assertEqual({r["report_id"] for r in reports}, {str(n.pk) for n in notices})
        sent = Notice.objects.filter(pk__in=[n.pk for n in notices])
        self.assertEqual({n.state for n in sent}, {Notice.State.SENT})
        batch = {n.batch for n in sent}
        self.assertEqual(len(batch), 1)
        self.assertEqual(message["Message-ID"], f"<{batch.pop()}@hub.example.test>")
        # Each address was looked at just before sending; the looks do not move the schedule.
        self.assertEqual(Check.objects.filter(before_notice=True).count(), 3)

    def test_a_notice_after_the_window_starts_a_new_group(self) -> None:
        with serve() as site:
            site.routes["/a"] = Route(body=PAGE)
            site.routes["/b"] = Route(body=PAGE + b"b")
            first = services.notice_create(self.actioned(site.url("/a")), Notice.Kind.FIRST)
            Notice.objects.filter(pk=first.pk).update(
                send_after=timezone.now() - timedelta(seconds=1))  # its window has passed
            second = services.notice_create(self.actioned(site.url("/b")), Notice.Kind.FIRST)
        first.refresh_from_db()
        self.assertNotEqual(first.send_after, second.send_after)
        self.assertGreater(second.send_after, timezone.now())

    @override_settings(NOTICE_GROUP_MAX=2)
    def test_a_full_group_starts_another(self) -> None:
        with serve() as site:
            for path in ("/a", "/b", "/c"):
                site.routes[path] = Route(body=PAGE + path.encode())
            notices = [services.notice_create(self.actioned(site.url(p)), Notice.Kind.FIRST)
                       for p in ("/a", "/b", "/c")]
        self.assertEqual(notices[0].send_after, notices[1].send_after)
        self.assertNotEqual(notices[1].send_after, notices[2].send_after)

    def test_an_address_already_gone_is_left_out_and_counts_towards_removal(self) -> None:
        with serve() as site, smtp_server() as box, self.settings(**smtp_settings(box)):
            site.routes["/a"] = Route(body=PAGE + b"a")
            site.routes["/b"] = Route(body=PAGE + b"b")
            stays, goes = self.actioned(site.url("/a")), self.actioned(site.url("/b"))
            kept = services.notice_create(stays, Notice.Kind.FIRST)
            dropped = services.notice_create(goes, Notice.Kind.FIRST)
            site.routes["/b"] = Route(status=404)  # removed before the notice went out
            services.notice_send(notice_id=str(dropped.pk))
        self.assertEqual(len(box.messages), 1)
        text = payload(next(p for p in box.messages[0].walk()
                            if p.get_content_type() == "text/plain"))
        self.assertIn(site.url("/a"), text)
        self.assertNotIn(site.url("/b"), text)
        kept.refresh_from_db()
        dropped.refresh_from_db()
        self.assertEqual((kept.state, dropped.state), (Notice.State.SENT, Notice.State.SKIPPED))
        goes.refresh_from_db()
        # One observation is not removal: the address stays on the list, checked again.
        self.assertEqual((goes.state, goes.gone_checks), (Takedown.State.ACTIVE, 1))
        self.assertTrue(UrlListEntry.objects.get(case=goes.case).active)
        self.assertTrue(AuditEntry.objects.filter(action="notice.skipped").exists())

    def test_material_seen_again_after_its_notice_was_left_out_gets_a_notice(self) -> None:
        with serve() as site, smtp_server() as box, self.settings(**smtp_settings(box)):
            site.routes["/b"] = Route(body=PAGE + b"b")
            takedown = self.actioned(site.url("/b"))
            notice = services.notice_create(takedown, Notice.Kind.FIRST)
            site.routes["/b"] = Route(status=404)
            services.notice_send(notice_id=str(notice.pk))
            self.assertEqual(len(box.messages), 0)
            site.routes["/b"] = Route(body=PAGE + b"b")  # a hiccup: it is there after all
            check = services.takedown_check(takedown_id=takedown.pk)
            assert check is not None
            self.assertEqual(check.outcome, Check.Outcome.PRESENT)
            again = Notice.objects.get(takedown=takedown, state=Notice.State.PENDING)
            services.notice_send(notice_id=str(again.pk))
        self.assertEqual(len(box.messages), 1)
        takedown.refresh_from_db()
        self.assertEqual(takedown.notices_at_stage, 2)

    def test_the_police_in_parallel_are_told_even_when_the_address_is_gone(self) -> None:
        with serve() as site, smtp_server() as box, self.settings(**smtp_settings(box)):
            site.routes["/p"] = Route(body=PAGE)
            takedown = self.actioned(site.url("/p"))
            parallel = services.notice_create(takedown, Notice.Kind.PARALLEL, contact=POLICE)
            site.routes["/p"] = Route(status=404)
            services.notice_send(notice_id=str(parallel.pk))
        self.assertEqual([m["To"] for m in box.messages], ["police@police.example.test"])
        self.assertFalse(Check.objects.filter(before_notice=True).exists())

    @override_settings(NOTICE_LOOK_BUDGET_SECONDS=0)
    def test_past_the_look_budget_the_rest_go_out_unlooked(self) -> None:
        with serve() as site, smtp_server() as box, self.settings(**smtp_settings(box)):
            site.routes["/a"] = Route(body=PAGE + b"a")
            site.routes["/b"] = Route(body=PAGE + b"b")
            first = services.notice_create(self.actioned(site.url("/a")), Notice.Kind.FIRST)
            services.notice_create(self.actioned(site.url("/b")), Notice.Kind.FIRST)
            site.routes["/b"] = Route(status=404)
            services.notice_send(notice_id=str(first.pk))
        self.assertEqual(len(box.messages), 1)
        self.assertEqual(set(Notice.objects.values_list("state", flat=True)),
                         {Notice.State.SENT})
        self.assertFalse(Check.objects.filter(before_notice=True).exists())

    @override_settings(NOTICE_LOOK_CONCURRENCY=3)
    def test_the_looks_of_a_group_run_at_the_same_time(self) -> None:
        # The site answers only once three looks are waiting together: looks made one after
        # another would each give up waiting (503: unknown) and every notice would go out.
        paths = ("/a", "/b", "/c")
        with serve() as site, smtp_server() as box, self.settings(**smtp_settings(box)):
            for path in paths:
                site.routes[path] = Route(body=PAGE + path.encode())
            notices = [services.notice_create(self.actioned(site.url(p)), Notice.Kind.FIRST)
                       for p in paths]
            together = threading.Barrier(len(paths))

            def gone_once_all_are_here(_headers: object) -> Route:
                try:
                    together.wait(timeout=10)
                except threading.BrokenBarrierError:
                    return Route(status=503)
                return Route(status=404)

            for path in paths:
                site.routes[path] = Route(choose=gone_once_all_are_here)
            services.notice_send(notice_id=str(notices[0].pk))
        self.assertEqual(box.messages, [])
        self.assertEqual(set(Notice.objects.values_list("state", flat=True)),
                         {Notice.State.SKIPPED})
        checks = Check.objects.filter(before_notice=True)
        self.assertEqual(sorted(c.outcome for c in checks), [Check.Outcome.GONE] * 3)

    def test_a_notice_of_a_takedown_removed_meanwhile_is_left_out_without_a_look(self) -> None:
        with serve() as site, smtp_server() as box, self.settings(**smtp_settings(box)):
            site.routes["/p"] = Route(body=PAGE)
            takedown = self.actioned(site.url("/p"))
            notice = services.notice_create(takedown, Notice.Kind.RESEND)
            Takedown.objects.filter(pk=takedown.pk).update(
                state=Takedown.State.REMOVED, removed_at=timezone.now(), follow_ups_done=0)
            services.notice_send(notice_id=str(notice.pk))
        self.assertEqual(box.messages, [])
        notice.refresh_from_db()
        self.assertEqual(notice.state, Notice.State.SKIPPED)
        # No look was spent on it: the follow-up checks stay as scheduled.
        self.assertFalse(Check.objects.exists())
        takedown.refresh_from_db()
        self.assertEqual(takedown.follow_ups_done, 0)
