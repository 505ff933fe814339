"""The hosting trace of a new case, in the background: it is there when the analyst decides
"not in remit", not only once the case is confirmed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django_tasks import task

from hotline.cases.models import Case

from . import services

# The capture queue: network work on reported addresses, served by its own worker, so that a
# slow name server never holds up the intake of reports.
QUEUE = "capture"


@task(queue_name=QUEUE)
def case_trace(case_id: int) -> None:
    if Case.objects.filter(pk=case_id).exists():
        services.trace_case(case_id=case_id)


def case_opened(sender: Any, *, case_id: int, **kwargs: Any) -> None:
    """Receiver of cases' ``case_opened``: trace the new case's host in the background."""
    if settings.TRACE_NEW_CASES:
        case_trace.enqueue(case_id)
