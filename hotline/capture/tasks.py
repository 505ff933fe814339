from __future__ import annotations

from typing import Any

from django.conf import settings
from django_tasks import task

from . import services

# Captures have their own queue, served by their own worker (`hotline worker --queue capture`),
# so that a slow or hostile site never holds up the intake of reports.
QUEUE = "capture"


@task(queue_name=QUEUE)
def case_capture(case_id: int) -> None:
    services.case_capture(case_id=case_id)


def case_opened(sender: Any, *, case_id: int, **kwargs: Any) -> None:
    """Receiver of cases' ``case_opened``: capture the new case's address in the background."""
    if settings.CAPTURE_NEW_CASES:
        case_capture.enqueue(case_id)
