from __future__ import annotations

from typing import Any

from django.conf import settings
from django_tasks import task

from . import services


@task()
def case_capture(case_id: int) -> None:
    services.case_capture(case_id=case_id)


def case_opened(sender: Any, *, case_id: int, **kwargs: Any) -> None:
    """Receiver of cases' ``case_opened``: capture the new case's URL in the background."""
    if settings.CAPTURE_NEW_CASES:
        case_capture.enqueue(case_id)
