from __future__ import annotations

from unittest import mock

from django.core.cache import cache
from django.test import SimpleTestCase, override_settings

from hotline.lib import ratelimit


class RateLimitTestCase(SimpleTestCase):
    def setUp(self) -> None:
        cache.clear()

    def test_it_counts_up_to_the_limit(self) -> None:
        key = ratelimit.client_key("192.0.2.7")
        self.assertEqual([ratelimit.allow("t", key, 3) for _ in range(5)],
                         [True, True, True, False, False])
        other = ratelimit.client_key("192.0.2.8")
        self.assertTrue(ratelimit.allow("t", other, 3))

    def test_the_key_does_not_contain_the_address_and_changes_daily(self) -> None:
        today = ratelimit.client_key("198.51.100.23")
        self.assertNotIn("198.51.100.23", today)
        self.assertEqual(ratelimit.client_key("198.51.100.23"), today)
        with mock.patch("hotline.lib.ratelimit.time.time",
                        return_value=ratelimit.time.time() + ratelimit.DAY):
            tomorrow = ratelimit.client_key("198.51.100.23")
        self.assertNotEqual(today, tomorrow)

    def test_nothing_in_the_cache_turns_a_key_back_into_an_address(self) -> None:
        # A reader of the cache (Redis) sees counters only: the daily key comes from a secret
        # held outside it, so a cleared cache or another process computes the same key.
        key = ratelimit.client_key("192.0.2.9")
        ratelimit.allow("t", key, 3)
        stored = list(cache._cache)  # type: ignore[attr-defined]
        self.assertEqual(len(stored), 1, stored)
        self.assertIn(f"ratelimit:t:{key}:", stored[0])
        cache.clear()
        self.assertEqual(ratelimit.client_key("192.0.2.9"), key)
        with override_settings(RATELIMIT_SECRET="another secret"):
            self.assertNotEqual(ratelimit.client_key("192.0.2.9"), key)

    def test_keys_are_short_enough_that_addresses_share_them(self) -> None:
        addresses = [f"2001:db8::{i:x}" for i in range(2**17)]
        keys = {ratelimit.client_key(a) for a in addresses}
        self.assertEqual({len(k) for k in keys}, {ratelimit.KEY_BITS // 4})
        # 2^17 addresses in a space of 2^24 keys: about 500 pairs share one.
        self.assertLess(len(keys), len(addresses) - 100)

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_it_uses_the_address_the_trusted_proxy_saw(self) -> None:
        meta = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.5, 192.0.2.1"}
        self.assertEqual(ratelimit.client_address(meta), "192.0.2.1")

    def test_it_ignores_forwarded_headers_without_a_trusted_proxy(self) -> None:
        meta = {"REMOTE_ADDR": "192.0.2.44", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
        self.assertEqual(ratelimit.client_address(meta), "192.0.2.44")
