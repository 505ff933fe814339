"""The ``<id:…>`` path converter: a database id in an address.

Django's ``<int:…>`` takes any number of digits, and a number past the 64-bit range reaches the
database driver, which fails with an overflow (a 500) instead of finding nothing. Ids are
BigAutoField values, so anything larger than the largest signed 64-bit integer is no match: a
404, like any other id that does not exist. Importing this module registers the converter, so
every URLconf with an id imports it (the staff admin site too, for third-party views).
"""

from __future__ import annotations

from django.urls import register_converter
from django.urls.converters import IntConverter

MAX_ID = 2**63 - 1
DATABASE_ID = "id"  # the converter's name, as in "<id:case_id>"


class DatabaseId(IntConverter):
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError("not a database id")  # Django's resolver: no match, so a 404
        return number


register_converter(DatabaseId, DATABASE_ID)
