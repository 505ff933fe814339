"""Takedown actions: start after confirmation, route, send notices, re-check until removed.

All network work runs in background tasks. State lives in these tables, not in the task
queue: a check only moves ``next_check_at`` on in the transaction that records its result,
and a notice is marked as being sent before the mail goes out. So a worker killed mid-task
loses nothing (the tick finds the check still due and queues it again) and never sends the
same notice twice.
"""

from __future__ import annotations

import json
import logging
import uuid
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count, F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from hotline.audit.services import audit_record
from hotline.cases.models import Case
from hotline.hosting.services import trace_case
from hotline.lists.models import UrlListChange
from hotline.lists.services import url_list_add, url_list_remove

from . import removal
from .models import Check, Notice, Takedown
from .routing import override_chain, route_for
from .xarf_report import xarf_for

log = logging.getLogger(__name__)


def _on_commit(task_name: str, *args: Any) -> None:
    from . import tasks

    transaction.on_commit(partial(getattr(tasks, task_name).enqueue, *args))


# --- Start and route --------------------------------------------------------------------------

def takedown_start(case: Case) -> Takedown:
    """A confirmed case: record the content's hash now, then trace and notify in the background."""
    capture = case.captures.exclude(sha256="").filter(status=200).first()
    with transaction.atomic():
        takedown, created = Takedown.objects.get_or_create(case=case, defaults={
            "confirmed_at": case.closed_at or timezone.now(),
            "recorded_sha256": capture.sha256 if capture else "",
            "check_interval": settings.RECHECK_FIRST_SECONDS,
        })
        if created:
            _on_commit("takedown_trace", takedown.pk)
    return takedown


def takedown_trace(*, takedown_id: int) -> None:
    takedown = Takedown.objects.select_related("case").get(pk=takedown_id)
    if takedown.state != Takedown.State.TRACING:
        return
    trace = trace_case(case_id=takedown.case_id)
    route, chain = route_for(trace.country or "", trace.abuse_email or "", cdn=trace.cdn)
    with transaction.atomic():
        takedown = Takedown.objects.select_for_update().get(pk=takedown_id)
        if takedown.state != Takedown.State.TRACING:
            return
        takedown.route, takedown.chain, takedown.stage = route, chain, 0
        takedown.next_check_at = timezone.now() + timedelta(seconds=takedown.check_interval)
        if not chain:
            takedown.state = Takedown.State.NO_CONTACT
            takedown.save()
            audit_record(actor="system", action="takedown.no_contact", obj=takedown,
                         country=trace.country, failed_step=trace.failed_step)
            return
        takedown.state = Takedown.State.ACTIVE
        takedown.save()
        audit_record(actor="system", action="takedown.route", obj=takedown, route=route,
                     country=trace.country, contact=chain[0]["email"], cdn=trace.cdn)
        notice_create(takedown, Notice.Kind.FIRST)
        police = [c for c in chain[1:] if c["kind"] == "police"]
        if route == Takedown.Route.NOTICE and settings.POLICE_IN_PARALLEL and police:
            # As the IWF does for material hosted at home: the police hear of it at once, not
            # only after escalations, while the host is asked to remove it.
            notice_create(takedown, Notice.Kind.PARALLEL, contact=police[0])


def takedown_override(*, takedown_id: int, user: Any, route: str, email: str, name: str = "",
                      language: str = "en", reason: str = "") -> Takedown:
    """Staff send this case elsewhere than the routing decided; the next notice goes there."""
    with transaction.atomic():
        takedown = Takedown.objects.select_for_update().get(pk=takedown_id)
        takedown.route = route
        takedown.chain = override_chain(route, email, name, language)
        takedown.stage, takedown.notices_at_stage = 0, 0
        takedown.overridden_by = user
        if takedown.state in (Takedown.State.TRACING, Takedown.State.NO_CONTACT):
            takedown.state = Takedown.State.ACTIVE
            takedown.next_check_at = timezone.now() + timedelta(seconds=takedown.check_interval)
        takedown.save()
        audit_record(actor=user, action="takedown.override", obj=takedown, route=route,
                     contact=email, reason=reason)
        if takedown.state == Takedown.State.ACTIVE:
            notice_create(takedown, Notice.Kind.FIRST)
    return takedown


# --- Notices ------------------------------------------------------------------------------------

