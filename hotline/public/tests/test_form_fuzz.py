"""Fuzzing the public forms: whatever is posted, never a 5xx and never a half-written report.

Hypothesis posts arbitrary values (any unicode but lone surrogates, which no browser can send,
NUL included; empty to over every field's limit), odd line breaks between addresses, repeated
and unknown fields and raw bodies to the report and status forms of every portal language.
test_hostile_input.py has the named cases; this looks for the ones nobody thought of.
"""

from __future__ import annotations

from typing import Any

from django.test import override_settings
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from hotline.intake.models import Report, ReportedAddress
from hotline.testing.base import PublicTestCase

PAGES = ["/gm/en/", "/sn/fr/", "/km/fr/", "/km/ar/"]
FIELDS = ["urls", "content_kind", "where_found", "description", "contact", "website"]

characters = st.characters(exclude_categories=["Cs"])  # lone surrogates cannot be encoded
short_text = st.text(characters, max_size=80)
long_text = st.builds(lambda c, n: c * n, st.text(characters, min_size=1, max_size=3),
                      st.integers(0, 7000))
any_text = st.one_of(short_text, long_text)
address = st.one_of(
    st.sampled_from(["https://example.test/a", "hxxp://files[.]example.test/x", "example.test",
                     "http://[2001:db8::1]/", "https://xn--bcher-kva.example.test/",
                     "javascript:alert(1)", "http://", "192.0.2.1/path?q=1#f", "ftp://x.test"]),
    st.builds(lambda host, path: f"https://{host}.example.test/{path}",
              st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=20),
              short_text),
    short_text,
)
line_break = st.sampled_from(["\n", "\r\n", "\r", "\u2028", "\x85", " ", "\n\n"])
urls_field = st.builds(lambda parts, sep: sep.join(parts), st.lists(address, max_size=25),
                       line_break)
value = st.one_of(any_text, st.lists(short_text, min_size=2, max_size=3))  # repeated fields
extra_fields = st.dictionaries(st.text(characters, min_size=1, max_size=20), short_text,
                               max_size=4)

report_form = st.fixed_dictionaries(
    {},
    optional={
        "urls": st.one_of(urls_field, value),
        "content_kind": st.one_of(st.sampled_from(["image", "video", "website", "other"]),
                                  value),
        "where_found": value,
        "description": value,
        "contact": st.one_of(st.emails(), value),
        "website": st.one_of(st.just(""), value),
    },
)
# Mostly valid, with arbitrary text where text is free: reaches storing and the receipt.
valid_address = st.one_of(
    st.sampled_from(["https://example.test/a", "hxxp://files[.]example.test/x", "example.test",
                     "http://[2001:db8::1]/", "Bücher.example.test/ü", "192.0.2.1/p?q=1#f"]),
    st.builds(lambda host, path: f"https://{host}.example.test/{path}",
              st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=20)
              .filter(lambda h: not h.startswith("-") and not h.endswith("-")),
              st.text("abcdefghijklmnopqrstuvwxyz0123456789/._~%-", max_size=40)),
)
plausible_form = st.fixed_dictionaries({
    "urls": st.builds(lambda parts, sep: sep.join(parts),
                      st.lists(valid_address, min_size=1, max_size=21), line_break),
    "content_kind": st.sampled_from(["image", "video", "website", "other"]),
    "where_found": st.one_of(short_text, long_text),
    "description": st.one_of(short_text, long_text),
    "contact": st.one_of(st.just(""), st.emails()),
    "website": st.one_of(st.just(""), st.just(""), short_text),
})
status_code = st.one_of(
    short_text,
    st.builds(lambda digits, sep: sep.join(digits[i:i + 4] for i in range(0, len(digits), 4)),
              st.text("0123456789٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", min_size=18, max_size=22),
              st.sampled_from(["", " ", "-", "–", ".", "\u00a0"])),
    long_text,
)

FUZZ = settings(max_examples=80, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@override_settings(REPORT_RATE_LIMIT=1_000_000, STATUS_RATE_LIMIT=1_000_000,
                   INVALID_RATE_LIMIT=1_000_000)
class FormFuzzTestCase(HypothesisTestCase, PublicTestCase):
    def assertWhole(self, before: int, response: Any, spam: bool = False) -> None:
        """No 5xx; a report only on 200 (never for the bot trap); every report whole."""
        self.assertLess(response.status_code, 500, response.content[:500])
        added = Report.objects.count() - before
        self.assertEqual(added, 1 if response.status_code == 200 and not spam else 0)
        self.assertFalse(Report.objects.filter(addresses__isnull=True).exists())
        for report in Report.objects.all():
            positions = list(report.addresses.values_list("position", flat=True))
            self.assertEqual(positions, list(range(len(positions))))
            self.assertLessEqual(len(positions), 20)

    @FUZZ
    @given(page=st.sampled_from(PAGES), form=st.one_of(plausible_form, report_form),
           extra=extra_fields,
           multipart=st.booleans())
    def test_the_report_form_takes_anything(self, page: str, form: dict[str, Any],
                                            extra: dict[str, str], multipart: bool) -> None:
        data = {**extra, **form}
        before = Report.objects.count()
        if multipart:
            r = self.client.post(page + "report/", data)
        else:
            from urllib.parse import urlencode

            r = self.client.post(page + "report/", urlencode(data, doseq=True),
                                 content_type="application/x-www-form-urlencoded")
        # The bot trap, like every CharField, strips whitespace: "\r" there is empty.
        spam = bool(str(form.get("website", "")).strip()) and r.status_code == 200
        event(f"report form: {r.status_code}{' (bot trap)' if spam else ''}")
        if r.status_code == 200:
            self.assertContains(r, 'class="code" dir="ltr"')
        self.assertWhole(before, r, spam=spam)

    @FUZZ
    @given(page=st.sampled_from(PAGES), body=st.binary(max_size=2000),
           content_type=st.sampled_from(["application/x-www-form-urlencoded",
                                         "multipart/form-data; boundary=x",
                                         "multipart/form-data", "text/plain",
                                         "application/json"]))
    def test_the_report_form_takes_any_body(self, page: str, body: bytes,
                                            content_type: str) -> None:
        before = Report.objects.count()
        r = self.client.post(page + "report/", body, content_type=content_type)
        self.assertLess(r.status_code, 500)
        self.assertLessEqual(Report.objects.count() - before, 1)
        self.assertFalse(Report.objects.filter(addresses__isnull=True).exists())

    @FUZZ
    @given(page=st.sampled_from(PAGES), code=st.one_of(status_code, value), extra=extra_fields)
    def test_the_status_form_takes_anything_and_writes_nothing(
            self, page: str, code: Any, extra: dict[str, str]) -> None:
        self.submit()
        before = (Report.objects.count(), ReportedAddress.objects.count(),
                  list(Report.objects.values_list("id", "intake_done_at")))
        r = self.client.post(page + "status/", {**extra, "code": code})
        event(f"status form: {r.status_code}")
        self.assertLess(r.status_code, 500, r.content[:500])
        self.assertIn(r.status_code, (200, 400))
        self.assertEqual(before, (Report.objects.count(), ReportedAddress.objects.count(),
                                  list(Report.objects.values_list("id", "intake_done_at"))))
