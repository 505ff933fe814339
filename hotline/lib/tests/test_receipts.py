from __future__ import annotations

import sys
import time
import unicodedata

from django.test import SimpleTestCase, override_settings

from hotline.lib import receipts


class ReceiptTestCase(SimpleTestCase):
    def test_codes_are_twenty_digits_with_a_check_digit(self) -> None:
        codes = {receipts.new_code() for _ in range(200)}
        self.assertEqual(len(codes), 200)
        for code in codes:
            self.assertEqual(len(code), 20)
            self.assertTrue(receipts.is_well_formed(code))

    def test_the_check_digit_catches_typos(self) -> None:
        code = receipts.new_code()
        wrong_digit = code[:5] + str((int(code[5]) + 1) % 10) + code[6:]
        self.assertFalse(receipts.is_well_formed(wrong_digit))
        swaps = [code[:i] + code[i + 1] + code[i] + code[i + 2:] for i in range(19)
                 if code[i] != code[i + 1]]
        for swapped in swaps:
            self.assertFalse(receipts.is_well_formed(swapped))

    def test_it_reads_codes_as_people_type_them(self) -> None:
        code = receipts.new_code()
        grouped = receipts.group(code)
        self.assertEqual(grouped.count(" "), 4)
        self.assertEqual(receipts.normalise(grouped), code)
        self.assertEqual(receipts.normalise(grouped.replace(" ", "-")), code)
        arabic = code.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
        self.assertEqual(receipts.normalise(arabic), code)

    def test_it_reads_the_digits_of_every_script(self) -> None:
        code = receipts.new_code()
        zeros = [chr(c) for c in range(sys.maxunicode + 1)
                 if chr(c).isdecimal() and unicodedata.digit(chr(c)) == 0]
        self.assertGreater(len(zeros), 50)  # Devanagari, Bengali, Thai, Myanmar, full width…
        for zero in zeros:
            digits = "".join(chr(ord(zero) + d) for d in range(10))
            typed = receipts.group(code).translate(str.maketrans("0123456789", digits))
            self.assertEqual(receipts.normalise(typed), code, f"U+{ord(zero):04X}")
        mixed = "०১٢۳" + code[4:]  # a phone keyboard may switch scripts halfway
        self.assertEqual(receipts.normalise(mixed), "0123" + code[4:])

    def test_characters_that_are_numbers_but_not_digits_stay_as_typed(self) -> None:
        # Superscripts, circled numbers and Ethiopic numerals are not decimal digits: the form
        # then says the code is not 20 digits instead of guessing.
        for text in ["²", "①", "፩", "Ⅻ"]:
            self.assertEqual(receipts.normalise(text), text)

    def test_the_key_depends_on_the_pepper(self) -> None:
        code = receipts.new_code()
        first = receipts.key(code)
        self.assertEqual(receipts.key(code), first)
        self.assertEqual(len(first), 64)
        self.assertNotIn(code, first)
        self.assertNotEqual(receipts.legacy_digest(code), first)
        with override_settings(RECEIPT_PEPPER="another pepper"):
            self.assertNotEqual(receipts.key(code), first)

    def test_the_legacy_digest_depends_on_the_pepper(self) -> None:
        code = receipts.new_code()
        first = receipts.legacy_digest(code)
        self.assertEqual(receipts.legacy_digest(code), first)
        with override_settings(RECEIPT_PEPPER="another pepper"):
            self.assertNotEqual(receipts.legacy_digest(code), first)

    def test_the_legacy_digest_is_slow(self) -> None:
        # Not a timing assertion on the product: it checks the work factor is really applied
        # by comparing two costs in one process.
        code = receipts.new_code()
        with override_settings(RECEIPT_ARGON2_MEMORY_KIB=8, RECEIPT_ARGON2_TIME_COST=1):
            start = time.perf_counter()
            receipts.legacy_digest(code)
            cheap = time.perf_counter() - start
        with override_settings(RECEIPT_ARGON2_MEMORY_KIB=32768, RECEIPT_ARGON2_TIME_COST=3):
            start = time.perf_counter()
            receipts.legacy_digest(code)
            costly = time.perf_counter() - start
        self.assertGreater(costly, cheap)
