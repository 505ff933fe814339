"""XARF v4 ``content``/``csam`` reports, built and validated with the official xarf library."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from xarf import create_report

from hotline.cases.models import Case
from hotline.lists.services import confirmed_items

from .models import Notice

INDUSTRY = {"A1", "A2", "B1", "B2"}
MEDIA = {"image": "image", "video": "video", "both": "mixed"}


class XARFBuildError(ValueError):
    pass


def xarf_for(notice: Notice) -> dict[str, Any]:
    """The report attached to a notice: its id is the notice's (also the Message-ID)."""
    return xarf_for_case(notice.takedown.case, report_id=str(notice.id),
                         tags=[f"notice:{notice.sequence}"])


def xarf_for_case(case: Case, *, report_id: str | None = None, tags: list[str] | None = None,
                  content_removed: bool = False) -> dict[str, Any]:
    """A confirmed case as XARF v4 content/csam: URL, hashes and classification, no content."""
    classification = case.classification
    industry = [c for c in classification.get("industry", []) if c in INDUSTRY]
    # Industry classes where the analyst gave one; otherwise the INHOPE baseline, the floor of
    # anything this hub confirms.
    level = industry[0] if industry else "baseline"
    hub = {"org": settings.HUB_NAME, "contact": settings.HUB_EMAIL,
           "domain": settings.HUB_DOMAIN}
    extra: dict[str, Any] = {}
    # The items confirmed as CSAM (graded so and reviewed), and only those: the first in the
    # schema's one hash_values, every one as a "sha256:<hex>" tag (XARF's namespaced tags).
    items = list(confirmed_items(case)[:40])
    if items:
        item = items[0]
        extra["hash_values"] = {"md5": item.md5, "sha1": item.sha1, "sha256": item.sha256}
    hash_tags = [f"sha256:{one.sha256.lower()}" for one in items]
    media = MEDIA.get((classification.get("media_type") or [""])[0])
    if media:
        extra["media_type"] = media
    trace = case.traces.order_by("-at").first() if hasattr(case, "traces") else None
    source = (trace.result.get("addresses") or [{}])[0].get("ip") if trace and trace.result \
        else None
    result = create_report(
        category="content", type="csam",
        source_identifier=source or case.host,
        reporter=hub, sender=hub,
        url=case.url,
        classification=level,
        detection_method="user_report",
        content_removed=content_removed,
        tags=[f"case:{case.pk}", *(tags or []), *hash_tags],
        **extra,
    )
    if result.errors or result.report is None:
        raise XARFBuildError("; ".join(f"{e.field}: {e.message}" for e in result.errors))
    report: dict[str, Any] = result.report.model_dump(mode="json", by_alias=True,
                                                      exclude_none=True)
    if report_id is not None:
        report["report_id"] = report_id
    return report
