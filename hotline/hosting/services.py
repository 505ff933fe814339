"""Hosting trace services (called by the takedown app after confirmation)."""

from __future__ import annotations

from hotline.cases.models import Case

from .models import Trace
from .trace import trace_url


def trace_case(*, case_id: int) -> Trace:
    """Trace the case's URL now and store the result (also when a step failed)."""
    case = Case.objects.get(pk=case_id)
    result = trace_url(case.url)
    primary = result.primary
    return Trace.objects.create(
        case=case, ok=result.ok, failed_step=result.failed_step, error=result.error,
        result=result.as_dict(), address=primary.ip if primary else None,
        country=result.country, asn=result.asn, organisation=result.organisation[:255],
        abuse_email=result.abuse_email[:254], cdn=result.cdn)
