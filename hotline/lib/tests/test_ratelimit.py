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

    def test_the_daily_key_lives_only_in_the_cache(self) -> None:
        key = ratelimit.client_key("192.0.2.9")
        cache.clear()  # a restart of the cache forgets the key: old keys cannot be recomputed
        self.assertNotEqual(ratelimit.client_key("192.0.2.9"), key)

    @override_settings(TRUSTED_PROXY_COUNT=1)
    def test_it_uses_the_address_the_trusted_proxy_saw(self) -> None:
        meta = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.5, 192.0.2.1"}
        self.assertEqual(ratelimit.client_address(meta), "192.0.2.1")

    def test_it_ignores_forwarded_headers_without_a_trusted_proxy(self) -> None:
        meta = {"REMOTE_ADDR": "192.0.2.44", "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
        self.assertEqual(ratelimit.client_address(meta), "192.0.2.44")
