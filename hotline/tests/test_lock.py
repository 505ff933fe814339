"""The lock files that `make run` and `make test` install from: every dependency of
pyproject.toml at its pinned version, with hashes, and nothing unhashed. A dependency added or
changed in pyproject.toml without `make lock` fails here."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from django.test import SimpleTestCase
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
ENTRY = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^ ;\\]+)[^\\]*\\\n"
                   r"((?:\s+--hash=sha256:[0-9a-f]{64}(?: \\)?\n)+)", re.MULTILINE)


def locked(name: str) -> dict[str, str]:
    text = (ROOT / "requirements" / name).read_text()
    entries: dict[str, str] = {canonicalize_name(m[1]): m[3] for m in ENTRY.finditer(text)}
    pinned_lines = [line for line in text.splitlines() if "==" in line and
                    not line.lstrip().startswith("#")]
    assert len(entries) == len(pinned_lines), "an entry without a hash, or one not pinned"
    return entries


def pinned(requirements: list[str]) -> dict[str, str]:
    result: dict[str, str] = {}
    for text in requirements:
        req = Requirement(text)
        (spec,) = req.specifier
        assert spec.operator == "==", f"{text}: pin an exact version"
        result[canonicalize_name(req.name)] = spec.version
    return result


class LockTestCase(SimpleTestCase):
    def setUp(self) -> None:
        project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
        self.run_deps = pinned(project["dependencies"])
        self.test_deps = pinned(project["optional-dependencies"]["test"])

    def test_every_dependency_is_locked_at_its_pinned_version(self) -> None:
        run, test = locked("run.txt"), locked("test.txt")
        for name, version in self.run_deps.items():
            self.assertEqual(run.get(name), version, f"{name}: run `make lock`")
            self.assertEqual(test.get(name), version, f"{name}: run `make lock`")
        for name, version in self.test_deps.items():
            self.assertEqual(test.get(name), version, f"{name}: run `make lock`")

    def test_the_test_lock_installs_what_the_run_lock_does(self) -> None:
        run, test = locked("run.txt"), locked("test.txt")
        self.assertEqual({name: test.get(name) for name in run}, run)
        self.assertNotIn("hotline", test)

    def test_both_installs_use_the_lock_files_with_hashes(self) -> None:
        makefile = (ROOT / "Makefile").read_text()
        self.assertIn("--require-hashes --no-deps", makefile)
        self.assertIn("$(PIP_LOCKED) -r requirements/run.txt", makefile)
        self.assertIn("$(PIP_LOCKED) -r requirements/test.txt", makefile)
        self.assertIn("LOCK_TOOL := uv==", makefile)
