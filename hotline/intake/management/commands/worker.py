"""``hotline worker``: runs background tasks from the database queue.

Any number may run at once, on this machine or others sharing the database: each claims a task
atomically before running it.
"""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand


class Command(DatabaseWorkerCommand):
    help = "Run background tasks (any number of workers may run at once)."
