"""The PDQ index of each bank: built once per bank version, saved under PDQ_INDEX_DIR, loaded
(memory-mapped, ``PDQIndex.load``) once per worker process and replaced when the version moves.

A bank's version moves on every change of its hashes or matching settings (``bank_changed``),
which also queues a build, so the index is ready before the next capture needs it. Whoever
needs an index that is not on disk yet builds it under a file lock, so two workers never build
the same version twice. A built index is one ``.npy`` file (plus one of ids); a bank with no
usable PDQ hash gets an empty marker instead. Files of older versions are removed once a newer
one is in place (a worker still mapping an old file keeps reading it until it reloads).
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections import Counter
from functools import partial
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q

from hotline.lib.pdqindex import PDQIndex

from .models import BankHash, HashBank

CHUNK = 100_000
# Builds per bank id in this process: the tests and the benchmark count them.
builds: Counter[int] = Counter()
_loaded: dict[int, tuple[int, PDQIndex | None]] = {}
_lock = threading.Lock()


def index_path(bank_id: int, version: int) -> Path:
    return Path(settings.PDQ_INDEX_DIR) / f"bank-{bank_id}-v{version}.npy"


def _empty_marker(path: Path) -> Path:
    return path.with_suffix(".empty")


def bank_changed(bank: HashBank) -> None:
    """The bank's hashes or settings changed: a new version, built once this commits."""
    HashBank.objects.filter(pk=bank.pk).update(version=F("version") + 1)
    bank.refresh_from_db(fields=["version"])
    from .tasks import bank_index_build  # tasks import this module: a genuine cycle

    transaction.on_commit(partial(bank_index_build.enqueue, bank.pk))


def _codes(bank: HashBank) -> tuple[np.ndarray, np.ndarray]:
    usable = (BankHash.objects.filter(bank=bank).exclude(pdq="")
              .filter(Q(pdq_quality__isnull=True) | Q(pdq_quality__gte=bank.min_quality))
              .order_by("id").values_list("id", "pdq"))
    ids: list[int] = []
    codes = bytearray()
    after = 0
    while rows := list(usable.filter(id__gt=after)[:CHUNK]):
        for pk, pdq in rows:
            ids.append(pk)
            codes += bytes.fromhex(pdq)
        after = rows[-1][0]
    return (np.frombuffer(bytes(codes), dtype=np.uint8).reshape(-1, 32),
            np.array(ids, dtype=np.int64))


def index_build(bank: HashBank) -> Path:
    """Write the index of the bank's current version, unless it is there already."""
    path = index_path(bank.pk, bank.version)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists() or _empty_marker(path).exists():
            return path
        codes, ids = _codes(bank)
        builds[bank.pk] += 1
        if not len(ids):
            _empty_marker(path).touch(mode=0o600)
            return path
        temporary = path.with_name(f".{path.stem}.{os.getpid()}.npy")
        PDQIndex(codes, ids).save(temporary)
        # Ids first: a reader that finds the codes file finds its ids too.
        os.replace(PDQIndex.ids_path(temporary), PDQIndex.ids_path(path))
        os.replace(temporary, path)
    _remove_older(bank.pk, bank.version)
    return path


def _remove_older(bank_id: int, version: int) -> None:
    for old in Path(settings.PDQ_INDEX_DIR).glob(f"bank-{bank_id}-v*"):
        stem = old.name.split(".")[0]
        number = stem.rsplit("-v", 1)[-1]
        if number.isdigit() and int(number) < version:
            old.unlink(missing_ok=True)


def bank_index(bank: HashBank) -> PDQIndex | None:
    """The bank's PDQ index at its current version (None: no usable PDQ hash)."""
    with _lock:
        cached = _loaded.get(bank.pk)
        if cached is not None and cached[0] == bank.version:
            return cached[1]
        path = index_path(bank.pk, bank.version)
        if not (path.exists() or _empty_marker(path).exists()):
            index_build(bank)
        index = None if _empty_marker(path).exists() else PDQIndex.load(path)
        _loaded[bank.pk] = (bank.version, index)
        return index


def forget_loaded() -> None:
    """Drop this process's loaded indexes (tests; a worker never needs to)."""
    with _lock:
        _loaded.clear()
