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
    years, months = Period(first_year, now), Period(month_start(now, 11), now)
    enabled = list(Portal.objects.filter(enabled=True).values_list("pk", "code", "created"))
    codes = {pk: code for pk, code, _created in enabled}
    yearly = _scopes(codes, figures.outcomes_by_portal("year", years),
                     figures.outcomes_by("year", None, years))
    monthly = _scopes(codes, figures.outcomes_by_portal("month", months),
                      figures.outcomes_by("month", None, months))
    # Every year of the network and every month of the last twelve on every page, also those
    # with nothing in them: a year left out would publish a zero.
    yearly = {scope: {day: outcomes.get(day, _EMPTY) for day in yearly[HUB]}
              for scope, outcomes in yearly.items()}
    monthly = {scope: {day: outcomes.get(day, _EMPTY) for day in
                       (month_start(now, back).date() for back in range(11, -1, -1))}
               for scope, outcomes in monthly.items()}
    opened = {code: month_start(created).date() for _pk, code, created in enabled}
    opened[HUB] = min(opened.values(), default=month_start(now).date())
    yearly = {scope: _since(rows, opened[scope].replace(month=1))
              for scope, rows in yearly.items()}
    monthly = {scope: _since(rows, opened[scope]) for scope, rows in monthly.items()}
    hidden = withheld(yearly, monthly, total=HUB, low=min_count())
    return {scope: Published(yearly[scope], monthly[scope], frozenset(hidden[scope][0]),
                             frozenset(hidden[scope][1])) for scope in yearly}


def _since(rows: Outcomes, opened: dt.date) -> Outcomes:
    """The rows without the empty ones before the portal opened: a row of "fewer than N" for a
    month in which the portal did not exist says nothing. The suppression reads a row left
    out as a known zero (which it is), so leaving it out exposes no other count."""
    return {day: row for day, row in rows.items() if day >= opened or any(row.values())}


def _scopes(codes: dict[int, str], by_portal: dict[int | None, Outcomes],
            hub: Outcomes) -> dict[str, Outcomes]:
    """The outcomes of each enabled portal, by code, and of the whole network (HUB)."""
    return {**{code: by_portal.get(pk, {}) for pk, code in codes.items()}, HUB: hub}
