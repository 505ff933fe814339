from __future__ import annotations

from django_tasks import task

from . import services


@task()
def intake_report(report_id: int) -> None:
    services.report_intake(report_id=report_id)
