"""The figures pages: the partner dashboard, the hub dashboard and the public transparency page.

Partners see their own portals only: a portal code in the URL that is not theirs is a 404,
never data. Public pages never show a count below ``FIGURES_MIN_COUNT`` (see tables.Count).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_safe

from hotline.accounts.models import User
from hotline.cases.models import Case
from hotline.lib.staffaccess import staff_view
from hotline.portals.models import Portal
from hotline.portals.pages import page_context, portal_page

from . import figures, readiness
from .figures import Outcomes, Period, month_start
from .published import HUB, published
from .tables import Count, Table, csv_or_none, export_query

PERIODS = [30, 90, 365]


def _hours(value: dt.timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600, 1)


def _percent(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


# --- Public ------------------------------------------------------------------------------------


def _outcome_table(name: str, caption: str, first: str, by: Outcomes, label: Any,
                   withheld: frozenset[tuple[dt.date, str]]) -> Table:
    headers = [first, _("Reports received"), _("Assessed"), _("Confirmed"), _("Removed")]
    rows = [[label(day), *(Count.public(row[key], (day, key) in withheld)
                           for key in ("received", "assessed", "confirmed", "removed"))]
            for day, row in by.items()]
    return Table(name, caption, headers, rows)


@require_safe
@portal_page
def public(request: HttpRequest, portal: Portal, lang: str) -> HttpResponse:
    hub = request.GET.get("scope") == "hub"
    # Anyone may ask for this page: published() computes the whole network at most once per
    # FIGURES_CACHE_SECONDS, whatever the traffic.
    shown = published(HUB if hub else portal.code, timezone.now())
    tables = [
        _outcome_table("yearly", _("Per year"), _("Year"), shown.yearly, lambda d: str(d.year),
                       shown.withheld_yearly),
        _outcome_table("monthly", _("Per month, last 12 months"), _("Month"), shown.monthly,
                       lambda d: date_format(d, "YEAR_MONTH_FORMAT"), shown.withheld_monthly),
    ]
    export = csv_or_none(request, tables)
    if export is not None:
        return export
    return render(request, "stats/public.html", page_context(
        portal, lang, "figures", keep_query="?scope=hub" if hub else "", tables=tables, hub=hub,
        nothing_published=all(t.nothing_published for t in tables),
        min_count=Count(None),
        query=export_query(request)))


# --- Staff -------------------------------------------------------------------------------------


def _period(request: HttpRequest, now: dt.datetime) -> tuple[int, Period]:
    try:
        days = int(request.GET.get("days", "90"))
    except ValueError:
        days = 90
    if days not in PERIODS:
        days = 90
    return days, Period(now - dt.timedelta(days=days), now)


def _summary_table(portals: figures.Portals, period: Period) -> Table:
    both = figures.compare(portals, period)
    now, before = both["current"], both["previous"]
    now["status_checks"] = figures.came_back(portals, period)
    before["status_checks"] = figures.came_back(portals, period.previous)
    rows = []
    for key, label, convert in [
        ("received", _("Reports received"), None),
        ("assessed", _("Cases assessed"), None),
        ("in_remit", _("Assessed cases in remit"), None),
        ("share_in_remit", _("Share in remit (%)"), _percent),
        ("confirmed", _("Confirmed URLs"), None),
        ("removed", _("URLs removed"), None),
        ("median_assessment", _("Median time to assessment (hours)"), _hours),
        ("median_removal", _("Median time to removal (hours)"), _hours),
        ("status_checks", _("Status checks: reporters who came back"), None),
    ]:
        a, b = now[key], before[key]
        if convert is not None:
            a, b = convert(a), convert(b)
        change = round(a - b, 1) if a is not None and b is not None else None
        rows.append([label, a, b, change])
    return Table("summary", _("Summary"), [_("Figure"), _("This period"),
                 _("Previous period"), _("Change")], rows, chart_column=None,
                 note=_("The share in remit counts assessed cases whose verdict is not "
                        "“not in remit”. Times run from the first report of a URL. A status check "
                        "is counted when a receipt code found its report."))


def _staff_tables(portals: figures.Portals, period: Period,
                  now: dt.datetime) -> list[Table]:
    weekly = figures.received_by("week", portals, period)
    monthly = figures.received_by("month", portals, Period(month_start(now, 11), now))
    unknown = _("unknown")
    return [
        _summary_table(portals, period),
        Table("weekly", _("Reports received per week"), [_("Week of"), _("Reports")],
              [[d.isoformat(), n] for d, n in weekly]),
        Table("monthly", _("Reports received per month, last 12 months"),
              [_("Month"), _("Reports")], [[d.strftime("%Y-%m"), n] for d, n in monthly]),
        Table("countries", _("Hosting countries of confirmed URLs"),
              [_("Country"), _("Confirmed URLs")],
              [[c or unknown, n] for c, n in figures.hosting_countries(portals, period)]),
        Table("languages", _("Languages of reports"), [_("Language"), _("Reports")],
              [[lang, n] for lang, n in figures.languages(portals, period)]),
    ]


@require_GET
@staff_view(User.Role.PARTNER, User.Role.ADMIN)
def dashboard(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    allowed = Portal.objects.all() if user.is_admin else user.portals.all()
    code = request.GET.get("portal", "")
    chosen = None
    if code:
        chosen = allowed.filter(code=code).first()
        if chosen is None:
            raise Http404
    portals: figures.Portals = [chosen] if chosen else (None if user.is_admin
                                                        else list(allowed))
    now = timezone.now()
    days, period = _period(request, now)
    tables = _staff_tables(portals, period, now)
    export = csv_or_none(request, tables)
    if export is not None:
        return export
    return render(request, "stats/dashboard.html", {
        "tables": tables, "query": export_query(request), "choices": allowed.order_by("name"),
        "chosen": chosen,
        "portals": portals, "days": days, "periods": PERIODS, "period": period,
    })


def _removal_tables(period: Period) -> list[Table]:
    unknown = _("unknown")
    headers = [_("URLs removed"), _("Median time to removal (hours)"),
               _("URLs that came back after removal")]
    note = _("By the latest hosting trace of each URL. Time to removal runs from confirmation "
             "to the first of the checks that confirmed the removal.")

    def values(r: figures.HostRemoval) -> list[Any]:
        return [r.removed, _hours(r.median), r.came_back]

    return [
        Table("removal_countries", _("Removal by hosting country"), [_("Country"), *headers],
              [[r.key or unknown, *values(r)] for r in figures.removal_by_host("country", period)],
              note=note),
        Table("removal_networks", _("Removal by network"), [_("Network (ASN)"), *headers],
              [[f"AS{r.key} {r.label}".strip() if r.key else unknown, *values(r)]
               for r in figures.removal_by_host("asn", period)], note=note),
    ]


@require_GET
@staff_view(User.Role.ADMIN)
def hub(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    days, period = _period(request, now)
    waiting = figures.queue(now)
    statuses = dict(Case.Status.choices)
    buckets = [_("under 1 day"), _("1 to 3 days"), _("3 to 7 days"), _("over 7 days")]
    pipeline = figures.takedown_pipeline(now)
    tables = [
        _summary_table(None, period),
        Table("queue", _("Cases waiting"), [_("Status"), _("Cases")],
              [[statuses.get(s, s), n] for s, n in sorted(waiting["by_status"].items())]),
        Table("takedowns", _("Open takedowns by hosting country and age"),
              [_("Country"), _("Open takedowns"), *buckets],
              [[c or _("unknown"), sum(ages.values()), *ages.values()] for c, ages in pipeline]),
    ]
    tables += _removal_tables(period)
    export = csv_or_none(request, tables)
    if export is not None:
        return export
    return render(request, "stats/hub.html", {
        "tables": tables, "query": export_query(request), "queue": waiting,
        "oldest_hours": _hours(waiting["oldest_age"]),
        "days": days, "periods": PERIODS, "period": period,
        "problems": readiness.hub_problems(),
    })
