from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import SimpleTestCase

from hotline import settings as hotline_settings
from hotline.testing.processes import product_settings

ROOT = Path(__file__).resolve().parents[2]


def test_envbool_is_loud_about_bad_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG must be a boolean"):
        hotline_settings.envbool("SOME_FLAG", False)
    monkeypatch.setenv("SOME_FLAG", "yes")
    assert hotline_settings.envbool("SOME_FLAG", False) is True


def test_envint_is_loud_about_bad_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="SOME_NUMBER must be a whole number"):
        hotline_settings.envint("SOME_NUMBER", 1)


def test_envfloat_is_loud_about_bad_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOME_SHARE", "1.5")
    with pytest.raises(ImproperlyConfigured, match=r"SOME_SHARE must be between 0\.0 and 1\.0"):
        hotline_settings.envfloat("SOME_SHARE", 0.1)
    monkeypatch.setenv("SOME_SHARE", "a tenth")
    with pytest.raises(ImproperlyConfigured, match="SOME_SHARE must be a number"):
        hotline_settings.envfloat("SOME_SHARE", 0.1)
    monkeypatch.setenv("SOME_SHARE", "0.25")
    assert hotline_settings.envfloat("SOME_SHARE", 0.1) == 0.25


def test_secrets_come_from_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.delenv("MY_SECRET", raising=False)
    monkeypatch.setenv("MY_SECRET_FILE", str(secret))
    assert hotline_settings.envsecret("MY_SECRET") == "from-a-file"
    monkeypatch.setenv("MY_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        hotline_settings.envsecret("MY_SECRET")


def test_development_secrets_are_made_once(monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    monkeypatch.setattr(hotline_settings, "VAR_DIR", tmp_path)
    monkeypatch.delenv("DEV_SECRET", raising=False)
    monkeypatch.delenv("DEV_SECRET_FILE", raising=False)
    first = hotline_settings.envsecret("DEV_SECRET")
    assert hotline_settings.envsecret("DEV_SECRET") == first
    assert (tmp_path / "secrets" / "dev_secret").stat().st_mode & 0o777 == 0o600
    monkeypatch.setattr(hotline_settings, "GENERATE_SECRETS", False)
    with pytest.raises(ImproperlyConfigured, match="DEV_SECRET or DEV_SECRET_FILE must be set"):
        hotline_settings.envsecret("DEV_SECRET")


def _hotline(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    skip = ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    base = {k: v for k, v in os.environ.items() if k not in skip}
    return subprocess.run([sys.executable, "-m", "hotline.cli", *args], cwd=ROOT,
                          env={**base, **env}, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    env = {
        "DJANGO_SETTINGS_MODULE": "hotline.settings",
        "HOTLINE_GENERATE_SECRETS": "0",
        "HOTLINE_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "x" * 20 + "production-secret-key-with-enough-entropy-0123456789",
        "RECEIPT_PEPPER": "a-pepper-for-the-test",
        "TOTP_SEED_KEY": "t" * 20 + "a-totp-seed-key-for-the-test-0123456789",
        "AUDIT_KEY": "an-audit-key-for-the-test",
        "RATELIMIT_SECRET": "a-rate-limit-secret-for-the-test",
        "HTTPS": "1",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "report.example.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "EMAIL_HOST": "smtp.hub.example.test",
    }
    result = _hotline(["check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_notices_would_only_be_written_to_files(
        tmp_path: Path) -> None:
    env = {"DJANGO_SETTINGS_MODULE": "hotline.settings", "HOTLINE_VAR_DIR": str(tmp_path),
           "EMAIL_HOST": "", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    result = _hotline(["check", "--deploy"], env)
    assert "EMAIL_HOST is not set" in result.stdout + result.stderr


def email_settings(tmp_path: Path, email_host: str) -> tuple[str, str]:
    values = product_settings({"HOTLINE_VAR_DIR": str(tmp_path), "EMAIL_HOST": email_host},
                              "EMAIL_BACKEND", "EMAIL_FILE_PATH")
    return values["EMAIL_BACKEND"], values["EMAIL_FILE_PATH"]


def test_without_email_host_mail_goes_to_files_under_var_mail(tmp_path: Path) -> None:
    backend, path = email_settings(tmp_path, "")
    assert backend == "django.core.mail.backends.filebased.EmailBackend"
    assert Path(path) == tmp_path / "mail"


def test_with_email_host_mail_goes_out_by_smtp(tmp_path: Path) -> None:
    backend, _ = email_settings(tmp_path, "smtp.hub.example.test")
    assert backend == "django.core.mail.backends.smtp.EmailBackend"


def test_production_refuses_to_start_without_secrets(tmp_path: Path) -> None:
    env = {"DJANGO_SETTINGS_MODULE": "hotline.settings", "HOTLINE_GENERATE_SECRETS": "0",
           "HOTLINE_VAR_DIR": str(tmp_path), "SECRET_KEY": "", "SECRET_KEY_FILE": ""}
    result = _hotline(["check"], env)
    assert result.returncode != 0
    assert "SECRET_KEY or SECRET_KEY_FILE must be set" in result.stderr


def test_production_needs_a_strong_totp_seed_key(tmp_path: Path) -> None:
    env = {"DJANGO_SETTINGS_MODULE": "hotline.settings", "HOTLINE_GENERATE_SECRETS": "0",
           "HOTLINE_VAR_DIR": str(tmp_path), "SECRET_KEY": "s" * 50, "RECEIPT_PEPPER": "pepper",
           "TOTP_SEED_KEY": "", "TOTP_SEED_KEY_FILE": ""}
    result = _hotline(["check"], env)
    assert result.returncode != 0
    assert "TOTP_SEED_KEY or TOTP_SEED_KEY_FILE must be set" in result.stderr
    result = _hotline(["check"], {**env, "TOTP_SEED_KEY": "short"})
    assert result.returncode != 0
    assert "TOTP_SEED_KEY must be at least 32 random characters" in result.stderr


class TestVarDirectoryTestCase(SimpleTestCase):
    """The test settings' own var/ directory (test keys and secrets) is gone after the run."""

    def run_settings(self, env: dict[str, str]) -> str:
        code = ("import django; django.setup(); from django.conf import settings; "
                "from hotline.lib.sealing import generate_keypair; "
                "generate_keypair(settings.SEALING_PUBLIC_KEY_FILE, "
                "settings.SEALING_PRIVATE_KEY_FILE); print(settings.VAR_DIR)")
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                              text=True, timeout=120, check=True)
        return done.stdout.strip().splitlines()[-1]

    def test_the_directory_it_made_is_removed_when_the_run_ends(self) -> None:
        env = {k: v for k, v in os.environ.items() if k != "HOTLINE_VAR_DIR"}
        env["DJANGO_SETTINGS_MODULE"] = "hotline.testing.settings"
        made = Path(self.run_settings(env))
        self.assertTrue(made.name.startswith("hotline-test-var-"), made)
        self.assertFalse(made.exists())

    def test_a_directory_it_was_given_is_left_alone(self) -> None:
        with tempfile.TemporaryDirectory(prefix="hotline-test-given-") as given:
            env = {**os.environ, "HOTLINE_VAR_DIR": given,
                   "DJANGO_SETTINGS_MODULE": "hotline.testing.settings"}
            self.assertEqual(self.run_settings(env), str(Path(given).resolve()))
            self.assertTrue((Path(given) / "keys" / "sealing.key").exists())
