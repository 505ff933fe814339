from __future__ import annotations

from typing import Any

from django_tasks import task

from hotline.capture.tasks import QUEUE

from . import banks, matching, services
from .models import HashBank


@task(queue_name=QUEUE)
def bank_index_build(bank_id: int) -> None:
    bank = HashBank.objects.filter(pk=bank_id).first()
    if bank is not None:
        banks.index_build(bank)


@task(queue_name=QUEUE)
def bank_rematch(bank_id: int) -> None:
    services.bank_rematch(bank_id=bank_id)


def capture_done(sender: Any, *, capture: Any, **kwargs: Any) -> None:
    """Receiver of capture's ``capture_done``: match the new items against the banks."""
    matching.capture_match(capture)


def case_closed(sender: Any, *, case: Any, **kwargs: Any) -> None:
    """Receiver of cases' ``case_closed``: a contradicting verdict counts against the
    partner-bank hashes that matched the case."""
    services.disagreements_record(case)
