"""When is material removed? Each check sees one of three outcomes, on evidence a site operator
cannot fake alone (DESIGN.md promise 6), and removal is declared only on a streak of them.

* **gone**, only on definitive evidence: the name does not exist (an NXDOMAIN answer, asked
  again of the resolver — never SERVFAIL, a time-out or a temporary failure); the page answers
  404 or 410 to the browser identity of the fetcher; or every confirmed item of the page is gone
  by hash (fetched definitively and different, or 404/410) while the page itself may stay.
* **present**: a confirmed item is still served (by hash), or, for a page graded as a whole,
  the page still has the body that was confirmed.
* **unknown**: everything else — time-outs, 5xx, 403, connection errors, a changed page body
  whose items cannot all be told, a budget that ran out. Unknown never counts towards removal.

With a second egress (FETCH_PROXY_ALT) a check looks from both, and is gone only when both see
it gone (present when either sees it). Removal is declared after REMOVAL_CONFIRMATIONS gone
checks in a row, at least REMOVAL_CONFIRM_SECONDS apart (a present check ends the streak, an
unknown one neither counts nor ends it); the time to removal runs to the first gone check of
that streak.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import dns.exception
import dns.resolver
from django.conf import settings

from hotline.capture.models import CaptureItem
from hotline.capture.services import Observation, observe
from hotline.cases.models import Case
from hotline.lib import fetcher
from hotline.lib.resolver import ResolverConfigError, make_resolver

PRESENT, GONE, UNKNOWN = "present", "gone", "unknown"
GONE_STATUSES = {404, 410}
DEFINITE_STATUSES = GONE_STATUSES | set(range(200, 300))


@dataclass(frozen=True)
class Seen:
    """One egress's look: the outcome, why, and the evidence to record."""

    outcome: str
    reason: str
    status: int | None = None
    sha256: str = ""
    items: list[dict[str, Any]] = field(default_factory=list)
    egress: str = "primary"

    def evidence(self) -> dict[str, Any]:
        return {"egress": self.egress, "outcome": self.outcome, "reason": self.reason,
                "status": self.status, "items": self.items}


def confirmed_items(case: Case) -> list[CaptureItem]:
    """The media items whose hashes were confirmed with the case (2xx images and videos)."""
    return list(CaptureItem.objects.filter(capture__case=case).exclude(sha256="")
                .order_by("capture__fetched_at", "position"))


def name_is_gone(url: str) -> bool:
    """True only when the resolver answers NXDOMAIN for the host (A and AAAA alike)."""
    host = urlsplit(url).hostname or ""
    try:
        resolver, _described = make_resolver()
    except ResolverConfigError:
        return False
    resolver.lifetime = settings.DNS_TIMEOUT
    for rdtype in ("A", "AAAA"):
        try:
            resolver.resolve(host, rdtype)
        except dns.resolver.NXDOMAIN:
            continue
        except (dns.exception.DNSException, OSError):
            return False
        return False  # it has addresses after all
    return True


def _by_items(observed: Observation, hashes: set[str]) -> tuple[str, str]:
    if any(item.sha256 in hashes for item in observed.items):
        return PRESENT, "items_present"
    unclear = [item for item in observed.items
               if item.error or item.status not in DEFINITE_STATUSES]
    if unclear or not observed.complete:
        return UNKNOWN, "items_unclear"
    return GONE, "items_gone"


def look(case: Case, recorded_sha256: str, *, proxy: str | None = None,
         egress: str = "primary", confirmed: list[CaptureItem] | None = None) -> Seen:
    """One look at the case's address from one egress. Given the confirmed items (read
    beforehand), it touches the network only, never the database: it may run in a thread."""
    if confirmed is None:
        confirmed = confirmed_items(case)
    hashes = {item.sha256 for item in confirmed}
    observed = observe(case.url, also=[item.url for item in confirmed], proxy=proxy)
    items = [{"url": item.url, "status": item.status, "error": item.error,
              "confirmed": bool(item.sha256) and item.sha256 in hashes}
             for item in observed.items]
    if observed.error:
        if observed.error in (fetcher.DNS, fetcher.TIMEOUT) and name_is_gone(case.url):
            return Seen(GONE, "name_not_found", egress=egress)
        return Seen(UNKNOWN, observed.error, egress=egress)
    status = observed.status
    if status in GONE_STATUSES:
        return Seen(GONE, f"http_{status}", status, observed.sha256, items, egress)
    if status is None or not 200 <= status < 300:
        return Seen(UNKNOWN, f"http_{status}", status, observed.sha256, items, egress)
    if confirmed:
        outcome, reason = _by_items(observed, hashes)
        return Seen(outcome, reason, status, observed.sha256, items, egress)
    if recorded_sha256 and observed.sha256 == recorded_sha256:
        return Seen(PRESENT, "page_unchanged", status, observed.sha256, items, egress)
    # A page graded as a whole whose body changed: a timestamp or an advert is enough for
    # that, so it says nothing about removal.
    return Seen(UNKNOWN, "page_changed", status, observed.sha256, items, egress)


Observed = tuple[Seen, list[Seen]]  # the combined outcome, and each egress's look


def check_once(case: Case, recorded_sha256: str,
               confirmed: list[CaptureItem] | None = None) -> Observed:
    """Look from every egress; the combined outcome and each egress's look. Given the
    confirmed items, network only (see look)."""
    if confirmed is None:
        confirmed = confirmed_items(case)
    looks = [look(case, recorded_sha256, confirmed=confirmed)]
    if settings.FETCH_PROXY_ALT:
        looks.append(look(case, recorded_sha256, proxy=settings.FETCH_PROXY_ALT,
                          egress="alternate", confirmed=confirmed))
    outcomes = {seen.outcome for seen in looks}
    if PRESENT in outcomes:
        combined = next(seen for seen in looks if seen.outcome == PRESENT)
    elif outcomes == {GONE}:
        combined = looks[0]
    else:
        combined = next(seen for seen in looks if seen.outcome == UNKNOWN)
    return combined, looks
