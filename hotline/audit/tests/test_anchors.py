"""`hotline audit anchor`: the head written outside the database, and verification against it."""

from __future__ import annotations

import fcntl
import json
import os
import stat
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import override_settings

from hotline.audit.anchors import append, locked_for_append
from hotline.audit.services import audit_verify

from .tampering import hmac_with, rechain, sql
from .test_chain import make_chain, verify


def anchor() -> str:
    out = StringIO()
    call_command("audit", "anchor", stdout=out)
    return out.getvalue()


def anchor_lines() -> list[dict[str, object]]:
    return [json.loads(line) for line in settings.AUDIT_ANCHOR_FILE.read_text().splitlines()]


@pytest.mark.django_db
def test_an_anchor_is_one_self_describing_line_in_a_private_file() -> None:
    entries = make_chain(3)
    assert "Anchored in" in anchor()
    [line] = anchor_lines()
    assert line["kind"] == "hotline audit anchor"
    assert (line["count"], line["last_id"], line["head"]) == (3, entries[2].pk, entries[2].hash)
    assert isinstance(line["at"], str) and line["at"][:4].isdigit()
    path: Path = settings.AUDIT_ANCHOR_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


@pytest.mark.django_db
def test_anchors_are_appended_never_rewritten() -> None:
    make_chain(2)
    anchor()
    first = settings.AUDIT_ANCHOR_FILE.read_text()
    make_chain(2)
    anchor()
    text = settings.AUDIT_ANCHOR_FILE.read_text()
    assert text.startswith(first)
    assert [line["count"] for line in anchor_lines()] == [2, 4]


@pytest.mark.django_db
def test_an_intact_chain_with_anchors_verifies() -> None:
    make_chain(4)
    anchor()
    make_chain(3)
    anchor()
    make_chain(2)
    out = verify()
    assert "Audit log intact: 9 entries verified." in out
    assert "2 anchors" in out


@pytest.mark.django_db
def test_truncation_after_an_anchor_is_found_even_with_the_head_fixed() -> None:
    entries = make_chain(10)
    anchor()
    sql("DELETE FROM audit_auditentry WHERE id >= %s", entries[7].pk)
    sql("DELETE FROM audit_auditcheckpoint")  # the rewriter removes the checkpoint too
    sql("UPDATE audit_audithead SET last_hash = %s, count = 7 WHERE id = 1", entries[6].hash)
    checked, broken = audit_verify()
    assert broken is not None and broken.entry_id == entries[9].pk
    assert "recorded 10 entries" in broken.problem and "has 7" in broken.problem
    assert checked == 7
    with pytest.raises(CommandError, match=f"BROKEN at entry {entries[9].pk}"):
        verify()


@pytest.mark.django_db
def test_truncation_and_a_new_tail_after_an_anchor_is_found() -> None:
    entries = make_chain(10)
    anchor()
    sql("DELETE FROM audit_auditentry WHERE id >= %s", entries[5].pk)
    sql("DELETE FROM audit_auditcheckpoint")
    sql("UPDATE audit_audithead SET last_hash = %s, count = 5 WHERE id = 1", entries[4].hash)
    newer = make_chain(6)  # keyed properly: the attacker used the application itself
    _, broken = audit_verify()
    assert broken is not None and broken.entry_id == newer[4].pk
    assert "does not match the anchor" in broken.problem


@pytest.mark.django_db
def test_a_rewrite_with_the_stolen_key_before_an_anchor_is_found() -> None:
    entries = make_chain(8)
    anchor()
    sql("DELETE FROM audit_auditcheckpoint")
    sql("DELETE FROM audit_auditentry WHERE id = %s", entries[3].pk)
    rechain(after=entries[2].pk, mac=hmac_with(settings.AUDIT_KEY))
    [filler] = make_chain(1)  # eight entries again, as the anchor says
    _, broken = audit_verify()
    assert broken is not None and broken.entry_id == filler.pk
    assert "does not match the anchor of line 1" in broken.problem


@pytest.mark.django_db
def test_the_checkpoint_catches_truncation_without_an_anchor_file() -> None:
    entries = make_chain(6)
    verify()  # writes the checkpoint at entry 6
    sql("DELETE FROM audit_auditentry WHERE id >= %s", entries[4].pk)
    sql("UPDATE audit_audithead SET last_hash = %s, count = 4 WHERE id = 1", entries[3].hash)
    _, broken = audit_verify()
    assert broken is not None and broken.entry_id == entries[5].pk
    assert "checkpoint" in broken.problem


@pytest.mark.django_db
def test_a_damaged_anchor_file_is_a_break() -> None:
    make_chain(2)
    anchor()
    with open(settings.AUDIT_ANCHOR_FILE, "a") as f:
        f.write('{"kind": "hotline audit anchor", "count": "many"}\n')
    with pytest.raises(CommandError, match=r"line 2 of .* is not an audit anchor"):
        verify()


@pytest.mark.django_db
def test_a_broken_chain_is_not_anchored() -> None:
    entries = make_chain(3)
    sql("UPDATE audit_auditentry SET action = 'x' WHERE id = %s", entries[1].pk)
    with pytest.raises(CommandError, match=f"BROKEN at entry {entries[1].pk}.*Nothing was"):
        anchor()
    assert not settings.AUDIT_ANCHOR_FILE.exists()


@pytest.mark.django_db
def test_an_empty_log_is_not_anchored() -> None:
    assert "nothing to anchor" in anchor()
    assert not settings.AUDIT_ANCHOR_FILE.exists()


@pytest.mark.django_db
@override_settings(AUDIT_ANCHOR_EMAILS=["auditor@oversight.example.test"])
def test_anchors_are_mailed_to_the_auditors() -> None:
    make_chain(2)
    assert "Mailed to auditor@oversight.example.test" in anchor()
    [message] = mail.outbox
    assert message.to == ["auditor@oversight.example.test"]
    assert settings.AUDIT_ANCHOR_FILE.read_text().strip() in message.body


def test_the_anchor_file_is_opened_for_appending_only(tmp_path: Path) -> None:
    path = tmp_path / "anchors.log"
    path.write_text("earlier line\n")
    with locked_for_append(path) as fd:
        assert fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_APPEND
        os.lseek(fd, 0, os.SEEK_SET)  # even a writer that seeks back only appends
        append(fd, "later line\n")
    assert path.read_text() == "earlier line\nlater line\n"
