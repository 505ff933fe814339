from __future__ import annotations

from django_tasks import task

from . import services


@task()
def takedown_trace(takedown_id: int) -> None:
    services.takedown_trace(takedown_id=takedown_id)


@task()
def notice_send(notice_id: str) -> None:
    services.notice_send(notice_id=notice_id)


@task()
def takedown_check(takedown_id: int) -> None:
    services.takedown_check(takedown_id=takedown_id)
