"""Hosting traces of cases: where the reported address was hosted when it was traced."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hotline.cases.models import Case


class Trace(models.Model):
    """One run of :func:`hotline.hosting.trace.trace_url` for a case's URL.

    ``result`` holds the whole :class:`~hotline.hosting.trace.TraceResult` (``as_dict()``);
    the other fields repeat what routing needs. ``country``, ``asn`` and ``organisation``
    describe the first address (the one RDAP was asked about); ``cdn`` is set when any of
    the addresses belongs to a CDN network.
    """

    class Step(models.TextChoices):
        DNS = "dns", _("DNS")
        GEOIP = "geoip", _("Country and network (GeoIP)")
        RDAP = "rdap", _("Abuse contact (RDAP)")

    case = models.ForeignKey(Case, models.CASCADE, related_name="traces")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    ok = models.BooleanField(default=False, help_text=_("Every step completed."))
    failed_step = models.CharField(max_length=10, choices=Step.choices, blank=True,
                                   help_text=_("The first step that failed."))
    error = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True,
                                           help_text=_("The first address of the host."))
    country = models.CharField(max_length=2, blank=True, help_text=_("ISO 3166-1 code."))
    asn = models.PositiveBigIntegerField(null=True, blank=True, verbose_name=_("ASN"))
    organisation = models.CharField(max_length=255, blank=True)
    abuse_email = models.CharField(max_length=254, blank=True)
    cdn = models.BooleanField(default=False, verbose_name=_("CDN"),
                              help_text=_("An address is in a content delivery network."))

    class Meta:
        ordering = ["-at", "-id"]
        get_latest_by = ["at", "id"]
        verbose_name = _("hosting trace")
        verbose_name_plural = _("hosting traces")

    def __str__(self) -> str:
        state = "ok" if self.ok else f"failed at {self.failed_step}"
        return f"Trace of case {self.case_id} ({state})"

    def geoip_sources(self) -> list[dict[str, Any]]:
        """What answered the country and the network lookups, with its age on the day of the
        trace (``datasets.Dataset.source``); a lookup that nothing answered has no dataset."""
        steps = self.result.get("steps") if isinstance(self.result, dict) else None
        step = next((s for s in steps or [] if isinstance(s, dict) and s.get("step") == "geoip"),
                    None)
        if step is None:
            return []
        labels = {"country": _("Country"), "asn": _("Network")}
        return [{"kind": kind, "label": label, **(step.get("source", {}).get(kind) or {})}
                for kind, label in labels.items()]
