from __future__ import annotations

import json
import shutil
from io import StringIO
from pathlib import Path
from unittest.mock import patch

import pytest
from django.core.management import CommandError, call_command

from hotline.portals.models import HelpContact, Partner, Portal
from hotline.testing.base import DEMO_NETWORK


def run(*args: str) -> str:
    out = StringIO()
    call_command("portals", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_imports_the_demo_network() -> None:
    out = run("import", str(DEMO_NETWORK))
    assert "6 portal(s) were created: gm, sn, km, np, rw, ua" in out
    km = Portal.objects.get(code="km")
    assert km.languages == ["fr", "ar"]
    assert km.is_demo
    assert km.display_name("ar") == "جزر القمر"
    assert [c.kind for c in km.help_contacts.all()] == ["emergency", "child_helpline"]
    # The newer languages: Nepali, Kinyarwanda (beside English and French), Ukrainian.
    assert {p.code: p.languages for p in Portal.objects.filter(code__in=["np", "rw", "ua"])} == {
        "np": ["ne", "en"], "rw": ["rw", "en", "fr"], "ua": ["uk", "en"]}
    assert Portal.objects.get(code="np").display_name("ne") == "नेपाल"
    assert Portal.objects.get(code="ua").display_name("uk") == "Україна"
    rw = Portal.objects.get(code="rw")
    assert [c.kind for c in rw.help_contacts.all()] == ["emergency", "child_helpline", "police"]


@pytest.mark.django_db
def test_importing_again_updates_and_replaces_children(tmp_path: Path) -> None:
    run("import", str(DEMO_NETWORK))
    data = {"portals": [{"code": "gm", "name": "The Gambia", "country": "gm",
                         "languages": ["en"], "help": [{"kind": "emergency", "phone": "112",
                                                        "label": {"en": "Emergency"}}]}]}
    path = tmp_path / "gm.json"
    path.write_text(json.dumps(data))
    assert "1 portal(s) were updated: gm" in run("import", str(path))
    gm = Portal.objects.get(code="gm")
    assert gm.country == "GM"
    assert list(gm.help_contacts.values_list("phone", flat=True)) == ["112"]
    assert gm.partners.count() == 0
    assert Portal.objects.count() == 6


@pytest.mark.django_db
def test_importing_the_same_file_again_says_unchanged(tmp_path: Path) -> None:
    run("import", str(DEMO_NETWORK))
    before = {p.code: p.updated for p in Portal.objects.all()}
    contacts = list(HelpContact.objects.order_by("pk").values_list("pk", flat=True))
    out = run("import", str(DEMO_NETWORK))
    assert "0 portal(s) were updated: -" in out
    assert ("6 portal(s) unchanged (the file says what the database holds): "
            "gm, sn, km, np, rw, ua") in out
    assert {p.code: p.updated for p in Portal.objects.all()} == before  # nothing written
    assert list(HelpContact.objects.order_by("pk").values_list("pk", flat=True)) == contacts
    # One changed help text makes that portal (only) updated.
    text = DEMO_NETWORK.read_text()
    changed = tmp_path / "network.yaml"
    changed.write_text(text.replace("name: The Gambia", "name: The Gambia (demo)", 1))
    assert "The Gambia (demo)" in changed.read_text()
    out = run("import", str(changed))
    assert "1 portal(s) were updated: gm" in out
    assert ("5 portal(s) unchanged (the file says what the database holds): "
            "sn, km, np, rw, ua") in out


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["name", "names", "country", "languages", "intro",
                                   "reassurance", "enabled", "demo", "hostnames",
                                   "onion_address", "partners", "help"])
def test_a_change_to_any_field_is_written(field: str, tmp_path: Path) -> None:
    """Every field of the file is compared with the database: a changed one is never reported
    as "unchanged" and left unwritten (the reassurance line once was)."""
    first = {"code": "xx", "name": "Somewhere", "names": {"en": "Somewhere"}, "country": "GB",
             "languages": ["en"], "intro": {"en": "An introduction."},
             "reassurance": {"en": "You do not have to give your name."}, "enabled": True,
             "demo": True, "hostnames": ["report.example.test"], "onion_address": "",
             "partners": [{"name": "A partner", "url": "https://partner.example.test/"}],
             "help": [{"kind": "emergency", "phone": "112", "label": {"en": "Emergency"}}]}
    changed = {**first, field: {
        "name": "Elsewhere", "names": {"en": "Elsewhere"}, "country": "FR",
        "languages": ["en", "fr"], "intro": {"en": "Another introduction."},
        "reassurance": {"en": "You need not give your name."}, "enabled": False,
        "demo": False, "hostnames": ["other.example.test"],
        "onion_address": "a" * 56 + ".onion",
        "partners": [{"name": "Another partner", "url": "https://partner.example.test/"}],
        "help": [{"kind": "emergency", "phone": "911", "label": {"en": "Emergency"}}]}[field]}
    path = tmp_path / "one.json"
    path.write_text(json.dumps({"allow_draft_translations": True, "portals": [first]}))
    assert "1 portal(s) were created: xx" in run("import", str(path))
    path.write_text(json.dumps({"allow_draft_translations": True, "portals": [changed]}))
    assert "1 portal(s) were updated: xx" in run("import", str(path))
    portal = Portal.objects.get(code="xx")
    stored = {"name": portal.name, "names": portal.names, "country": portal.country,
              "languages": portal.languages, "intro": portal.intro,
              "reassurance": portal.reassurance, "enabled": portal.enabled,
              "demo": portal.is_demo, "hostnames": portal.hostnames,
              "onion_address": portal.onion_address,
              "partners": [{"name": p.name, "url": p.url} for p in portal.partners.all()],
              "help": [{"kind": c.kind, "phone": c.phone, "label": c.label}
                       for c in portal.help_contacts.all()]}
    assert stored[field] == changed[field]


