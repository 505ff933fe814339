from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hotline.hosting import bootstrap

MAX_BYTES = 5 * 1024 * 1024  # IANA's largest file (dns.json) is well under 1 MB
TIMEOUT = httpx.Timeout(connect=10.0, read=30.0, write=30.0, pool=10.0)


def download(client: httpx.Client, url: str) -> bytes:
    try:
        with client.stream("GET", url) as response:
            if response.status_code != 200:
                raise CommandError(f"{url} answered HTTP {response.status_code}")
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > MAX_BYTES:
                    raise CommandError(f"{url} is larger than {MAX_BYTES} bytes")
            return bytes(body)
    except httpx.HTTPError as e:
        raise CommandError(f"{url}: {type(e).__name__}: {e}") from None


class Command(BaseCommand):
    help = ("RDAP bootstrap files: `refresh` downloads ipv4.json, ipv6.json, asn.json and "
            "dns.json from RDAP_BOOTSTRAP_URL into RDAP_BOOTSTRAP_DIR; `show` lists them.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        refresh = sub.add_parser("refresh", help="Download, check and replace the files.")
        refresh.add_argument("--dir", type=Path, default=None,
                             help="Write here instead of RDAP_BOOTSTRAP_DIR.")
        show = sub.add_parser("show", help="Publication date of each file in use.")
        show.add_argument("--dir", type=Path, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(options["dir"] or settings.RDAP_BOOTSTRAP_DIR)
        if options["action"] == "show":
            for kind in bootstrap.KINDS:
                try:
                    boot = bootstrap.load(kind, directory)
                except bootstrap.BootstrapError as e:
                    self.stdout.write(f"{kind}.json\tBROKEN: {e}")
                    continue
                self.stdout.write(f"{kind}.json\t{boot.publication}\t"
                                  f"{len(boot.services)} services")
            return
        base = settings.RDAP_BOOTSTRAP_URL
        base = base if base.endswith("/") else base + "/"
        files: dict[str, bytes] = {}
        # Everything is downloaded and checked before anything is written, so a bad download
        # leaves all the files in use as they were.
        with httpx.Client(timeout=TIMEOUT, follow_redirects=True, max_redirects=3,
                          proxy=settings.FETCH_PROXY or None,
                          headers={"User-Agent": settings.FETCH_USER_AGENT}) as client:
            for kind in bootstrap.KINDS:
                url = urljoin(base, f"{kind}.json")
                raw = download(client, url)
                try:
                    bootstrap.parse(kind, raw)
                except bootstrap.BootstrapError as e:
                    raise CommandError(f"{url} is not a valid bootstrap file ({e}); "
                                       f"nothing was replaced") from None
                files[kind] = raw
        for kind, raw in files.items():
            bootstrap.write_atomically(directory / f"{kind}.json", raw)
            publication = bootstrap.parse(kind, raw)["publication"]
            self.stdout.write(f"{kind}.json\t{publication}\t{len(raw)} bytes")
        self.stdout.write(f"RDAP bootstrap files replaced in {directory}")
