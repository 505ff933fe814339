"""Shared fixtures for the public side: the demo network and helpers to post like a browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.test import Client, TestCase

from hotline.portals.importer import import_portals, load_file
from hotline.portals.models import Portal

DEMO_NETWORK = Path(__file__).resolve().parents[1] / "demo" / "network.yaml"


def load_demo_network() -> None:
    import_portals(load_file(DEMO_NETWORK))


class PublicTestCase(TestCase):
    """Test case with the demo portals gm (en), sn (fr) and km (fr, ar)."""

    gm: Portal
    km: Portal

    @classmethod
    def setUpTestData(cls) -> None:
        load_demo_network()
        cls.gm = Portal.objects.get(code="gm")
        cls.km = Portal.objects.get(code="km")

    def setUp(self) -> None:
        self.client = Client(HTTP_SEC_FETCH_SITE="same-origin")

    def report_data(self, **overrides: Any) -> dict[str, Any]:
        data = {
            "urls": "https://images.example.test/gallery/1\nhxxp://files[.]example.test/a",
            "content_kind": "image",
            "where_found": "A link in a chat group",
            "description": "Seen on 3 November",
            "contact": "",
            "website": "",
        }
        data.update(overrides)
        return data

    def submit(self, path: str = "/gm/en/report/", **overrides: Any) -> Any:
        return self.client.post(path, self.report_data(**overrides))

    def receipt_from(self, response: Any) -> str:
        import re

        match = re.search(r'class="code" dir="ltr">([\d ]+)<', response.content.decode())
        assert match, "no receipt code on the page"
        return match.group(1)
