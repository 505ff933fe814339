"""PDQIndex: exact recall at the threshold, agreement with brute force, ids, persistence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.lib import pdqindex
from hotline.lib.pdqindex import PDQIndex, brute_force, hashes_to_words


def random_bank(rng: np.random.Generator, n: int) -> npt.NDArray[np.uint8]:
    return rng.integers(0, 256, size=(n, 32), dtype=np.uint8)


def flip(
    h: npt.NDArray[np.uint8], distance: int, rng: np.random.Generator
) -> npt.NDArray[np.uint8]:
    """A copy of ``h`` with exactly ``distance`` distinct bits flipped."""
    out = h.copy()
    for bit in rng.choice(256, size=distance, replace=False).tolist():
        out[bit // 8] ^= np.uint8(1 << (bit % 8))
    return out


def as_set(matches: list[pdqindex.Match]) -> set[tuple[int, int, int]]:
    return {(m.query, m.id, m.distance) for m in matches}


def test_planted_near_duplicates_at_the_threshold() -> None:
    rng = np.random.default_rng(7)
    bank = random_bank(rng, 50_000)
    query = random_bank(rng, 1)[0]
    planted = {0: 11, 10: 222, 31: 3333, 32: 44444}  # distance -> position
    for distance, pos in planted.items():
        bank[pos] = flip(query, distance, rng)
    found = PDQIndex(bank).search(query, max_distance=31)
    assert as_set(found) == {(0, 11, 0), (0, 222, 10), (0, 3333, 31)}
    # Nearest first.
    assert [m.distance for m in found] == [0, 10, 31]
    # One more bit of slack admits the 32.
    assert (0, 44444, 32) in as_set(PDQIndex(bank).search(query, max_distance=32))


def test_distance_spread_over_every_word_is_found() -> None:
    # The filter reads words 0 and 1 only: a match whose 31 differing bits all sit in words
    # 2 and 3, or all in words 0 and 1, must still come back with its true distance.
    rng = np.random.default_rng(8)
    bank = random_bank(rng, 5_000)
    query = random_bank(rng, 1)[0]
    low = query.copy()
    high = query.copy()
    for bit in range(31):
        low[bit // 8] ^= np.uint8(1 << (bit % 8))
        high[16 + bit // 8] ^= np.uint8(1 << (bit % 8))
    bank[1], bank[2] = low, high
    assert as_set(PDQIndex(bank).search(query)) == {(0, 1, 31), (0, 2, 31)}


@pytest.mark.parametrize("threads", [1, 3])
def test_matches_brute_force_on_random_data(threads: int) -> None:
    rng = np.random.default_rng(9)
    bank = random_bank(rng, 3_000)
    queries = random_bank(rng, 40)
    for i, q in enumerate(queries[:30]):  # near duplicates at every distance 0..60
        for j in range(3):
            bank[i * 3 + j] = flip(q, int(rng.integers(0, 61)), rng)
    index = PDQIndex(bank, threads=threads)
    for t in (0, 5, 31, 45, 70):
        assert as_set(index.search(queries, t)) == set(brute_force(bank, queries, t)), t


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 300),
    nq=st.integers(1, 5),
    t=st.integers(0, 256),
)
def test_property_identical_to_brute_force(seed: int, n: int, nq: int, t: int) -> None:
    rng = np.random.default_rng(seed)
    queries = random_bank(rng, nq)
    bank = random_bank(rng, n)
    for pos in range(0, n, 3):  # a third of the bank near some query, at any distance
        bank[pos] = flip(queries[pos % nq], int(rng.integers(0, 257)), rng)
    assert as_set(PDQIndex(bank).search(queries, t)) == set(brute_force(bank, queries, t))


def test_small_blocks_and_many_query_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    # Exercise block edges and partial query batches with sizes a test can afford.
    monkeypatch.setattr(pdqindex, "_BLOCK_ELEMENTS", 4096)
    monkeypatch.setattr(pdqindex, "_QUERY_BATCH", 3)
    rng = np.random.default_rng(10)
    bank = random_bank(rng, 5_001)
    queries = random_bank(rng, 7)
    # Blocks are 4096 // 3 = 1365 hashes: plant on both sides of block edges and at the ends.
    pairs = [(1364, 1365), (2729, 2730), (4094, 4095), (5000, 0), (1, 2), (3, 4), (4999, 4998)]
    for q, (far, near) in zip(queries, pairs, strict=True):
        bank[far] = flip(q, 31, rng)
        bank[near] = flip(q, 3, rng)
    got = as_set(PDQIndex(bank, threads=2).search(queries))
    assert got == set(brute_force(bank, queries, 31))
    assert len(got) == 14


def test_explicit_ids_are_mapped() -> None:
    rng = np.random.default_rng(11)
    bank = random_bank(rng, 1_000)
    ids = rng.permutation(1_000).astype(np.int64) * 1_000_003 + 2**40  # needs int64
    queries = bank[[5, 500]].copy()
    found = PDQIndex(bank, ids).search(queries, max_distance=0)
    assert as_set(found) == {(0, int(ids[5]), 0), (1, int(ids[500]), 0)}
    small_ids = np.arange(1_000, 2_000)
    found = PDQIndex(bank, small_ids).search(queries, max_distance=0)
    assert as_set(found) == {(0, 1_005, 0), (1, 1_500, 0)}


def test_empty_index_and_empty_queries() -> None:
    index = PDQIndex()
    assert len(index) == 0
    assert index.search("00" * 32) == []
    rng = np.random.default_rng(12)
    index.add(random_bank(rng, 10))
    assert index.search(np.zeros((0, 32), dtype=np.uint8)) == []
    assert index.search([]) == []


def test_several_queries_and_grouped_results() -> None:
    rng = np.random.default_rng(13)
    bank = random_bank(rng, 2_000)
    queries = random_bank(rng, 4)
    bank[10] = flip(queries[0], 4, rng)
    bank[20] = flip(queries[2], 0, rng)
    bank[30] = flip(queries[2], 30, rng)
    index = PDQIndex(bank)
    assert as_set(index.search(queries)) == {(0, 10, 4), (2, 20, 0), (2, 30, 30)}
    assert index.search_grouped(queries) == [[(10, 4)], [], [(20, 0), (30, 30)], []]


def test_input_forms_agree() -> None:
    rng = np.random.default_rng(14)
    bank = random_bank(rng, 100)
    hexes = [bytes(h).hex() for h in bank]
    words = hashes_to_words(bank)
    assert words.shape == (100, 4) and words.dtype == np.uint64
    assert np.array_equal(hashes_to_words(hexes), words)
    assert np.array_equal(hashes_to_words([bytes(h) for h in bank]), words)
    assert np.array_equal(hashes_to_words(bank.astype(np.int64)), words)
    index = PDQIndex(words)
    assert as_set(index.search(hexes[3], 0)) == {(0, 3, 0)}
    with pytest.raises(ValueError):
        hashes_to_words("abcd")
    with pytest.raises(ValueError):
        index.search(hexes[3], max_distance=-1)


def test_add_appends_without_rebuild_and_keeps_ids() -> None:
    rng = np.random.default_rng(15)
    a, b, c = random_bank(rng, 500), random_bank(rng, 300), random_bank(rng, 200)
    index = PDQIndex(a)
    index.add(b)  # implicit ids continue: 500..799
    index.add(c, ids=np.arange(9_000, 9_200))
    assert len(index) == 1_000
    queries = np.stack([a[1], b[2], c[3]])
    assert as_set(index.search(queries, 0)) == {(0, 1, 0), (1, 502, 0), (2, 9_003, 0)}


def test_add_beyond_merge_size_makes_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdqindex, "_MERGE_BELOW", 100)
    rng = np.random.default_rng(16)
    parts = [random_bank(rng, 80) for _ in range(3)]
    index = PDQIndex(parts[0])
    for p in parts[1:]:
        index.add(p)
    assert len(index._segments) == 3
    allbank = np.concatenate(parts)
    queries = allbank[[0, 85, 239]]
    expected = set(brute_force(allbank, queries, 31))
    assert as_set(index.search(queries)) == expected
    index.compact()
    assert len(index._segments) == 1
    assert as_set(index.search(queries)) == expected


@pytest.mark.parametrize("explicit_ids", [False, True])
@pytest.mark.parametrize("mmap", [True, False])
def test_save_and_load(tmp_path: Path, explicit_ids: bool, mmap: bool) -> None:
    rng = np.random.default_rng(17)
    bank = random_bank(rng, 3_000)
    ids = np.arange(3_000) + 7 if explicit_ids else None
    index = PDQIndex(bank[:2_000], None if ids is None else ids[:2_000])
    index.add(bank[2_000:], None if ids is None else ids[2_000:])
    path = tmp_path / "bank.npy"
    index.save(path)
    assert PDQIndex.ids_path(path).exists() == explicit_ids
    loaded = PDQIndex.load(path, mmap=mmap)
    assert len(loaded) == 3_000
    queries = bank[[0, 2_999]]
    assert loaded.search(queries, 0) == index.search(queries, 0)
    # Differences only in words 2-3, which a mapped index reads from the file.
    near = bank[[5, 6]].copy()
    for bit in range(31):
        near[0, 16 + bit // 8] ^= np.uint8(1 << (bit % 8))
    near[1, 31] ^= np.uint8(0xFF)
    got = {(m.query, m.id, m.distance) for m in loaded.search(near)}
    first = 0 if ids is None else 7
    assert got == {(0, first + 5, 31), (1, first + 6, 8)}
    # Every hash at once (the dense path of ids read from disk).
    everything = {m.id for m in loaded.search(bank[0], 256)}
    assert everything == set((np.arange(3_000) if ids is None else ids).tolist())
    # A mapped bank still takes additions.
    loaded.add(bank[:1], None if ids is None else [99_999])
    assert len(loaded.search(bank[0], 0)) == 2


def test_from_hash_file_streams_row_major_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdqindex, "_READ_ROWS", 64)  # several chunks and a partial one
    rng = np.random.default_rng(18)
    bank = random_bank(rng, 1_000)
    queries = bank[[1, 999]]
    expected = set(brute_force(bank, queries, 31))
    for arr in (bank, hashes_to_words(bank)):
        path = tmp_path / "rows.npy"
        np.save(path, arr)
        assert as_set(PDQIndex.from_hash_file(path).search(queries)) == expected


@pytest.mark.parametrize("mmap", [True, False])
def test_save_mixed_segments_streams_ids(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mmap: bool
) -> None:
    monkeypatch.setattr(pdqindex, "_MERGE_BELOW", 100)
    monkeypatch.setattr(pdqindex, "_READ_ROWS", 7)  # ids written in many small chunks
    rng = np.random.default_rng(19)
    parts = [random_bank(rng, 80) for _ in range(3)]
    index = PDQIndex(parts[0])  # implicit ids 0..79
    index.add(parts[1], ids=np.arange(80) + 2**40)  # needs int64
    index.add(parts[2])  # implicit again: 160..239
    path = tmp_path / "mixed.npy"
    index.save(path)
    loaded = PDQIndex.load(path, mmap=mmap)
    allbank = np.concatenate(parts)
    expected = index.search(allbank, 0)
    assert [m.id for m in expected] == [*range(80), *(np.arange(80) + 2**40).tolist(),
                                        *range(160, 240)]
    assert loaded.search(allbank, 0) == expected
    # Saving again over the file it was loaded from (mapped) keeps it intact.
    loaded.save(path)
    assert PDQIndex.load(path, mmap=mmap).search(allbank, 0) == expected
