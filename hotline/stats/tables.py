"""Tables of figures: one structure for the page, its chart and its CSV export.

A cell is either a number or text. On the public side every count below
``FIGURES_MIN_COUNT`` is replaced before the table is built, so neither the HTML, the SVG nor
the CSV can contain it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.http import Http404, HttpResponse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from hotline.lib import csvsafe

from . import charts


def min_count() -> int:
    return int(getattr(settings, "FIGURES_MIN_COUNT", 10))


@dataclass(frozen=True)
class Count:
    """A count as published: ``value`` is None when it is too small to show."""

    value: int | None
    # Withheld although not small, so that a small count cannot be derived from a total.
    withheld: bool = False

    @classmethod
    def public(cls, n: int, withheld: bool = False) -> Count:
        if withheld:
            return cls(None, withheld=True)
        return cls(n if n >= min_count() else None)

    def __str__(self) -> str:
        if self.withheld:
            return _("not shown")
        if self.value is None:
            return _("fewer than %(n)s") % {"n": min_count()}
        return f"{self.value}"

    def csv(self) -> str:
        if self.withheld:
            return "withheld"
        return f"<{min_count()}" if self.value is None else str(self.value)


@dataclass
class Table:
    name: str
    caption: str
    headers: list[str]
    rows: list[list[Any]]
    chart_column: int | None = 1  # the column drawn as bars, None for no chart
    note: str = ""
    chart: SafeString | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if self.chart_column is None or not self.rows:
            return
        bars = []
        for row in self.rows:
            cell = row[self.chart_column]
            value = cell.value if isinstance(cell, Count) else cell
            bars.append((str(row[0]), value if isinstance(value, int) else None, str(cell)))
        desc = _("%(what)s, by %(by)s. The same numbers are in the table below.") % {
            "what": self.headers[self.chart_column], "by": self.headers[0].lower()}
        self.chart = charts.bar_chart(f"chart-{self.name}", self.caption, desc, bars)

    @property
    def nothing_published(self) -> bool:
        """True when every count of the table is too small to publish or withheld: the page
        then says so in one sentence instead of a grid of "fewer than 10"."""
        cells = [cell for row in self.rows for cell in row[1:]]
        return bool(cells) and all(isinstance(c, Count) and c.value is None for c in cells)

    def csv_response(self) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.name}.csv"'
        writer = csvsafe.writer(response)
        writer.writerow(self.headers)
        for row in self.rows:
            writer.writerow([_csv_cell(cell) for cell in row])
        return response


def csv_or_none(request: Any, tables: list[Table]) -> HttpResponse | None:
    """The CSV export asked for by ``?format=csv&table=NAME``, else None (show the page)."""
    if request.GET.get("format") != "csv":
        return None
    for table in tables:
        if table.name == request.GET.get("table"):
            return table.csv_response()
    raise Http404


def export_query(request: Any) -> str:
    """The page's query string without format and table, ready for "format=csv&table=…"."""
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("table", None)
    encoded = query.urlencode()
    return f"{encoded}&" if encoded else ""


def _csv_cell(cell: Any) -> str:
    if isinstance(cell, Count):
        return cell.csv()
    if isinstance(cell, dt.timedelta):
        return f"{cell.total_seconds() / 3600:.1f}"
    if isinstance(cell, float):
        return f"{cell:.3f}"
    return "" if cell is None else str(cell)