ASKING = (Notice.Kind.FIRST, Notice.Kind.RESEND, Notice.Kind.ESCALATION, Notice.Kind.REAPPEARED)


def notice_create(takedown: Takedown, kind: str,
                  contact: dict[str, str] | None = None) -> Notice:
    """A notice to the current contact (or the one given, for information in parallel).

    It joins the recipient's open group when one is waiting (NOTICE_GROUP_SECONDS), else opens
    one; a task sends the group once the window has passed and this transaction commits."""
    parallel = contact is not None
    contact = contact or takedown.current_contact()
    assert contact is not None
    now = timezone.now()
    sequence = takedown.notices.count() + 1
    notice = Notice.objects.create(
        takedown=takedown, sequence=sequence, kind=kind, route=takedown.route,
        recipient_name=contact.get("name", ""), recipient_email=contact["email"],
        recipient_kind=contact.get("kind", ""),
        language=contact.get("language") or "en", queued_at=now,
        send_after=_group_time(contact["email"], now))
    notice.xarf = xarf_for(notice)
    notice.save(update_fields=["xarf"])
    if not parallel:  # the chain's re-sends and escalations count the contact's notices only
        Takedown.objects.filter(pk=takedown.pk).update(
            last_notice_at=now, notices_at_stage=F("notices_at_stage") + 1)
    from . import tasks

    task = tasks.notice_send.using(run_after=notice.send_after)
    transaction.on_commit(partial(task.enqueue, str(notice.pk)))
    return notice


def _group_time(email: str, now: datetime) -> datetime:
    """When the recipient's open group goes out: the waiting one's time if it has room."""
    waiting = (Notice.objects.filter(state=Notice.State.PENDING, recipient_email=email,
                                     send_after__gt=now)
               .values("send_after").annotate(n=Count("id")).order_by("send_after"))
    for group in waiting:
        if group["n"] < settings.NOTICE_GROUP_MAX:
            send_after: datetime = group["send_after"]
            return send_after
    return now + timedelta(seconds=settings.NOTICE_GROUP_SECONDS)


def _message(batch: uuid.UUID, notices: list[Notice]) -> EmailMultiAlternatives:
    first = notices[0]
    language = first.language if first.language in dict(settings.LANGUAGES) else "en"
    items = [{"notice": n, "case": n.takedown.case, "xarf": n.xarf} for n in notices]
    context = {"notice": first, "case": first.takedown.case, "xarf": first.xarf,
               "items": items, "batch": batch, "hub": settings.HUB_NAME,
               "hub_email": settings.HUB_EMAIL}
    with translation.override(language):
        subject = render_to_string("takedown/email/subject.txt", context).strip()
        text = render_to_string("takedown/email/notice.txt", context)
        html = render_to_string("takedown/email/notice.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.HUB_EMAIL,
        to=[first.recipient_email],
        headers={"Message-ID": f"<{batch}@{settings.HUB_DOMAIN}>",
                 "X-XARF": "PLAIN", "Auto-Submitted": "auto-generated"})
    message.attach_alternative(html, "text/html")
    for n in notices:  # one XARF report per address
        name = "xarf.json" if len(notices) == 1 else f"xarf-{n.takedown.case_id}.json"
        message.attach(name, json.dumps(n.xarf, indent=1), "application/json")
    return message


