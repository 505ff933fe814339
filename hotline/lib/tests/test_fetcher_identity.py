"""The fetcher asks as a desktop browser does, so that a site that cloaks (its material for
browsers, a harmless decoy for robots) shows the capture what it shows people."""

from __future__ import annotations

import gzip
import zlib
from email.message import Message

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from hotline import settings as hotline_settings
from hotline.lib.fetcher import Limits, fetch
from hotline.testing.dns import dns_server, resolvers
from hotline.testing.httpserver import Route, serve
from hotline.testing.tls import server_context, trust_test_ca

LOOPBACK = override_settings(FETCH_ALLOW_NETWORKS=["127.0.0.1/32"])
FAST = Limits(max_bytes=1024 * 1024, connect_timeout=5, read_timeout=5, total_timeout=10,
              max_redirects=3)
MATERIAL = b"<p>what a visitor sees (a stand-in)</p>"
DECOY = b"<p>nothing to see here</p>"


def looks_like_a_browser(headers: Message) -> bool:
    """What cloaking sites check: a browser's User-Agent, a language, a browser's Accept."""
    agent = headers.get("User-Agent", "")
    return (agent.startswith("Mozilla/5.0 (") and "bot" not in agent.lower()
            and "capture" not in agent.lower() and bool(headers.get("Accept-Language"))
            and "text/html" in headers.get("Accept", ""))


def cloaking(headers: Message) -> Route:
    return Route(body=MATERIAL if looks_like_a_browser(headers) else DECOY)


@LOOPBACK
def test_a_cloaking_site_shows_the_capture_what_it_shows_a_browser() -> None:
    with serve() as site:
        site.routes["/page"] = Route(choose=cloaking)
        assert fetch(site.url("/page"), limits=FAST).body == MATERIAL


@LOOPBACK
@override_settings(FETCH_USER_AGENT="hotline-capture/1.0", FETCH_CLIENT_HINTS="")
def test_the_old_robot_identity_would_get_the_decoy() -> None:
    # What the test above guards against: with the robot's name, the capture saw the decoy.
    with serve() as site:
        site.routes["/page"] = Route(choose=cloaking)
        assert fetch(site.url("/page"), limits=FAST).body == DECOY


@LOOPBACK
def test_plain_http_gets_the_headers_chrome_sends_there() -> None:
    with serve() as site:
        site.routes["/page"] = Route(body=b"ok")
        fetch(site.url("/page"), limits=FAST)
    _path, headers = site.requests[0]
    assert headers["User-Agent"] == hotline_settings.FETCH_USER_AGENT
    assert "Chrome/" in headers["User-Agent"] and "X11; Linux x86_64" in headers["User-Agent"]
    assert headers["Accept"].startswith("text/html,application/xhtml+xml")
    assert headers["Accept-Language"] == "en-US,en;q=0.9"
    assert headers["Upgrade-Insecure-Requests"] == "1"
    # Chrome sends fetch metadata and client hints to secure origins only.
    assert not [name for name in headers if name.lower().startswith(("sec-fetch", "sec-ch"))]
    assert "Cookie" not in headers and "Referer" not in headers


@LOOPBACK
def test_https_gets_fetch_metadata_and_client_hints(monkeypatch: pytest.MonkeyPatch) -> None:
    trust_test_ca(monkeypatch)
    zone = {"secure.example.test": [("A", "127.0.0.1")]}
    with dns_server(zone) as port, override_settings(DNS_RESOLVERS=resolvers(port)), \
            serve(tls=server_context("secure.example.test")) as site:
        site.routes["/page"] = Route(body=b"ok")
        url = f"https://secure.example.test:{site.port}/page"
        assert fetch(url, limits=FAST).body == b"ok"
    _path, headers = site.requests[0]
    assert headers["Sec-Fetch-Site"] == "none"
    assert headers["Sec-Fetch-Mode"] == "navigate"
    assert headers["Sec-Fetch-User"] == "?1"
    assert headers["Sec-Fetch-Dest"] == "document"
    assert headers["sec-ch-ua"] == hotline_settings.FETCH_CLIENT_HINTS
    assert headers["sec-ch-ua-mobile"] == "?0"
    assert headers["sec-ch-ua-platform"] == '"Linux"'


@LOOPBACK
@override_settings(FETCH_ACCEPT_LANGUAGE="fr-SN,fr;q=0.9,wo;q=0.8")
def test_the_language_is_the_hubs_choice() -> None:
    with serve() as site:
        site.routes["/page"] = Route(body=b"ok")
        fetch(site.url("/page"), limits=FAST)
    assert site.requests[0][1]["Accept-Language"] == "fr-SN,fr;q=0.9,wo;q=0.8"


ENCODERS = {"gzip": gzip.compress,
            "deflate": lambda data: zlib.compress(data),
            "identity": lambda data: data}


@LOOPBACK
def test_every_encoding_offered_is_one_the_fetcher_decodes() -> None:
    offered: list[str] = []

    def encoded(headers: Message) -> Route:
        offered[:] = [t.split(";")[0].strip() for t in headers["Accept-Encoding"].split(",")]
        coding = offered[len(site.requests) - 1]
        return Route(body=ENCODERS[coding](MATERIAL), headers={"Content-Encoding": coding})

    with serve() as site:
        site.routes["/page"] = Route(choose=encoded)
        bodies = [fetch(site.url("/page"), limits=FAST).body]  # learns what is offered
        bodies += [fetch(site.url("/page"), limits=FAST).body for _coding in offered[1:]]
    assert offered and set(offered) <= set(ENCODERS)
    assert bodies == [MATERIAL] * len(offered)


def test_client_hints_must_name_the_user_agents_version() -> None:
    agent = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/156.0.0.0 Safari/537.36")
    hotline_settings.check_client_hints(agent, '"Not:A-Brand";v="8", "Chromium";v="156"')
    hotline_settings.check_client_hints("Mozilla/5.0 (X11; Linux x86_64; rv:140.0)", "")
    with pytest.raises(ImproperlyConfigured, match="FETCH_CLIENT_HINTS"):
        hotline_settings.check_client_hints(agent, '"Chromium";v="150"')
    with pytest.raises(ImproperlyConfigured, match="FETCH_CLIENT_HINTS"):
        hotline_settings.check_client_hints("Mozilla/5.0 (X11; Linux x86_64; rv:140.0)",
                                            '"Chromium";v="156"')
    with pytest.raises(ImproperlyConfigured, match="FETCH_CLIENT_HINTS"):
        hotline_settings.check_client_hints(agent.replace("X11; Linux x86_64", "Windows NT 10.0"),
                                            '"Chromium";v="156"')


@LOOPBACK
def test_a_caller_may_replace_identity_headers_but_not_host_or_cookies() -> None:
    with serve() as site:
        site.routes["/rdap"] = Route(body=b"{}")
        fetch(site.url("/rdap"), limits=FAST,
              headers={"accept": "application/rdap+json", "Host": "elsewhere.example.test",
                       "Cookie": "session=1"})
    headers = site.requests[0][1]
    assert headers["Accept"] == "application/rdap+json"
    assert headers["Host"] == f"127.0.0.1:{site.port}"
    assert "Cookie" not in headers and "cookie" not in headers
    assert headers["User-Agent"] == hotline_settings.FETCH_USER_AGENT
