"""Banks in the admin: per-bank matching settings, enabling one matches it against open cases
in the background, and the progress of that matching is shown."""

from __future__ import annotations

from django_tasks_db.models import DBTaskResult

from hotline.lists import tasks
from hotline.lists.models import HashBank
from hotline.testing.base import StaffTestCase


class BanksAdminTestCase(StaffTestCase):
    def form(self, bank: HashBank, **changes: object) -> dict[str, object]:
        data: dict[str, object] = {"name": bank.name, "kind": bank.kind, "source": "",
                                   "licence": "", "pdq_max_distance": "", "pdq_min_quality": ""}
        if bank.enabled:
            data["enabled"] = "on"
        data.update(changes)
        return {k: v for k, v in data.items() if v is not None}

    def test_enabling_a_bank_matches_it_against_open_cases(self) -> None:
        bank = HashBank.objects.create(name="Partner (test)", enabled=False)
        admin = self.as_user(self.admin)
        with self.captureOnCommitCallbacks(execute=True):
            r = admin.post(f"/staff/admin/lists/hashbank/{bank.pk}/change/",
                           self.form(bank, enabled="on"))
        self.assertEqual(r.status_code, 302)
        queued = DBTaskResult.objects.filter(task_path=tasks.bank_rematch.module_path)
        self.assertEqual([q.args_kwargs["args"] for q in queued], [[bank.pk]])
        tasks.bank_rematch.call(bank.pk)
        page = admin.get("/staff/admin/lists/hashbank/").content.decode()
        self.assertIn("done: 0 items", page)

    def test_a_changed_distance_is_a_new_version(self) -> None:
        bank = HashBank.objects.create(name="Partner (test)")
        version = bank.version
        admin = self.as_user(self.admin)
        admin.post(f"/staff/admin/lists/hashbank/{bank.pk}/change/",
                   self.form(bank, pdq_max_distance="12"))
        bank.refresh_from_db()
        self.assertEqual((bank.pdq_max_distance, bank.distance), (12, 12))
        self.assertEqual(bank.version, version + 1)