def notice_send(*, notice_id: str) -> None:
    """Send the group this notice belongs to, at most once.

    Each address asking for removal is looked at first and left out when it is already gone
    (the look counts towards removal like any check). The notices are then claimed, marked as
    being sent, before the mail goes out: a retried task finds nothing to claim."""
    notice = Notice.objects.filter(pk=notice_id, state=Notice.State.PENDING).first()
    if notice is None:
        return  # sent already, or being sent by another worker
    group = list(Notice.objects.filter(state=Notice.State.PENDING,
                                       recipient_email=notice.recipient_email,
                                       send_after=notice.send_after)
                 .order_by("queued_at", "sequence")[:settings.NOTICE_GROUP_MAX])
    # Each look is recorded as a check once, here: takedown id → why its material is gone.
    gone = {pk: _record_look(pk, observed)
            for pk, observed in _looks_before_sending(group).items()}
    keep = [n for n in group if not _gone_before_sending(n, gone)]
    if not keep:
        return
    batch = notice.pk if notice in keep else keep[0].pk
    Notice.objects.filter(pk__in=[n.pk for n in keep], state=Notice.State.PENDING).update(
        state=Notice.State.SENDING, batch=batch)
    claimed = list(Notice.objects.filter(batch=batch, state=Notice.State.SENDING)
                   .select_related("takedown__case").order_by("queued_at", "sequence"))
    if not claimed:
        return
    try:
        _message(batch, claimed).send()
    except OSError as e:
        # Nothing left the building (connection refused, TLS, refused recipient): try again
        # later. A crash after the server accepted the mail leaves them SENDING, never re-sent.
        Notice.objects.filter(batch=batch, state=Notice.State.SENDING).update(
            state=Notice.State.PENDING, batch=None, error=str(e)[:300])
        raise
    Notice.objects.filter(batch=batch, state=Notice.State.SENDING).update(
        state=Notice.State.SENT, sent_at=timezone.now(), error="")
    for n in claimed:
        audit_record(actor="system", action="notice.sent", obj=n, recipient=n.recipient_email,
                     kind=n.kind, batch=str(batch), addresses=len(claimed))


def _looks_before_sending(group: list[Notice]) -> dict[int, removal.Observed]:
    """Look once more at the addresses of the group that ask for removal, a few at a time
    (NOTICE_LOOK_CONCURRENCY), for at most NOTICE_LOOK_BUDGET_SECONDS in all: takedown id →
    what was seen. A look not back in time is left out, and its notice goes out unlooked
    (confirmed material: the look only spares a host a notice about something gone).

    Only active takedowns are looked at: one removed (or withdrawn) since the notice was made
    needs no notice, and a look would count as one of its follow-up checks. The confirmed
    items are read here, so the looks themselves touch only the network."""
    budget = settings.NOTICE_LOOK_BUDGET_SECONDS
    asking = {n.takedown_id for n in group if n.kind in ASKING}
    if budget <= 0 or not asking:
        return {}
    takedowns = list(Takedown.objects.filter(pk__in=asking, state=Takedown.State.ACTIVE)
                     .select_related("case"))
    if not takedowns:
        return {}
    pool = ThreadPoolExecutor(max_workers=settings.NOTICE_LOOK_CONCURRENCY,
                              thread_name_prefix="notice-look")
    futures = {pool.submit(removal.check_once, t.case, t.recorded_sha256,
                           removal.confirmed_items(t.case)): t.pk for t in takedowns}
    done, late = wait(futures, timeout=budget)
    pool.shutdown(wait=False, cancel_futures=True)  # a late look ends on its own time-outs
    if late:
        log.info("notice group to %s: %d look(s) not back within %d s, sent unlooked",
                 group[0].recipient_email, len(late), budget)
    seen: dict[int, removal.Observed] = {}
    for future in done:
        if (error := future.exception()) is not None:
            log.warning("look before sending for takedown %s failed: %r", futures[future], error)
            continue
        seen[futures[future]] = future.result()
    return seen


def _gone_before_sending(notice: Notice, gone: dict[int, str | None]) -> bool:
    """Whether the notice is left out: the look before sending saw its material gone (``gone``:
    why, or None; no entry when it was not looked at in time), or its takedown was removed or
    withdrawn since the notice was made."""
    if notice.kind not in ASKING:
        return False  # the police are told of confirmed material whatever its state now
    reason: str | None = Takedown.objects.values_list("state", flat=True).get(
        pk=notice.takedown_id)
    if reason == Takedown.State.ACTIVE:
        reason = gone.get(notice.takedown_id)
        if reason is None:
            return False
    skipped = Notice.objects.filter(pk=notice.pk, state=Notice.State.PENDING).update(
        state=Notice.State.SKIPPED, error="gone before sending")
    if skipped:
        audit_record(actor="system", action="notice.skipped", obj=notice,
                     recipient=notice.recipient_email, reason=reason)
    return bool(skipped)


def _record_look(takedown_id: int, observed: removal.Observed) -> str | None:
    """Record the look before sending as a check (it counts towards removal); why the
    material is gone, or None (present or unclear)."""
    check = takedown_check(takedown_id=takedown_id, before_notice=True, observed=observed)
    return check.reason if check is not None and check.outcome == Check.Outcome.GONE else None


