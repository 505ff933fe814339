"""Everything that keeps takedown from working, gathered for the hub dashboard.

The checks live in the apps that own the knowledge (routing in takedown, the trace's data in
hosting); this list only collects them, in the order a hub should fix them.
"""

from __future__ import annotations

from collections.abc import Callable

from hotline.hosting import readiness as hosting
from hotline.lib.readiness import Problem
from hotline.takedown import readiness as takedown

CHECKS: tuple[Callable[[], Problem | None], ...] = (
    takedown.no_police_contact,
    takedown.unrouted_countries,
    takedown.waiting_for_a_contact,
    takedown.mail_not_sent,
    hosting.no_geoip_dataset,
    hosting.stale_bootstrap,
)


def hub_problems() -> list[Problem]:
    return [problem for check in CHECKS if (problem := check()) is not None]
