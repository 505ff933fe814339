from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from hotline.lib import sealing


def test_it_writes_a_working_pair_and_never_overwrites(tmp_path: Path) -> None:
    pub, key = tmp_path / "keys" / "s.pub", tmp_path / "keys" / "s.key"
    out = StringIO()
    call_command("keys", "generate", "--public", str(pub), "--private", str(key), stdout=out)
    assert "staff side only" in out.getvalue()
    with override_settings(SEALING_PUBLIC_KEY_FILE=pub, SEALING_PRIVATE_KEY_FILE=key):
        assert sealing.unseal(sealing.seal("round trip")) == "round trip"
    with pytest.raises(CommandError, match="already exists"):
        call_command("keys", "generate", "--public", str(pub), "--private", str(key))
    out = StringIO()
    call_command("keys", "generate", "--public", str(pub), "--private", str(key),
                 "--if-missing", stdout=out)
    assert "already present" in out.getvalue()
