"""An index for /metrics' failed tasks per queue (hotline/ops/metrics.py).

django-tasks-db indexes only the tasks ready to run; counting the failed ones per queue would
read every task row. The table belongs to that library, so the index is made here, by name,
on both SQLite and PostgreSQL, and dropped when this migration is reversed.
"""

from django.db import migrations

INDEX = "ops_task_status_queue_idx"
TABLE = "django_tasks_database_dbtaskresult"


class Migration(migrations.Migration):
    dependencies = [
        ("ops", "0001_worker_heartbeat_and_staff_digest"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.RunSQL(
            f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "{TABLE}" ("status", "queue_name")',
            f'DROP INDEX IF EXISTS "{INDEX}"',
        ),
    ]
