"""Schemathesis against the API's own OpenAPI schema, in process (WSGI).

Every operation gets generated requests, valid and invalid, with a key allowed to do
everything: no answer may be a 5xx, and every answer must match the schema (status code,
content type, headers and body).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]


@pytest.fixture
def api_key(db: None, settings_: None) -> Iterator[str]:
    from hotline.members.models import ApiKey, Member
    from hotline.portals.models import Portal

    member = Member.objects.create(name="Fuzzer (test)", may_submit=True, may_export=True,
                                   portal=Portal.objects.filter(code="gm").first())
    _key, secret = ApiKey.issue(member)
    yield secret


@pytest.fixture(autouse=True)
def _one_connection() -> Iterator[None]:
    """Called as a WSGI app, Django closes its database connection around each request; the
    test's transaction (and its rows) live on that connection, so keep it, as Django's test
    Client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def settings_(settings: object) -> None:
    settings.API_RATE_LIMIT = "100000/m"  # type: ignore[attr-defined]
    cache.clear()


@schema.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_5xx_and_every_answer_matches_the_schema(case: schemathesis.Case,
                                                     api_key: str) -> None:
    case.call_and_validate(headers={"X-API-Key": api_key}, checks=CHECKS)
