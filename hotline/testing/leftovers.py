"""Checks that content seen in memory (a capture, a viewer's thumbnail) left no copy behind:
in no file written meanwhile, in no row of any table."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from unittest import TestCase

from django.db import connection


def files_under(*roots: Path) -> set[Path]:
    """Every file below the roots, the virtual environment and git's store left out."""
    found: set[Path] = set()
    for root in roots:
        for dirpath, _dirs, files in os.walk(root):
            if ".venv" in dirpath or ".git" in dirpath:
                continue
            found.update(Path(dirpath) / f for f in files)
    return found


def assert_nowhere(test: TestCase, needles: list[bytes], new_files: Iterable[Path]) -> None:
    """None of the needles in the files written meanwhile, nor in any database value (bytes as
    they are, anything else searched for their hex form)."""
    for path in new_files:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        for needle in needles:
            test.assertNotIn(needle, data, path)
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (the database's own names)
            for row in cursor.fetchall():
                for value in row:
                    for needle in needles:
                        if isinstance(value, (bytes, memoryview)):
                            test.assertNotIn(needle, bytes(value), table)
                        else:
                            test.assertNotIn(needle.hex(), str(value), table)
