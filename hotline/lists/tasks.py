from __future__ import annotations

from django_tasks import task

from . import services


@task()
def capture_case(case_id: int) -> None:
    services.case_capture(case_id=case_id)
