"""IP address → country and network datasets: which one answers, and how old its data is.

A hub's own MaxMind-format files (``GEOIP_COUNTRY_DB``, ``GEOIP_ASN_DB``: GeoLite2 or DB-IP)
always answer when they are configured. Without a country file, the offline dataset installed
with the product answers instead (``GEOIP_OFFLINE``, on by default), so that a fresh machine
can route: the ``iptocc`` package, which embeds the delegation statistics of the five Regional
Internet Registries and is released with fresh data nearly every night. It says where each
address block is *registered*, not where it is used, and knows no network numbers (ASN): a
trace that used it says both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from importlib import metadata
from typing import Any

from django.conf import settings
from iptocc import country_code

OFFLINE_PACKAGE = "iptocc"
# The package's software bill of materials is written when the wheel is built, which is when
# its data was refreshed: the one date it records.
OFFLINE_SBOM = "sboms/iptocc-py.cyclonedx.json"


@dataclass(frozen=True)
class Dataset:
    """A dataset that answered: its name, its version or file, and when it was built."""

    name: str
    built: date | None
    version: str = ""
    file: str = ""

    def source(self) -> dict[str, Any]:
        """What a trace records about the dataset, with its age on the day of the trace."""
        today = datetime.now(UTC).date()
        recorded: dict[str, Any] = {"dataset": self.name}
        if self.version:
            recorded["version"] = self.version
        if self.file:
            recorded["file"] = self.file
        recorded["build_date"] = self.built.isoformat() if self.built else ""
        recorded["age_days"] = (today - self.built).days if self.built else None
        return recorded


def database_dataset(file: str, meta: Any) -> Dataset:
    """A MaxMind-format file, named by its database type (GeoLite2-Country, DBIP-ASN-Lite…)."""
    built = datetime.fromtimestamp(meta.build_epoch, UTC).date()
    return Dataset(name=str(meta.database_type), built=built, file=file)


def _built_date(distribution: metadata.Distribution) -> date | None:
    try:
        stamp = json.loads(distribution.read_text(OFFLINE_SBOM) or "{}")["metadata"]["timestamp"]
        return date.fromisoformat(str(stamp)[:10])
    except (KeyError, TypeError, ValueError):
        return None  # recorded as of unknown age, never guessed


@lru_cache(maxsize=1)
def _offline() -> Dataset | None:
    try:
        distribution = metadata.distribution(OFFLINE_PACKAGE)
    except metadata.PackageNotFoundError:
        return None
    return Dataset(name=OFFLINE_PACKAGE, built=_built_date(distribution),
                   version=distribution.version)


def offline_dataset() -> Dataset | None:
    """The offline dataset, or None when GEOIP_OFFLINE is off or the package is missing."""
    return _offline() if settings.GEOIP_OFFLINE else None


def offline_country(ip: str) -> str:
    """The country the address block is registered to, from the offline dataset ("" if none)."""
    code = country_code(ip)
    return code.upper() if isinstance(code, str) and len(code) == 2 and code.isalpha() else ""
