"""The two sides of the product, told apart by the address: the staff side under /staff/, and
the public side (portals, figures, the member API, static files), which sets no cookie and
keeps nothing about who visits it."""

from __future__ import annotations

STAFF_PREFIXES = ("/staff/",)


def is_public(path: str) -> bool:
    return not path.startswith(STAFF_PREFIXES)