@pytest.mark.django_db
def test_a_partners_logo_uploaded_in_the_admin_survives_imports(tmp_path: Path) -> None:
    run("import", str(DEMO_NETWORK))
    partner = Partner.objects.filter(portal__code="gm").order_by("position").first()
    assert partner is not None
    Partner.objects.filter(pk=partner.pk).update(logo=b"\x89PNG pixels", logo_width=40,
                                                 logo_height=20)
    # The same file again: the logo is not the file's business, so nothing changed.
    assert "1 portal(s) were updated: gm" not in run("import", str(DEMO_NETWORK))
    changed = tmp_path / "network.yaml"
    changed.write_text(DEMO_NETWORK.read_text().replace("name: The Gambia", "name: Gambia", 1))
    assert "1 portal(s) were updated: gm" in run("import", str(changed))
    kept = Partner.objects.get(portal__code="gm", name=partner.name)
    assert kept.logo is not None
    assert (bytes(kept.logo), kept.logo_width, kept.logo_height) == (b"\x89PNG pixels", 40, 20)


@pytest.mark.django_db
def test_a_file_with_mistakes_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "portals:\n"
        "  - {code: ok, name: Fine, country: GB, languages: [en]}\n"
        "  - {code: Bad!, name: X, country: GBR, languages: [de], colour: red,\n"
        "     onion_address: nope.onion}\n"
    )
    with pytest.raises(CommandError) as e:
        run("import", str(path))
    message = str(e.value)
    assert "Nothing was imported" in message
    assert "portals[1] (Bad!).code" in message
    assert "unknown field(s) colour" in message
    assert "Unsupported language(s): de" in message
    assert "onion_address" in message
    assert "country" in message
    assert Portal.objects.count() == 0


@pytest.mark.django_db
def test_dry_run_writes_nothing() -> None:
    assert "would be created" in run("import", "--dry-run", str(DEMO_NETWORK))
    assert Portal.objects.count() == 0
    assert HelpContact.objects.count() == 0


@pytest.mark.django_db
def test_unreadable_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot be read"):
        run("import", str(tmp_path / "missing.yaml"))
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(CommandError, match="not valid JSON"):
        run("import", str(bad))
    empty = tmp_path / "empty.yaml"
    empty.write_text("just: text\n")
    with pytest.raises(CommandError, match="list under 'portals'"):
        run("import", str(empty))


@pytest.mark.django_db
def test_list() -> None:
    run("import", str(DEMO_NETWORK))
    assert "km\tComoros\tfr,ar [demo]" in run("list")


def portal_file(tmp_path: Path, languages: list[str], **top: object) -> Path:
    data = {**top, "portals": [{"code": "xy", "name": "Xy", "country": "SN",
                                "languages": languages, "intro": {}}]}
    path = tmp_path / "xy.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.django_db
def test_a_draft_catalog_needs_the_file_to_allow_it(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as refused:
        run("import", str(portal_file(tmp_path, ["en", "es"])))
    assert "the es catalog is a draft, not reviewed by a native speaker" in str(refused.value)
    assert "allow_draft_translations: true" in str(refused.value)
    assert not Portal.objects.filter(code="xy").exists()
    path = portal_file(tmp_path, ["en", "es"], allow_draft_translations=True)
    assert "1 portal(s) were created: xy" in run("import", str(path))
    with pytest.raises(CommandError, match="allow_draft_translations must be true or false"):
        run("import", str(portal_file(tmp_path, ["es"], allow_draft_translations="yes")))
    with pytest.raises(CommandError, match=r"unknown field\(s\) allow_drafts"):
        run("import", str(portal_file(tmp_path, ["es"], allow_drafts=True)))


@pytest.mark.django_db
def test_a_reviewed_catalog_is_enough_and_an_incomplete_one_is_refused(
        tmp_path: Path) -> None:
    from hotline.lib import languages as langs

    locale = tmp_path / "locale"
    shutil.copytree(langs.LOCALE_DIR / "es", locale / "es")
    meta = locale / "es" / "language.yaml"
    meta.write_text(meta.read_text().replace("status: draft", "status: reviewed")
                    .replace('reviewed_by: ""', 'reviewed_by: "A. Reviewer, a partner hotline"'))
    reviewed = {"es": langs.read_language(meta)}
    with patch.object(langs, "LOCALE_DIR", locale), \
            patch("hotline.portals.importer.languages", lambda: reviewed), \
            patch("hotline.portals.importer.completeness",
                  lambda language: langs.completeness(language, locale)):
        assert "1 portal(s) were created: xy" in run("import", str(portal_file(tmp_path, ["es"])))
        po = locale / "es" / "LC_MESSAGES" / "django.po"
        po.write_text(po.read_text().replace('msgstr "Enviar denuncia"', 'msgstr ""'))
        with pytest.raises(CommandError, match=r"the es catalog is not complete \(1 public"):
            run("import", str(portal_file(tmp_path, ["es"])))


@pytest.mark.django_db
def test_the_reassurance_line_is_imported_per_language(tmp_path: Path) -> None:
    run("import", str(DEMO_NETWORK))
    km = Portal.objects.get(code="km")
    assert km.reassurance_text("ar").startswith("الإبلاغ عن عنوان ويب")
    assert km.reassurance_text("fr").startswith("Signaler une adresse web")
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"portals": [{
        "code": "xx", "name": "X", "country": "GB", "languages": ["en"],
        "reassurance": {"de": "Melden ist richtig."}}]}))
    with pytest.raises(CommandError) as e:
        run("import", str(path))
    assert "portals[0] (xx).reassurance: Unsupported language(s): de" in str(e.value)
