"""Which published counts to withhold, so that no count below ``FIGURES_MIN_COUNT`` can be
worked out from the others, on one public figures page or across them.

Every portal and the whole network (the hub) publish a yearly and a monthly table, and a small
count reads "fewer than N". But the counts are tied by sums: the hub's count of a month or a
year is the sum of the portals' counts (taken as exact: a reader may well know the rest, such
as members' reports), and a year is the sum of its months (those before the monthly table's
first one are one unknown). A small count that is the only unknown of a sum is the total minus
the others, and chains of sums can do the same.

For each column (received, assessed, confirmed, removed) and calendar year the counts form a
table whose rows (months, the months not published, the year) and columns (portals, hub) all
sum to zero once the totals are given a minus sign. Take the unknown counts as the edges of a
graph between rows and columns: a count can be worked out exactly when its edge is a bridge,
on no cycle; on a cycle, adding to and taking from its counts in turn changes no sum. So while
a small count is a bridge, one more count is withheld, chosen to close a cycle through it (or,
failing that, to grow its side of the graph):

- the hub's count first: the network total is what readers lose least with, and it is so much
  larger than the small count that the small one keeps its whole range; a portal's own yearly
  total last;
- then a count of at least 2N - 1: a reader knows a withheld count is at least N (else it
  would read "fewer than N"), so a smaller one would narrow the small count's range;
- then the smallest.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

Outcomes = dict[dt.date, dict[str, int]]
Row = tuple[str, dt.date]  # (YEAR, MONTH or REST, first day of the year or month)
Cell = tuple[Row, str]  # (row, scope)
Node = tuple[str, object]
YEAR, MONTH, REST = "year", "month", "rest"
GROUND: Node = ("ground", None)


@dataclass
class _Table:
    """One column key in one calendar year, as published across every scope."""

    values: dict[Cell, int] = field(default_factory=dict)
    hidden: set[Cell] = field(default_factory=set)  # "fewer than N", withheld, unpublished
    small: set[Cell] = field(default_factory=set)  # "fewer than N": must stay unknown
    left_out: set[Cell] = field(default_factory=set)  # a year with nothing: a known zero
    withheld: set[Cell] = field(default_factory=set)
    # With portals, each row's hub count is the sum of theirs; without, rows tie nothing.
    rows_tied: bool = True

    def node(self, cell: Cell, side: int) -> Node:
        if side == 0:
            return ("row", cell[0]) if self.rows_tied else GROUND
        return ("scope", cell[1])


def withheld(yearly: dict[str, Outcomes], monthly: dict[str, Outcomes], *, total: str,
             low: int) -> dict[str, tuple[set[tuple[dt.date, str]], set[tuple[dt.date, str]]]]:
    """For each scope (portal codes and ``total``, the hub), the (yearly, monthly) cells to
    withhold, as (first day, column key). A year missing from a scope's ``yearly``, or a
    month of the monthly table missing from its ``monthly`` (before the portal opened), reads
    as a published zero."""
    result: dict[str, tuple[set[tuple[dt.date, str]], set[tuple[dt.date, str]]]] = {
        scope: (set(), set()) for scope in yearly}
    keys = {key for table in (*yearly.values(), *monthly.values()) for row in table.values()
            for key in row}
    years = {day.year for table in yearly.values() for day in table}
    for key in sorted(keys):
        for year in sorted(years):
            table = _table(yearly, monthly, key, year, total, low)
            _protect(table, total, low)
            for ((kind, day), scope) in table.withheld:
                result[scope][0 if kind == YEAR else 1].add((day, key))
    return result


def _table(yearly: dict[str, Outcomes], monthly: dict[str, Outcomes], key: str, year: int,
           total: str, low: int) -> _Table:
    table = _Table(rows_tied=len(yearly) > 1)
    first = dt.date(year, 1, 1)
    # The months of the monthly table, whichever scopes show them.
    in_year = sorted({day for rows in monthly.values() for day in rows if day.year == year})
    for scope in yearly:
        published = first in yearly[scope]  # a year left out is a known zero
        cells = [((YEAR, first), yearly[scope].get(first, {}).get(key, 0), published)]
        cells += [((MONTH, day), monthly[scope].get(day, {}).get(key, 0),
                   day in monthly[scope]) for day in in_year]  # a month left out: a zero
        for row, value, shown in cells:
            table.values[(row, scope)] = value
            if not shown:
                table.left_out.add((row, scope))
            elif value < low:
                table.hidden.add((row, scope))
                table.small.add((row, scope))
        if not in_year or in_year[0].month != 1:
            # The months of the year before the monthly table's first: their sum is one
            # unknown count (a known zero when the year is left out).
            rest = ((REST, first), scope)
            table.values[rest] = 0
            if published:
                table.hidden.add(rest)
    return table


def _protect(table: _Table, total: str, low: int) -> None:
    """Withhold counts until no small count is a bridge of the graph of unknown counts."""
    given_up: set[Cell] = set()
    while True:
        hidden = sorted(table.hidden)
        edges = [(table.node(c, 0), table.node(c, 1)) for c in hidden]
        exposed = [hidden[i] for i in sorted(_bridges(edges))
                   if hidden[i] in table.small and hidden[i] not in given_up]
        if not exposed:
            return
        cell = _closing_cell(table, exposed[0], total, low)
        if cell is None:
            # Every count around it is hidden already or known as zero (a year left out):
            # nothing left to withhold, and nothing that is not already published.
            given_up.add(exposed[0])
            continue
        table.hidden.add(cell)
        table.withheld.add(cell)


def _closing_cell(table: _Table, bridge: Cell, total: str, low: int) -> Cell | None:
    """The count to withhold for a small count whose edge is a bridge: one joining the two
    sides the bridge separates if there is one, else one touching either side."""
    others = [c for c in table.hidden if c != bridge]
    side_a = _reachable(table, others, table.node(bridge, 0))
    side_b = _reachable(table, others, table.node(bridge, 1))
    shown = [c for c in table.values if c not in table.hidden and c not in table.left_out
             and c[0][0] != REST]
    ends = [(table.node(c, 0), table.node(c, 1)) for c in shown]
    joining = [c for c, (a, b) in zip(shown, ends, strict=True)
               if (a in side_a and b in side_b) or (a in side_b and b in side_a)]
    touching = [c for c, (a, b) in zip(shown, ends, strict=True)
                if {a, b} & (side_a | side_b)]
    candidates = joining or touching
    if not candidates:
        return None
    return min(candidates, key=lambda c: _preference(c, table.values[c], total, low))


def _preference(cell: Cell, value: int, total: str, low: int) -> tuple[object, ...]:
    (kind, day), scope = cell
    rank = {(True, MONTH): 0, (True, YEAR): 1, (False, MONTH): 2, (False, YEAR): 3}
    return (rank[(scope == total, kind)], value < 2 * low - 1, value, day, scope)


def _reachable(table: _Table, cells: Iterable[Cell], start: Node) -> set[Node]:
    links: dict[Node, list[Node]] = defaultdict(list)
    for cell in cells:
        a, b = table.node(cell, 0), table.node(cell, 1)
        links[a].append(b)
        links[b].append(a)
    seen, todo = {start}, [start]
    while todo:
        for other in links[todo.pop()]:
            if other not in seen:
                seen.add(other)
                todo.append(other)
    return seen


def _bridges(edges: list[tuple[Node, Node]]) -> set[int]:
    """Indexes of the edges that lie on no cycle (Tarjan; parallel edges make a cycle)."""
    links: dict[Node, list[tuple[Node, int]]] = defaultdict(list)
    for i, (a, b) in enumerate(edges):
        links[a].append((b, i))
        links[b].append((a, i))
    order: dict[Node, int] = {}
    low: dict[Node, int] = {}
    found: set[int] = set()

    def visit(node: Node, via: int | None) -> None:
        order[node] = low[node] = len(order)
        for other, i in links[node]:
            if i == via:
                continue
            if other in order:
                low[node] = min(low[node], order[other])
            else:
                visit(other, i)
                low[node] = min(low[node], low[other])
                if low[other] > order[node]:
                    found.add(i)

    for node in list(links):
        if node not in order:
            visit(node, None)
    return found