# --- Re-checks ----------------------------------------------------------------------------------


def takedown_check(*, takedown_id: int, before_notice: bool = False,
                   observed: removal.Observed | None = None) -> Check | None:
    """Look at an actioned address (takedown/removal.py) and record what was seen; declare
    removal on a confirmed streak, reopen on material that came back after removal.

    A look just before a notice goes out (``before_notice``) counts towards the streak but
    leaves the schedule of checks alone; its look was made beforehand (``observed``)."""
    takedown = Takedown.objects.select_related("case").get(pk=takedown_id)
    if takedown.state not in (Takedown.State.ACTIVE, Takedown.State.REMOVED):
        return None
    seen, looks = observed or removal.check_once(takedown.case, takedown.recorded_sha256)
    now = timezone.now()
    with transaction.atomic():
        takedown = Takedown.objects.select_for_update().select_related("case").get(
            pk=takedown_id)
        if takedown.state not in (Takedown.State.ACTIVE, Takedown.State.REMOVED):
            return None
        check = Check.objects.create(
            takedown=takedown, outcome=seen.outcome, reason=seen.reason, status=seen.status,
            sha256=seen.sha256, evidence=[one.evidence() for one in looks],
            follow_up=takedown.state == Takedown.State.REMOVED, before_notice=before_notice)
        if takedown.state == Takedown.State.REMOVED:
            _after_removal(takedown, check, now)
        else:
            _before_removal(takedown, check, now, reschedule=not before_notice)
    return check


def _before_removal(takedown: Takedown, check: Check, now: datetime, *,
                    reschedule: bool = True) -> None:
    if check.outcome == Check.Outcome.PRESENT:
        takedown.gone_since, takedown.gone_checks, takedown.last_gone_at = None, 0, None
        asking = takedown.notices.filter(kind__in=ASKING)
        if asking.filter(state=Notice.State.SKIPPED).exists() and not asking.exclude(
                state=Notice.State.SKIPPED).exists() and takedown.current_contact():
            # Every notice was left out as gone, and the material is there after all.
            takedown.save()
            notice_create(takedown, Notice.Kind.FIRST)
            takedown.refresh_from_db(fields=["last_notice_at", "notices_at_stage"])
    elif check.outcome == Check.Outcome.GONE:
        apart = timedelta(seconds=settings.REMOVAL_CONFIRM_SECONDS)
        if takedown.gone_since is None:
            takedown.gone_since, takedown.gone_checks, takedown.last_gone_at = now, 1, now
        elif takedown.last_gone_at is None or now - takedown.last_gone_at >= apart:
            takedown.gone_checks += 1
            takedown.last_gone_at = now
        if takedown.gone_checks >= settings.REMOVAL_CONFIRMATIONS:
            _removed(takedown, check, now)
            return
        # Look again as soon as the next confirmation may count.
        if reschedule or takedown.next_check_at is None or \
                takedown.next_check_at > takedown.last_gone_at + apart:
            takedown.next_check_at = (takedown.last_gone_at or now) + apart
        takedown.save()
        return
    if reschedule:
        # Back off from minutes towards a day between checks.
        takedown.check_interval = min(takedown.check_interval * 2,
                                      settings.RECHECK_MAX_SECONDS)
        takedown.next_check_at = now + timedelta(seconds=takedown.check_interval)
    takedown.save()


def _removed(takedown: Takedown, check: Check, now: datetime) -> None:
    assert takedown.gone_since is not None
    takedown.state = Takedown.State.REMOVED
    takedown.removed_at = takedown.gone_since
    takedown.time_to_removal = takedown.gone_since - takedown.confirmed_at
    takedown.follow_ups_done = 0
    takedown.next_check_at = _follow_up_at(takedown, now)
    takedown.save()
    url_list_remove(takedown.case, reason=check.reason)
    audit_record(actor="system", action="takedown.removed", obj=takedown,
                 reason=check.reason, confirmations=takedown.gone_checks,
                 seconds=int(takedown.time_to_removal.total_seconds()))


def _follow_up_at(takedown: Takedown, now: datetime) -> datetime | None:
    days = settings.REMOVAL_FOLLOW_UP_DAYS
    if takedown.follow_ups_done >= len(days):
        return None
    assert takedown.removed_at is not None
    return max(now, takedown.removed_at + timedelta(days=days[takedown.follow_ups_done]))


