"""Every address with a database id takes only ids the database can hold: a number past the
64-bit range is a 404, never an overflow in the database driver (a 500)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter

from hotline.cases.models import Case
from hotline.lib.urlids import MAX_ID, DatabaseId
from hotline.testing.base import StaffTestCase


def patterns(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from patterns(entry, route)
        else:
            yield route, entry


def id_routes() -> list[str]:
    """Every route with a number in it, whatever its converter."""
    return [route for route, entry in patterns(get_resolver())
            if any(isinstance(c, IntConverter)
                   for c in getattr(entry.pattern, "converters", {}).values())]


class DatabaseIdsTest(StaffTestCase):
    def test_no_address_takes_an_unbounded_number(self) -> None:
        unbounded = [route for route, entry in patterns(get_resolver())
                     if any(isinstance(c, IntConverter) and not isinstance(c, DatabaseId)
                            for c in getattr(entry.pattern, "converters", {}).values())]
        self.assertEqual(unbounded, [])
        self.assertGreaterEqual(len(id_routes()), 7)  # cases, reveal, takedowns

    def test_a_number_past_the_64_bit_range_is_a_404_everywhere(self) -> None:
        admin = self.as_user(self.admin)
        for number in ["99999999999999999999", str(MAX_ID + 1), "1" * 40]:
            for route in id_routes():
                path = "/" + re.sub(r"<\w+:\w+>", number, route)
                # The admin sends any address it does not know to the object's change page,
                # which says that no such object exists.
                expected = {302, 404} if route.startswith("staff/admin/") else {404}
                for method in (admin.get, admin.post):
                    self.assertIn(method(path).status_code, expected, (method, path))

    def test_the_largest_id_is_an_ordinary_missing_one(self) -> None:
        admin = self.as_user(self.admin)
        self.assertEqual(admin.get(f"/staff/takedown/{MAX_ID}/").status_code, 404)
        self.assertEqual(admin.get(f"/staff/cases/{MAX_ID}/").status_code, 404)

    def test_real_ids_still_resolve(self) -> None:
        self.report("https://images.example.test/ids/1")
        case = Case.objects.get()
        self.assertEqual(self.as_user(self.analyst).get(f"/staff/cases/{case.pk}/").status_code,
                         200)
        confirmed = self.confirm("https://images.example.test/ids/2")
        r = self.as_user(self.analyst).get(f"/staff/takedown/{confirmed.pk}/")
        self.assertEqual(r.status_code, 200)
