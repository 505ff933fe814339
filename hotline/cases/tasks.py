from __future__ import annotations

from typing import Any

from django_tasks import task

from . import services


@task()
def report_intake(report_id: int) -> None:
    services.report_intake(report_id=report_id)


def report_stored(sender: Any, *, report_id: int, **kwargs: Any) -> None:
    """Receiver of intake's ``report_stored``: take the report in, in the background."""
    report_intake.enqueue(report_id)