def _after_removal(takedown: Takedown, check: Check, now: datetime) -> None:
    if check.outcome == Check.Outcome.PRESENT:
        _reopen(takedown, check, now)
        return
    if check.outcome == Check.Outcome.GONE:
        takedown.follow_ups_done += 1
        takedown.next_check_at = _follow_up_at(takedown, now)
    else:  # could not tell: look again sooner, the follow-up is not done
        takedown.next_check_at = now + timedelta(seconds=settings.REMOVAL_CONFIRM_SECONDS)
    takedown.save()


def _reopen(takedown: Takedown, check: Check, now: datetime) -> None:
    """The material is back: on the list again, notified again, checked again."""
    takedown.state = Takedown.State.ACTIVE
    takedown.reappearances += 1
    takedown.reappeared_at = now
    takedown.removed_at, takedown.time_to_removal = None, None
    takedown.gone_since, takedown.gone_checks, takedown.last_gone_at = None, 0, None
    takedown.check_interval = settings.RECHECK_FIRST_SECONDS
    takedown.next_check_at = now + timedelta(seconds=takedown.check_interval)
    takedown.save()
    url_list_add(takedown.case, why=UrlListChange.Why.REAPPEARED)
    audit_record(actor="system", action="takedown.reappeared", obj=takedown,
                 reason=check.reason, reappearances=takedown.reappearances)
    if takedown.current_contact() is not None:
        notice_create(takedown, Notice.Kind.REAPPEARED)


# --- The tick: what is due -----------------------------------------------------------------------

LEASE = timedelta(minutes=10)


def takedown_tick(now: datetime | None = None) -> dict[str, int]:
    """Queue what is due: checks, re-sends and escalations, notices a dead worker left behind.

    Safe to run in several processes: each due row is claimed with a conditional update that
    pushes its time forward by a lease, so only one tick queues it; if the queued task dies,
    the lease runs out and a later tick queues it again.
    """
    now = now or timezone.now()
    counts = {"checks": 0, "resends": 0, "escalations": 0, "notices": 0}
    due = Takedown.objects.filter(state__in=[Takedown.State.ACTIVE, Takedown.State.REMOVED],
                                  next_check_at__lte=now)
    for takedown_id in list(due.values_list("id", flat=True)[:500]):
        with transaction.atomic():
            claimed = Takedown.objects.filter(pk=takedown_id, next_check_at__lte=now).update(
                next_check_at=now + LEASE)
            if claimed:
                _on_commit("takedown_check", takedown_id)
                counts["checks"] += 1
    resend_before = now - timedelta(hours=settings.RESEND_AFTER_HOURS)
    stale = Takedown.objects.filter(state=Takedown.State.ACTIVE, last_notice_at__lte=resend_before)
    for takedown_id in list(stale.values_list("id", flat=True)[:500]):
        with transaction.atomic():
            takedown = Takedown.objects.select_for_update().get(pk=takedown_id)
            if takedown.state != Takedown.State.ACTIVE or not takedown.last_notice_at or \
                    takedown.last_notice_at > resend_before:
                continue
            resends = takedown.notices_at_stage - 1
            if resends >= settings.ESCALATE_AFTER_RESENDS and takedown.stage + 1 < len(
                    takedown.chain):
                takedown.stage += 1
                takedown.notices_at_stage = 0
                takedown.save(update_fields=["stage", "notices_at_stage"])
                notice_create(takedown, Notice.Kind.ESCALATION)
                audit_record(actor="system", action="takedown.escalate", obj=takedown,
                             contact=takedown.chain[takedown.stage]["email"])
                counts["escalations"] += 1
            else:
                notice_create(takedown, Notice.Kind.RESEND)
                counts["resends"] += 1
    stuck = Notice.objects.filter(state=Notice.State.PENDING, queued_at__lte=now - LEASE,
                                  send_after__lte=now)
    for notice_id in list(stuck.values_list("id", flat=True)[:500]):
        with transaction.atomic():
            if Notice.objects.filter(pk=notice_id, state=Notice.State.PENDING,
                                     queued_at__lte=now - LEASE).update(queued_at=now):
                _on_commit("notice_send", str(notice_id))
                counts["notices"] += 1
    return counts

