from __future__ import annotations

from hotline.lists.variants import digest, hashed_variants, lookup_keys, url_variants


def test_variants_cover_scheme_www_slash_and_query() -> None:
    variants = url_variants("https://www.example.test/gallery/?page=2")
    for expected in ["https://www.example.test/gallery/?page=2", "example.test/gallery",
                     "http://example.test/gallery/", "www.example.test/gallery?page=2",
                     "example.test/gallery/?page=2"]:
        assert expected in variants


def test_a_member_matches_a_variant_of_a_listed_url_without_the_plaintext() -> None:
    listed = hashed_variants("https://www.example.test/gallery/?page=2")
    assert lookup_keys("http://EXAMPLE.test/gallery") & listed
    assert lookup_keys("example.test/gallery/?page=2#top") & listed
    assert not lookup_keys("https://example.test/other") & listed
    assert all(len(h) == 64 for h in listed)
    assert "example.test/gallery" not in listed


def test_a_listed_domain_matches_every_page_under_it() -> None:
    listed = hashed_variants("http://dedicated.example.test/", whole_domain=True)
    assert lookup_keys("https://dedicated.example.test/any/page?x=1") & listed
    assert lookup_keys("https://cdn.dedicated.example.test/a.jpg") & listed
    assert not lookup_keys("https://notdedicated.example.test/") & listed
    assert digest("dedicated.example.test") in listed
