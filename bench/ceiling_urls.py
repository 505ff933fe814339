"""``hotline.urls`` plus ``/bench/ceiling/``: one raw INSERT, the ceiling of a public POST.

The view goes through the same middleware as the report form (the public side's included) and
writes one row with raw SQL into ``bench_ceiling``, a table bench/submissions.py creates in its
throwaway database. POST only, form-encoded like the report form; answers ``ok``.
"""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from hotline.urls import handler400, handler403, handler404, handler500

CEILING_TABLE = "bench_ceiling"  # created by bench/submissions.py (CEILING_DDL)


@csrf_exempt
@never_cache
@require_POST
def ceiling(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {CEILING_TABLE} (payload) VALUES (%s)",  # noqa: S608
                       [request.POST.get("urls", "")])
    return HttpResponse(b"ok", content_type="text/plain")


# First: the portal pattern "<code>/<lang>/" would take "bench/ceiling/" otherwise.
urlpatterns = [
    path("bench/ceiling/", ceiling, name="bench-ceiling"),
    path("", include("hotline.urls")),
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
