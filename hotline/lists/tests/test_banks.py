from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from hotline.lists.models import BankHash, HashBank
from hotline.testing.base import StaffTestCase

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


@pytest.mark.django_db
@pytest.mark.parametrize(("classification", "problem"), [
    (["A1"], "row 1: a classification must be an object"),
    ({"industry": []}, "row 1: industry must be a list of option codes"),
    ({"industry": "A1"}, "row 1: industry must be a list of option codes"),
    ({"industry": [5]}, "row 1: industry must be a list of option codes"),
    ({"no_such_scheme": ["a"]}, "row 1: no_such_scheme is not a classification scheme"),
    ({"industry": ["Z9"]}, "row 1: Z9 is not an option of industry"),
    ({"uk_category": ["a", "b"]}, "row 1: uk_category takes one option only"),
])
def test_classifications_are_checked_against_the_schemes(
        tmp_path: Path, classification: object, problem: str) -> None:
    f = tmp_path / "partner.json"
    f.write_text(json.dumps([{"sha256": SHA256, "classification": classification}]))
    with pytest.raises(CommandError, match=f"Nothing was imported: {problem}"):
        call_command("banks", "import", "B", str(f), stdout=StringIO())
    assert BankHash.objects.count() == 0
    f.write_text(json.dumps([{"sha256": SHA256, "classification": {
        "industry": ["A1"], "sex": ["female", "male"]}}]))
    call_command("banks", "import", "B", str(f), stdout=StringIO())
    assert BankHash.objects.get().classification == {"industry": ["A1"],
                                                     "sex": ["female", "male"]}


class BankHashAdminTestCase(StaffTestCase):
    def test_the_admin_refuses_a_classification_that_does_not_fit_the_schemes(self) -> None:
        bank = HashBank.objects.create(name="Partner (test)")
        row = BankHash.objects.create(bank=bank, sha256=SHA256)
        client = self.as_user(self.admin)
        form = {"bank": bank.pk, "md5": "", "sha1": "", "sha256": SHA256, "pdq": "",
                "pdq_quality": "", "case": ""}
        r = client.post(f"/staff/admin/lists/bankhash/{row.pk}/change/",
                        {**form, "classification": '{"industry": []}'})
        self.assertContains(r, "industry must be a list of option codes")
        row.refresh_from_db()
        self.assertEqual(row.classification, {})
        r = client.post(f"/staff/admin/lists/bankhash/{row.pk}/change/",
                        {**form, "classification": '{"industry": ["A2"]}'})
        self.assertEqual(r.status_code, 302)
        row.refresh_from_db()
        self.assertEqual(row.classification, {"industry": ["A2"]})
