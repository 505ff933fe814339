"""The two sides of the product, told apart by the address: the staff side under /staff/, and
the public side (portals, figures, the member API, static files), which sets no cookie and
keeps nothing about who visits it."""

from __future__ import annotations

STAFF_PREFIXES = ("/staff/",)
# Health checks and metrics for machines (hotline/ops/health.py, metrics.py): on the public
# side (no cookie, client details removed), never rate limited nor written to the access log.
OPS_PATHS = ("/healthz", "/readyz", "/metrics")


def is_public(path: str) -> bool:
    return not path.startswith(STAFF_PREFIXES)


def is_ops(path: str) -> bool:
    return path.rstrip("/") in OPS_PATHS
