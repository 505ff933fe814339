"""/healthz and /readyz: JSON for machines, no cookie, no rate limit, each check named."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client, override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hotline.cases.tasks import report_intake
from hotline.ops import health
from hotline.ops.heartbeat import beat
from hotline.ops.models import WorkerHeartbeat
from hotline.testing.base import PublicTestCase
from hotline.testing.migrations import MigrationTestCase


def beat_all(age: timedelta = timedelta(0)) -> None:
    for queue in ("default", "capture"):
        beat(f"w-{queue}", queue, started_at=timezone.now(), now=timezone.now() - age)


@override_settings(READY_HEARTBEAT_MAX_AGE_SECONDS=300, READY_QUEUE_MAX_AGE_SECONDS=900)
class HealthTestCase(PublicTestCase):
    def test_healthz_answers_json_without_cookies_however_often_it_is_asked(self) -> None:
        for _ in range(200):  # more than any rate limit of the public side allows
            response = self.client.get("/healthz")
            self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "ok"})
        self.assertFalse(response.cookies)
        self.assertNotIn("Set-Cookie", response)

    def test_ready_when_every_check_passes(self) -> None:
        beat_all()
        response = self.client.get("/readyz")
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual(body["status"], "ready")
        self.assertEqual(set(body["checks"]),
                         {"database", "migrations", "cache", "workers", "queue"})
        self.assertTrue(all(check == {"ok": True} for check in body["checks"].values()))
        self.assertFalse(response.cookies)

    def test_not_ready_without_a_worker_of_each_queue(self) -> None:
        beat("w-default", "default", started_at=timezone.now())
        response = self.client.get("/readyz")
        self.assertEqual(response.status_code, 503)
        workers = response.json()["checks"]["workers"]
        self.assertFalse(workers["ok"])
        self.assertIn("capture", workers["detail"])
        self.assertNotIn("default", workers["detail"])

    def test_a_worker_not_seen_for_too_long_is_not_enough(self) -> None:
        beat_all(age=timedelta(minutes=6))
        response = self.client.get("/readyz")
        self.assertEqual(response.status_code, 503)
        self.assertFalse(response.json()["checks"]["workers"]["ok"])

    def test_one_worker_of_every_queue_counts_for_each(self) -> None:
        beat("w-all", "*", started_at=timezone.now())
        self.assertEqual(self.client.get("/readyz").status_code, 200)
        WorkerHeartbeat.objects.all().delete()
        beat("w-both", "default,capture", started_at=timezone.now())
        self.assertEqual(self.client.get("/readyz").status_code, 200)

    def test_not_ready_when_a_task_waited_too_long(self) -> None:
        beat_all()
        result = report_intake.enqueue(1)
        DBTaskResult.objects.filter(pk=result.id).update(
            enqueued_at=timezone.now() - timedelta(minutes=14))
        self.assertEqual(self.client.get("/readyz").status_code, 200)  # not yet too long
        DBTaskResult.objects.filter(pk=result.id).update(
            enqueued_at=timezone.now() - timedelta(minutes=16))
        response = self.client.get("/readyz")
        self.assertEqual(response.status_code, 503)
        queue = response.json()["checks"]["queue"]
        self.assertFalse(queue["ok"])
        self.assertIn("default", queue["detail"])
        # A task that ran is no longer waiting.
        DBTaskResult.objects.filter(pk=result.id).update(status="SUCCESSFUL")
        self.assertEqual(self.client.get("/readyz").status_code, 200)

    @override_settings(CACHES={"default": {
        "BACKEND": "django.core.cache.backends.dummy.DummyCache"}})
    def test_not_ready_when_the_cache_keeps_nothing(self) -> None:
        beat_all()
        response = self.client.get("/readyz")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json()["checks"]["cache"],
                         {"ok": False, "detail": "the cache does not keep values"})

    def test_a_post_is_refused(self) -> None:
        self.assertEqual(self.client.post("/healthz").status_code, 405)
        self.assertEqual(self.client.post("/readyz").status_code, 405)

    def test_the_names_cannot_become_portal_codes(self) -> None:
        from django.core.exceptions import ValidationError

        from hotline.portals.models import validate_code
        for code in ("healthz", "readyz", "metrics"):
            with self.assertRaises(ValidationError):
                validate_code(code)


class UnmigratedTestCase(MigrationTestCase):
    def test_not_ready_when_a_migration_is_not_applied(self) -> None:
        # None: before the app's first migration, so its tables are gone.
        self.migrate([("ops", None)])  # type: ignore[list-item]
        health._migrated = False
        response = Client().get("/readyz")
        self.assertEqual(response.status_code, 503)
        checks = response.json()["checks"]
        self.assertTrue(checks["database"]["ok"])
        self.assertEqual(checks["migrations"], {
            "ok": False, "detail": "migrations are not applied: run `hotline migrate`"})
        self.assertFalse(checks["workers"]["ok"])  # their table is not there yet
        self.assertNotIn("ops_workerheartbeat", response.content.decode())
