"""The staff digest: an e-mail to the staff on duty when work waits for them.

Run by every tick (hotline/ops/tick.py). On duty means an active account of a role in
STAFF_ALERT_ROLES, on one of STAFF_ALERT_DAYS between STAFF_ALERT_HOURS (local time in
STAFF_ALERT_TIME_ZONE). The digest is sent when something waits, at most once every
STAFF_ALERT_INTERVAL_SECONDS: the tick that moves the one ``StaffDigest`` row's ``sent_at`` on
with a conditional UPDATE sends it, so ticks running at once, or restarted, never send it twice.

It holds counts and links to staff pages only: never a reported address, host, reporter text or
anything else of a case, since mail passes through servers the hub does not control.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hotline.accounts.models import User
from hotline.cases.models import Case
from hotline.cases.queue import waiting_counts
from hotline.takedown.models import Notice, Takedown

from .models import StaffDigest
from .status import queues_without_workers

log = logging.getLogger(__name__)

NEVER = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Waiting:
    """What waits for staff, in counts."""

    urgent: int  # waiting cases a reporter or member said may involve a child in danger now
    assessment: int
    review: int
    takedowns_need_staff: int
    notices_failed: int
    queues_without_workers: tuple[str, ...]

    def anything(self) -> bool:
        return bool(self.urgent or self.assessment or self.review or self.takedowns_need_staff
                    or self.notices_failed or self.queues_without_workers)

    def as_counts(self) -> dict[str, int]:
        return {"urgent": self.urgent, "assessment": self.assessment, "review": self.review,
                "takedowns_need_staff": self.takedowns_need_staff,
                "notices_failed": self.notices_failed,
                "queues_without_workers": len(self.queues_without_workers)}


def waiting(now: datetime) -> Waiting:
    by_status, urgent = waiting_counts()
    return Waiting(
        urgent=urgent,
        assessment=by_status.get(Case.Status.OPEN, 0),
        review=by_status.get(Case.Status.REVIEW, 0) + by_status.get(Case.Status.THIRD, 0),
        takedowns_need_staff=Takedown.objects.filter(state=Takedown.State.NO_CONTACT).count(),
        notices_failed=Notice.objects.filter(state=Notice.State.FAILED).count(),
        queues_without_workers=tuple(queues_without_workers(now)))


def on_duty(now: datetime) -> bool:
    """Whether now falls on a day and within the hours of STAFF_ALERT_DAYS and _HOURS."""
    local = now.astimezone(ZoneInfo(settings.STAFF_ALERT_TIME_ZONE))
    start, end = settings.STAFF_ALERT_HOURS
    if start <= end:
        in_hours = start <= local.hour < end
    else:  # overnight, e.g. 22 to 6: the night that began the day before counts for it
        in_hours = local.hour >= start or local.hour < end
        if local.hour < end:
            local -= timedelta(days=1)
    return in_hours and local.weekday() in settings.STAFF_ALERT_DAYS


def recipients() -> list[str]:
    return list(User.objects.filter(is_active=True, role__in=settings.STAFF_ALERT_ROLES)
                .order_by("email").values_list("email", flat=True))


def _claim(now: datetime) -> datetime | None:
    """Move the last send on to now if it is at least an interval old: the previous send time
    for the one tick that did, else None."""
    try:
        with transaction.atomic():
            StaffDigest.objects.get_or_create(key="staff", defaults={"sent_at": NEVER})
    except IntegrityError:
        pass  # another tick created it at the same moment
    interval = timedelta(seconds=settings.STAFF_ALERT_INTERVAL_SECONDS)
    row = StaffDigest.objects.get(key="staff")
    if row.sent_at > now - interval:
        return None
    moved = StaffDigest.objects.filter(key="staff", sent_at=row.sent_at).update(sent_at=now)
    return row.sent_at if moved else None


def _link(name: str, query: str = "") -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name) + query


def render(what: Waiting, now: datetime) -> tuple[str, str]:
    """Subject and body, in STAFF_ALERT_LANGUAGE: counts and staff links only."""
    with translation.override(settings.STAFF_ALERT_LANGUAGE):
        lines = [_("Work is waiting for staff at %(site)s (%(time)s UTC).") % {
            "site": settings.SITE_NAME, "time": f"{now.astimezone(UTC):%Y-%m-%d %H:%M}"},
            ""]
        items = [
            (what.urgent, ngettext(
                "%(n)d urgent case waits: a child may be in immediate danger.",
                "%(n)d urgent cases wait: a child may be in immediate danger.", what.urgent),
             _link("cases:queue")),
            (what.assessment, ngettext("%(n)d case waits for assessment.",
                                       "%(n)d cases wait for assessment.", what.assessment),
             _link("cases:queue")),
            (what.review, ngettext("%(n)d case waits for a second review or third opinion.",
                                   "%(n)d cases wait for a second review or third opinion.",
                                   what.review), _link("cases:reviews")),
            (what.takedowns_need_staff,
             ngettext("%(n)d takedown found no one to notify and needs staff.",
                      "%(n)d takedowns found no one to notify and need staff.",
                      what.takedowns_need_staff),
             _link("takedown:list", f"?state={Takedown.State.NO_CONTACT}")),
            (what.notices_failed, ngettext("%(n)d notice could not be sent.",
                                           "%(n)d notices could not be sent.",
                                           what.notices_failed), _link("takedown:list")),
        ]
        for n, text, link in items:
            if n:
                lines += [text % {"n": n}, f"  {link}", ""]
        if what.queues_without_workers:
            lines += [_("No background worker has been seen recently for: %(queues)s. That work "
                        "waits until one runs: tell the engineer on call.") % {
                "queues": ", ".join(what.queues_without_workers)}, ""]
        lines.append(_("This message holds counts only, never a reported address. You receive "
                       "it as staff on duty; the next one comes at the earliest in %(minutes)d "
                       "minutes.") % {"minutes": settings.STAFF_ALERT_INTERVAL_SECONDS // 60})
        subject = _("%(site)s: work waiting for staff") % {"site": settings.SITE_NAME}
    return subject, "\n".join(lines) + "\n"


def staff_digest(now: datetime) -> dict[str, int]:
    """Send the digest if staff are on duty, something waits and the interval has passed."""
    if not settings.STAFF_ALERT_ROLES or not on_duty(now):
        return {"staff_digest": 0}
    what = waiting(now)
    if not what.anything():
        return {"staff_digest": 0}
    to = recipients()
    if not to:
        return {"staff_digest": 0}
    previous = _claim(now)
    if previous is None:
        return {"staff_digest": 0}
    subject, body = render(what, now)
    try:
        with get_connection() as connection:
            # One message each: staff addresses are not shown to one another.
            sent = connection.send_messages([EmailMessage(subject, body, to=[address],
                                                          connection=connection)
                                             for address in to]) or 0
    except OSError as e:
        # Not sent: give the next tick its turn instead of waiting a whole interval.
        StaffDigest.objects.filter(key="staff", sent_at=now).update(sent_at=previous)
        log.error("staff digest not sent: %s", type(e).__name__)
        return {"staff_digest": 0}
    StaffDigest.objects.filter(key="staff").update(recipients=sent, counts=what.as_counts())
    log.info("staff digest sent to %d staff", sent)
    return {"staff_digest": sent}
