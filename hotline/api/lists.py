"""Member downloads: the URL list (snapshot or changes since a version), its hashed form and the
hash list. Every download is recorded in the audit log."""

from __future__ import annotations

import io
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from hotline.audit.services import audit_record
from hotline.lib import csvsafe
from hotline.lists import services
from hotline.lists.models import BankHash, HashBank
from hotline.lists.variants import hashed_variants

from .errors import ERRORS

router = Router(tags=["lists"])
Format = Literal["json", "csv"]
# With ?format=csv the same operations answer text/csv.
CSV = {"responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}}


class UrlRow(Schema):
    version: int
    action: str
    value: str
    whole_domain: bool
    at: str
    why: str = Field(description="confirmed, removed (the material is gone), reappeared, "
                     "delisted (while an appeal or correction is looked at), relisted or "
                     "reassessed (not confirmed after all); empty for changes made before "
                     "reasons were recorded")


class UrlList(Schema):
    version: int
    since: int | None
    entries: list[UrlRow]


class HashedList(Schema):
    version: int
    algorithm: str
    hashes: list[str]


class HashRow(Schema):
    md5: str
    sha1: str
    sha256: str
    pdq: str
    pdq_quality: int | None
    classification: dict[str, Any]


class HashList(Schema):
    hashes: list[HashRow]


def _audit(request: HttpRequest, what: str, **details: Any) -> None:
    key = getattr(request, "api_key", None)
    audit_record(actor=f"member:{request.auth}", action=f"list.download.{what}",  # type: ignore[attr-defined]
                 obj=key, **details)


def _csv(rows: list[list[Any]], header: list[str], filename: str) -> HttpResponse:
    out = io.StringIO()
    writer = csvsafe.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get("/urls", response={200: UrlList, **ERRORS}, openapi_extra=CSV,
            summary="The URL list: a snapshot, or changes since a version")
def url_list(request: HttpRequest, since: int | None = None, format: Format = "json") -> Any:
    version, rows = services.url_list_rows(since)
    _audit(request, "urls", since=since, format=format, version=version)
    if format == "csv":
        return _csv([[r.version, r.action, r.value, r.whole_domain, r.added_at, r.why]
                     for r in rows],
                    ["version", "action", "value", "whole_domain", "at", "why"],
                    f"url-list-v{version}.csv")
    return {"version": version, "since": since, "entries": [
        {"version": r.version, "action": r.action, "value": r.value,
         "whole_domain": r.whole_domain, "at": r.added_at, "why": r.why} for r in rows]}


@router.get("/urls/hashed", response={200: HashedList, **ERRORS}, openapi_extra=CSV,
            summary="SHA-256 of every normalised variant of every listed URL")
def url_list_hashed(request: HttpRequest, format: Format = "json") -> Any:
    version, rows = services.url_list_rows(None)
    hashes = sorted({h for r in rows for h in hashed_variants(
        r.value if not r.whole_domain else f"http://{r.value}/", whole_domain=r.whole_domain)})
    _audit(request, "urls_hashed", format=format, version=version)
    if format == "csv":
        return _csv([[h] for h in hashes], ["sha256"], f"url-list-hashed-v{version}.csv")
    return {"version": version, "algorithm": "sha256", "hashes": hashes}


@router.get("/hashes", response={200: HashList, **ERRORS}, openapi_extra=CSV,
            summary="Hashes of confirmed content (own bank)")
def hash_list(request: HttpRequest, format: Format = "json") -> Any:
    hashes = BankHash.objects.filter(bank__kind=HashBank.Kind.OWN, bank__enabled=True)
    rows = list(hashes.order_by("id").values(*services.HASH_FIELDS))
    _audit(request, "hashes", format=format, count=len(rows))
    if format == "csv":
        return _csv([[r[f] for f in services.HASH_FIELDS] for r in rows],
                    list(services.HASH_FIELDS), "hash-list.csv")
    return {"hashes": rows}
