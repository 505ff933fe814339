"""The staff digest: counts and staff links to the staff on duty, through a real SMTP server,
at most once an interval, never an address of a case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import Message

from django.test import override_settings

from hotline.accounts.models import User
from hotline.capture.models import Capture
from hotline.cases.models import Case
from hotline.ops import alerts
from hotline.ops.heartbeat import beat
from hotline.ops.models import StaffDigest
from hotline.ops.tick import tick
from hotline.takedown.models import Notice, Takedown
from hotline.testing.base import StaffTestCase, make_user
from hotline.testing.smtp import smtp_server, smtp_settings, unreachable_smtp_settings

# A Tuesday, 10:30 UTC.
TUESDAY = datetime(2026, 11, 24, 10, 30, tzinfo=UTC)
ON_DUTY = {"STAFF_ALERT_ROLES": ["senior", "admin"], "STAFF_ALERT_INTERVAL_SECONDS": 3600,
           "STAFF_ALERT_DAYS": [0, 1, 2, 3, 4], "STAFF_ALERT_HOURS": [8, 18],
           "STAFF_ALERT_TIME_ZONE": "UTC", "STAFF_ALERT_LANGUAGE": "en",
           "SITE_URL": "https://staff.hub.example.org", "SITE_NAME": "Test Hotline"}


def text(message: Message) -> str:
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes)
    return f"{message['Subject']}\n{body.decode()}".replace("\r\n", "\n")


@override_settings(**ON_DUTY)
class StaffDigestTestCase(StaffTestCase):
    def setUp(self) -> None:
        super().setUp()
        beat("w1", "default", started_at=TUESDAY, now=TUESDAY)  # the capture queue: no worker
        make_user("gone@hub.example.test", User.Role.SENIOR).__class__.objects.filter(
            email="gone@hub.example.test").update(is_active=False)

    def work(self) -> list[str]:
        """Cases waiting at each step, a takedown that needs staff and a failed notice; the
        addresses and hosts they hold, none of which may appear in a digest."""
        self.report("https://secret-one.example.test/a/1", "https://secret-two.example.test/b")
        self.report("https://secret-three.example.test/c", urgent="on")
        review = self.case_for("https://secret-two.example.test/b")
        Case.objects.filter(pk=review.pk).update(status=Case.Status.REVIEW)
        confirmed = self.confirm("https://secret-four.example.test/d")
        Capture.objects.create(case=confirmed, url=confirmed.url, error="dns")
        takedown = Takedown.objects.get(case=confirmed)
        Takedown.objects.filter(pk=takedown.pk).update(state=Takedown.State.NO_CONTACT)
        Notice.objects.create(takedown=takedown, sequence=1, kind=Notice.Kind.FIRST,
                              route="notice", recipient_email="abuse@secret-host.example.test",
                              recipient_name="Secret Host Ltd", state=Notice.State.FAILED,
                              error="connection refused")
        words = ["example.test", "secret", "Secret Host"]
        for case in Case.objects.all():
            words += [case.url, case.host, case.registrable_domain]
        return words

    def test_counts_and_staff_links_to_the_staff_on_duty_and_no_address(self) -> None:
        forbidden = self.work()
        with smtp_server() as box, self.settings(**smtp_settings(box)):
            counts = tick(TUESDAY)
        self.assertEqual(counts["staff_digest"], 3)
        # Senior analysts and administrators, active ones only; one message each.
        recipients = sorted(m["To"] for m in box.messages)
        self.assertEqual(recipients, ["admin@hub.example.test", "senior2@hub.example.test",
                                      "senior@hub.example.test"])
        content = text(box.messages[0])
        self.assertIn("Test Hotline: work waiting for staff", content)
        self.assertIn("1 urgent case waits: a child may be in immediate danger.", content)
        self.assertIn("2 cases wait for assessment.", content)
        self.assertIn("https://staff.hub.example.org/staff/cases/\n", content)
        self.assertIn("1 case waits for a second review or third opinion.", content)
        self.assertIn("https://staff.hub.example.org/staff/cases/reviews/", content)
        self.assertIn("1 takedown found no one to notify and needs staff.", content)
        self.assertIn("https://staff.hub.example.org/staff/takedown/?state=no_contact", content)
        self.assertIn("1 notice could not be sent.", content)
        self.assertIn("No background worker has been seen recently for: capture.", content)
        for message in box.messages:
            for word in forbidden:
                self.assertNotIn(word, text(message))
        row = StaffDigest.objects.get()
        self.assertEqual((row.sent_at, row.recipients), (TUESDAY, 3))
        self.assertEqual(row.counts, {"urgent": 1, "assessment": 2, "review": 1,
                                      "takedowns_need_staff": 1, "notices_failed": 1,
                                      "queues_without_workers": 1})

    def test_at_most_once_an_interval_whoever_ticks(self) -> None:
        self.work()
        with smtp_server() as box, self.settings(**smtp_settings(box)):
            self.assertEqual(tick(TUESDAY)["staff_digest"], 3)
            # Another tick at once, a restarted one later: the last send is in the database.
            self.assertEqual(tick(TUESDAY)["staff_digest"], 0)
            self.assertEqual(tick(TUESDAY + timedelta(minutes=59))["staff_digest"], 0)
            self.assertEqual(len(box.messages), 3)
            self.assertEqual(tick(TUESDAY + timedelta(minutes=60))["staff_digest"], 3)
            self.assertEqual(len(box.messages), 6)

    def test_two_ticks_claiming_at_once_send_once(self) -> None:
        self.assertIsNotNone(alerts._claim(TUESDAY))
        self.assertIsNone(alerts._claim(TUESDAY))
        self.assertIsNone(alerts._claim(TUESDAY + timedelta(seconds=1)))

    def test_nothing_waiting_sends_nothing(self) -> None:
        beat("w2", "capture", started_at=TUESDAY, now=TUESDAY)
        with smtp_server() as box, self.settings(**smtp_settings(box)):
            self.assertEqual(tick(TUESDAY)["staff_digest"], 0)
        self.assertEqual(box.messages, [])
        self.assertFalse(StaffDigest.objects.exists())

    def test_off_duty_nothing_is_sent(self) -> None:
        self.work()
        saturday = TUESDAY + timedelta(days=4)
        evening = TUESDAY.replace(hour=18)
        with smtp_server() as box, self.settings(**smtp_settings(box)):
            self.assertEqual(tick(saturday)["staff_digest"], 0)
            self.assertEqual(tick(evening)["staff_digest"], 0)
            with self.settings(STAFF_ALERT_ROLES=[]):
                self.assertEqual(tick(TUESDAY)["staff_digest"], 0)
        self.assertEqual(box.messages, [])

    def test_a_failed_send_is_tried_again_at_the_next_tick(self) -> None:
        self.work()
        with self.settings(**unreachable_smtp_settings()):
            self.assertEqual(tick(TUESDAY)["staff_digest"], 0)
        with smtp_server() as box, self.settings(**smtp_settings(box)):
            self.assertEqual(tick(TUESDAY + timedelta(minutes=1))["staff_digest"], 3)
        self.assertEqual(len(box.messages), 3)

    @override_settings(STAFF_ALERT_LANGUAGE="fr")
    def test_in_the_language_of_the_hub(self) -> None:
        self.work()
        with smtp_server() as box, self.settings(**smtp_settings(box)):
            tick(TUESDAY)
        content = text(box.messages[0])
        self.assertIn("2 dossiers attendent", content)


class OnDutyTestCase(StaffTestCase):
    @override_settings(STAFF_ALERT_DAYS=[4], STAFF_ALERT_HOURS=[22, 6],
                       STAFF_ALERT_TIME_ZONE="Africa/Banjul")
    def test_overnight_hours_belong_to_the_day_they_start(self) -> None:
        friday_night = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)
        self.assertTrue(alerts.on_duty(friday_night))
        self.assertTrue(alerts.on_duty(friday_night + timedelta(hours=6)))  # Saturday 5:00
        self.assertFalse(alerts.on_duty(friday_night + timedelta(hours=7)))  # Saturday 6:00
        self.assertFalse(alerts.on_duty(friday_night + timedelta(hours=23)))  # Saturday 22:00

    @override_settings(STAFF_ALERT_DAYS=[1], STAFF_ALERT_HOURS=[8, 18],
                       STAFF_ALERT_TIME_ZONE="Asia/Tokyo")
    def test_hours_are_local(self) -> None:
        self.assertFalse(alerts.on_duty(TUESDAY))  # 19:30 in Tokyo
        self.assertTrue(alerts.on_duty(TUESDAY - timedelta(hours=10)))  # 9:30 in Tokyo
