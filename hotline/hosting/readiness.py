"""What keeps the hosting trace from finding a host's country or abuse contact, in words for
the hub dashboard.

Each function looks at one cause and returns a :class:`~hotline.lib.readiness.Problem` that
says what to do, or None; stats collects them (stats/readiness.py).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import maxminddb
from django.conf import settings
from django.utils.translation import gettext as _

from hotline.lib.readiness import Problem

from . import bootstrap, datasets

# IANA changes the bootstrap registry every few weeks as RIRs receive and transfer space; a
# file older than this may send a lookup to a registry that no longer holds the address.
BOOTSTRAP_MAX_AGE_DAYS = 90


def _unreadable(setting: str) -> str:
    """The reason the file named by setting cannot be used, or ""."""
    path = str(getattr(settings, setting) or "")
    if not path:
        return ""
    try:
        with maxminddb.open_database(path) as reader:
            reader.metadata()
    except (OSError, ValueError, maxminddb.InvalidDatabaseError) as e:
        return f"{setting} ({Path(path).name}): {e}"[:300]
    return ""


def no_geoip_dataset() -> Problem | None:
    """No dataset answers countries, or a configured file cannot be read."""
    broken = [reason for reason in map(_unreadable, ("GEOIP_COUNTRY_DB", "GEOIP_ASN_DB"))
              if reason]
    if broken:
        return Problem(_(
            "A GeoIP file cannot be read, so every trace fails at the country step: "
            "%(problems)s. Point the setting at a readable MaxMind-format file (GeoLite2 or "
            "DB-IP), or unset it.") % {"problems": "; ".join(broken)})
    if settings.GEOIP_COUNTRY_DB or datasets.offline_dataset() is not None:
        return None
    return Problem(_(
        "No IP-to-country dataset: hosts' countries are unknown, so nothing can be referred "
        "to a partner hotline or noticed in the hub's country. Set GEOIP_COUNTRY_DB to a "
        "GeoLite2 or DB-IP country file, or GEOIP_OFFLINE=1 to use the offline dataset."))


def stale_bootstrap() -> Problem | None:
    """RDAP bootstrap files that are missing, unreadable or older than 90 days."""
    today = datetime.now(UTC).date()
    oldest = None
    for kind in bootstrap.KINDS:
        try:
            published = bootstrap.load(kind).published()
        except bootstrap.BootstrapError as e:
            return Problem(_(
                "The RDAP bootstrap file %(kind)s.json cannot be read (%(problem)s), so abuse "
                "contacts cannot be looked up: run “hotline rdap refresh”.") % {
                    "kind": kind, "problem": e})
        if published is None or (oldest is not None and published >= oldest):
            continue
        oldest = published
    if oldest is None or (today - oldest).days <= BOOTSTRAP_MAX_AGE_DAYS:
        return None
    return Problem(_(
        "The RDAP bootstrap files are from %(date)s, %(days)d days ago: abuse contacts may be "
        "looked up at a registry that no longer holds the address. Run “hotline rdap "
        "refresh” (and again every month).") % {
            "date": oldest.isoformat(), "days": (today - oldest).days})
