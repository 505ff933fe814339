from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from hotline.lists.models import BankHash, HashBank

MD5 = "0" * 31 + "1"
SHA256 = "ab" * 32
PDQ = "f" * 64


@pytest.mark.django_db
def test_csv_import_and_export(tmp_path: Path) -> None:
    f = tmp_path / "partner.csv"
    f.write_text(f"md5,sha1,sha256,pdq,pdq_quality,classification\n"
                 f"{MD5},,{SHA256},{PDQ},90,\"{{\"\"industry\"\": [\"\"A1\"\"]}}\"\n")
    out = StringIO()
    call_command("banks", "import", "Partner hotline (test)", str(f),
                 "--source", "partner.example.test", "--licence", "Matching only", stdout=out)
    assert "1 hashes imported" in out.getvalue()
    bank = HashBank.objects.get(name="Partner hotline (test)")
    assert bank.licence == "Matching only"
    row = BankHash.objects.get()
    assert (row.md5, row.sha256, row.pdq, row.pdq_quality) == (MD5, SHA256, PDQ, 90)
    assert row.classification == {"industry": ["A1"]}
    out = StringIO()
    call_command("banks", "export", "Partner hotline (test)", "--format", "json", stdout=out)
    exported = json.loads(out.getvalue())
    assert exported[0]["sha256"] == SHA256


@pytest.mark.django_db
def test_json_import(tmp_path: Path) -> None:
    f = tmp_path / "partner.json"
    f.write_text(json.dumps([{"sha256": SHA256}, {"md5": MD5.upper()}]))
    call_command("banks", "import", "B", str(f), stdout=StringIO())
    assert BankHash.objects.count() == 2
    assert BankHash.objects.filter(md5=MD5).exists()


@pytest.mark.django_db
def test_a_bad_file_imports_nothing(tmp_path: Path) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(f"md5,sha256\n{MD5},{SHA256}\nnothex,\n")
    with pytest.raises(CommandError, match="row 2: md5 must be 32 hex digits"):
        call_command("banks", "import", "B", str(f), stdout=StringIO())
    assert BankHash.objects.count() == 0
    f.write_text("md5\n\n")
    f2 = tmp_path / "empty-row.json"
    f2.write_text(json.dumps([{"note": "no hash"}]))
    with pytest.raises(CommandError, match="row 1: no hash"):
        call_command("banks", "import", "B", str(f2), stdout=StringIO())
