from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotline.lib.urlcanon import (
    NO_HOST,
    NOT_HTTP,
    InvalidURL,
    canonicalise,
    refang,
    registrable_domain,
    without_userinfo,
)

CASES = [
    # (typed, canonical)
    ("example.test", "http://example.test/"),
    ("HTTP://EXAMPLE.TEST/Path", "http://example.test/Path"),
    ("https://www.Example.Test:443/a", "https://www.example.test/a"),
    ("http://example.test:80/", "http://example.test/"),
    ("http://example.test:8080/", "http://example.test:8080/"),
    ("http://example.test/a/./b/../c", "http://example.test/a/c"),
    ("http://example.test/page#top", "http://example.test/page"),
    ("http://example.test/?", "http://example.test/"),
    ("http://example.test/%7euser/%2f", "http://example.test/~user/%2F"),
    ("http://example.test/a b", "http://example.test/a%20b"),
    ("http://user:secret@example.test/", "http://example.test/"),
    ("http://Bücher.example.test/", "http://xn--bcher-kva.example.test/"),
    ("http://example.test./x", "http://example.test/x"),
    ("hxxp://example[.]test/a", "http://example.test/a"),
    ("hxxps://sub(.)example{.}test/", "https://sub.example.test/"),
    ("http[:]//example[dot]test/", "http://example.test/"),
    ("<http://example.test/a>", "http://example.test/a"),
    ("http://example.test/a.", "http://example.test/a"),
    ("http://example.test/a),", "http://example.test/a"),
    ("http://example.test/wiki/Foo_(bar)", "http://example.test/wiki/Foo_(bar)"),
    ("“http://example.test/q?x=1”", "http://example.test/q?x=1"),
    ("example.test:8080/x", "http://example.test:8080/x"),
    ("//example.test/x", "http://example.test/x"),
    ("http:example.test/p", "http://example.test/p"),
    ("http://192.0.2.10/a", "http://192.0.2.10/a"),
    ("http://[2001:DB8::1]:80/", "http://[2001:db8::1]/"),
]


@pytest.mark.parametrize(("typed", "expected"), CASES)
def test_it_canonicalises(typed: str, expected: str) -> None:
    assert canonicalise(typed).url == expected


@pytest.mark.parametrize(("typed", "reason"), [
    ("javascript:alert(1)", NOT_HTTP),
    ("ftp://example.test/", NOT_HTTP),
    ("mailto:someone@example.test", NOT_HTTP),
    ("data:text/html,hi", NOT_HTTP),
    ("localhost", NO_HOST),
    ("just words", "unparsable"),
    ("", "empty"),
    ("http://", "unparsable"),
    ("http://nodot/", NO_HOST),
])
def test_it_rejects(typed: str, reason: str) -> None:
    with pytest.raises(InvalidURL) as e:
        canonicalise(typed)
    assert e.value.reason == reason


def test_it_finds_the_registrable_domain() -> None:
    assert registrable_domain("a.b.example.co.uk") == "example.co.uk"
    assert registrable_domain("foo.blogspot.com") == "foo.blogspot.com"
    assert registrable_domain("x.y.example.test") == "example.test"
    assert registrable_domain("192.0.2.1") == "192.0.2.1"


def test_refang_leaves_plain_addresses_alone() -> None:
    assert refang("https://example.test/a") == "https://example.test/a"


@given(st.text(max_size=300))
def test_it_never_raises_anything_but_invalid_url(text: str) -> None:
    try:
        canonicalise(text)
    except InvalidURL:
        pass


@given(st.text(max_size=200))
def test_it_is_idempotent(text: str) -> None:
    try:
        once = canonicalise(text).url
    except InvalidURL:
        return
    assert canonicalise(once).url == once


@given(st.from_regex(r"https?://[a-z0-9]{1,10}\.example\.test/[a-zA-Z0-9/._~%-]{0,30}",
                     fullmatch=True))
def test_valid_addresses_stay_on_their_host(url: str) -> None:
    result = canonicalise(url)
    assert result.host.endswith(".example.test")
    assert result.url.startswith(("http://", "https://"))


@given(st.text(max_size=200))
def test_without_userinfo_keeps_the_url_and_drops_the_credentials(text: str) -> None:
    try:
        canonical = canonicalise(text)
    except InvalidURL:
        return
    kept = canonicalise(without_userinfo(text))
    assert (kept.url, kept.had_userinfo) == (canonical.url, False)


@given(st.from_regex(r"https?://[a-z]{1,8}(:[a-z0-9@]{1,8})?@[a-z]{1,8}\.example\.test"
                     r"(/[a-z0-9@]{0,10})?", fullmatch=True))
def test_credentials_never_survive(text: str) -> None:
    assert canonicalise(text).had_userinfo
    kept = without_userinfo(text)
    assert not canonicalise(kept).had_userinfo
    assert kept.split("example.test")[0].count("@") == 0
