"""What the public figures pages publish: the yearly and monthly outcomes of every enabled
portal and of the whole network, and the counts withheld from them so that no small count can
be worked out, on one page or across pages (suppression.py).

What one page may show depends on every other page, so the whole network is computed at once,
at most once per ``FIGURES_CACHE_SECONDS`` whatever the traffic, with one grouped query per
column for all the portals (figures.outcomes_by_portal).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from hotline.portals.models import Portal

from . import figures
from .figures import Outcomes, Period, month_start
from .suppression import withheld
from .tables import min_count

HUB = ""  # the scope of the whole network: no portal has an empty code
PUBLIC_YEARS = 5
CACHE_KEY = "figures:public"
_EMPTY = dict.fromkeys(("received", "assessed", "confirmed", "removed"), 0)


@dataclass(frozen=True)
class Published:
    yearly: Outcomes  # every year with something in it anywhere in the network
    monthly: Outcomes  # every month of the last twelve
    withheld_yearly: frozenset[tuple[dt.date, str]]
    withheld_monthly: frozenset[tuple[dt.date, str]]


def published(scope: str, now: dt.datetime) -> Published:
    """The figures of one portal (its code) or of the whole network (HUB)."""
    network: dict[str, Published] | None = cache.get(CACHE_KEY)
    if network is None or scope not in network:  # a portal enabled since: compute again
        network = _network(now)
        cache.set(CACHE_KEY, network, settings.FIGURES_CACHE_SECONDS)
    return network[scope]


def _network(now: dt.datetime) -> dict[str, Published]:
    first_year = now.replace(year=now.year - PUBLIC_YEARS + 1, month=1, day=1, hour=0,
                             minute=0, second=0, microsecond=0)
    codes = dict(Portal.objects.filter(enabled=True).values_list("pk", "code"))
    tables: dict[str, tuple[Outcomes, Outcomes]] = {}
    for unit, period in [("year", Period(first_year, now)),
                         ("month", Period(month_start(now, 11), now))]:
        by_portal = figures.outcomes_by_portal(unit, period)
        scopes = {code: by_portal.get(pk, {}) for pk, code in codes.items()}
        scopes[HUB] = figures.outcomes_by(unit, None, period)
        for scope, outcomes in scopes.items():
            yearly, _monthly = tables.get(scope, ({}, {}))
            tables[scope] = (outcomes, {}) if unit == "year" else (yearly, _every_month(
                outcomes, now))
    # Every year of the network on every page: a year left out would publish a zero.
    network_years = tables[HUB][0]
    tables = {scope: ({day: yearly.get(day, _EMPTY) for day in network_years}, monthly)
              for scope, (yearly, monthly) in tables.items()}
    hidden = withheld({s: t[0] for s, t in tables.items()}, {s: t[1] for s, t in tables.items()},
                      total=HUB, low=min_count())
    return {scope: Published(yearly, monthly, frozenset(hidden[scope][0]),
                             frozenset(hidden[scope][1]))
            for scope, (yearly, monthly) in tables.items()}


def _every_month(outcomes: Outcomes, now: dt.datetime) -> Outcomes:
    """Every month of the last twelve, also those with nothing in them."""
    return {day: outcomes.get(day, _EMPTY) for day in
            (month_start(now, back).date() for back in range(11, -1, -1))}
