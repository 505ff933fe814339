"""Exact-recall matching of PDQ hashes (256 bits) by Hamming distance.

Design, chosen by measurement on the 2-core, 24 GB deployment machine (see BENCHMARKS.md):

* A bank of 10 million hashes has to fit in 400 MB resident for the whole worker process, and
  the codes alone are 320 MB, the interpreter and numpy about 30 MB. Multi-index hashing
  needs, by pigeonhole, an inverted index on every chunk (16 chunks of 16 bits for distance
  31: some chunk is within 1 bit). Each inverted index over a 16-bit chunk carries at least
  16 bits of information per hash (>= 20 MB at 10 M), and only one can come free from the
  storage order: >= 300 MB more, where ~50 MB is left. FAISS's IndexBinaryMultiHash, with
  8-byte ids in hash maps, measured 2.8 GB at 10 M. No exact multi-index fits.
* So the index is a vectorised scan, made cheap by two facts:
  - the codes are stored column-wise, one contiguous uint64 array per 64-bit word, so a pass
    reads only the words it needs;
  - the first two words (128 bits) are an almost perfect filter: the distance over 128 bits
    is a lower bound of the full distance, and for unrelated hashes it is 64 +- 5.7, so at
    a threshold of 31 a random hash gets through with probability 2e-9 (0.02 per query in a
    10 M bank). Only the survivors (the true matches, in practice) have words 2 and 3 read,
    by fancy indexing. One word would not do: 45 % of random hashes pass 31 on 64 bits.
  The scan runs over blocks of the bank against batches of queries, with preallocated
  buffers (``np.bitwise_xor`` / ``np.bitwise_count`` with ``out=``) so temporaries stay in
  the L2 cache and memory stays flat: 12-18 ms of CPU per query per 10 M hashes (measured;
  the XORs dominate), which at 10 M beat FAISS's multi-index, whose 41,000 candidates per
  query are random memory accesses.
* Exact for every threshold 0..256: the filter is a lower bound, so it never drops a match, and
  every survivor is verified on all 256 bits, so nothing beyond the threshold is returned. It
  is fastest up to about 45 (5 in 10,000 random hashes survive the filter there); above that
  it stays correct but slows down as survivors grow.
* Appending is cheap: ``add`` appends a segment (no rebuild); small trailing segments are
  merged so many small adds do not fragment the scan. ``save`` writes one ``.npy`` file of the
  columns (and a second one of ids, only when ids are not the default 0..n-1); ``load`` maps it
  read-only, so a worker opens a 10 M bank instantly and processes share the pages. Mapping
  does not shrink the resident set: the scan reads words 0-1 of every hash, and the kernel
  maps whole page-cache folios around the sparse reads of words 2-3.

Ids default to the position of the hash in insertion order (stored implicitly, no memory).
Explicit ids in memory cost 4 bytes per hash when they fit in int32, otherwise 8: at 10 M that
is 40 or 80 MB, which takes the process past 400 MB. An index opened with ``load`` (mapped)
reads explicit ids from disk for the matches only, so it stays within the budget.

Bit order: a hash is 32 bytes (``bytes.fromhex`` of its 64 hex digits); word ``w`` is bytes
``8w..8w+7`` read little-endian. Hamming distance does not depend on the bit order as long as
stored hashes and queries use the same one, which every entry point here guarantees.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal, NamedTuple

import numpy as np
import numpy.typing as npt

PDQ_BITS = 256
WORDS = PDQ_BITS // 64
HASH_BYTES = PDQ_BITS // 8
DEFAULT_MAX_DISTANCE = 31

# The filter reads words 0 and 1 (128 bits). Two words instead of one because one 64-bit
# word at threshold 31 lets 45 % of random hashes through; two let 2e-9 through.
_FILTER_WORDS = 2
_FILTER_MAX = 64 * _FILTER_WORDS
# Query batch x bank block, in elements of the (queries, block) temporaries. 256 K elements is
# a 2 MB uint64 XOR buffer plus two 256 KB uint8 buffers per thread: L2-sized, and measured as
# the sweet spot (larger batches do not help; smaller ones pay more Python overhead).
_QUERY_BATCH = 16
_BLOCK_ELEMENTS = 1 << 18
# Adds smaller than this are merged into the previous in-memory segment, so that a stream of
# small adds does not leave thousands of tiny segments each paying per-block overhead.
_MERGE_BELOW = 1 << 20
# Chunk size (rows) for streaming a row-major file into columns or writing ids: 2 MB of
# hashes, small next to the bank, large enough that per-chunk overhead does not matter.
_READ_ROWS = 1 << 16

_LE_U64 = np.dtype("<u8")

U64Array = npt.NDArray[np.uint64]
I64Array = npt.NDArray[np.int64]
HashesLike = npt.ArrayLike | Sequence[str] | Sequence[bytes] | str | bytes


class Match(NamedTuple):
    query: int  # index of the query in the batch passed to ``search``
    id: int
    distance: int


class SearchResult(NamedTuple):
    """All matches of a batch as parallel arrays, sorted by (query, distance, id)."""

    query: I64Array
    ids: I64Array
    distance: npt.NDArray[np.int32]


def hashes_to_words(hashes: HashesLike) -> U64Array:
    """Hashes in any accepted form as an (n, 4) uint64 array (word w = bytes 8w..8w+7, LE).

    Accepts hex strings (64 digits), 32-byte ``bytes``, a sequence of either, an (n, 32) or (32,)
    uint8 array, or an (n, 4) or (4,) uint64 array.
    """
    if isinstance(hashes, str | bytes):
        hashes = [hashes]
    if isinstance(hashes, Sequence) and not isinstance(hashes, np.ndarray):
        if len(hashes) == 0:
            return np.zeros((0, WORDS), dtype=np.uint64)
        if isinstance(hashes[0], str | bytes):
            raw = b"".join(_hash_bytes(h) for h in hashes)  # type: ignore[arg-type]
            return np.frombuffer(raw, dtype=_LE_U64).reshape(-1, WORDS).astype(np.uint64)
    arr = np.asarray(hashes)
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
    if arr.ndim != 2:
        raise ValueError(f"expected a 2-d array of hashes, got shape {arr.shape}")
    if arr.dtype == np.uint8 and arr.shape[1] == HASH_BYTES:
        return np.ascontiguousarray(arr).view(_LE_U64).astype(np.uint64, copy=False)
    if arr.dtype == np.uint64 and arr.shape[1] == WORDS:
        return arr
    if np.issubdtype(arr.dtype, np.integer) and arr.shape[1] == HASH_BYTES and arr.size:
        # Plain integer lists of bytes (e.g. from JSON): accept them if they are bytes.
        if int(arr.min()) < 0 or int(arr.max()) > 255:
            raise ValueError("byte values must be in 0..255")
        return np.ascontiguousarray(arr.astype(np.uint8)).view(_LE_U64).astype(np.uint64)
    if arr.shape[0] == 0:
        return np.zeros((0, WORDS), dtype=np.uint64)
    raise ValueError(
        f"expected (n, {HASH_BYTES}) uint8 or (n, {WORDS}) uint64 hashes, "
        f"got shape {arr.shape} dtype {arr.dtype}"
    )


def _hash_bytes(h: str | bytes) -> bytes:
    raw = bytes.fromhex(h) if isinstance(h, str) else h
    if len(raw) != HASH_BYTES:
        raise ValueError(f"a PDQ hash is {HASH_BYTES} bytes (64 hex digits), got {len(raw)}")
    return raw


def _read_npy_header(f: BinaryIO) -> tuple[tuple[int, ...], bool, np.dtype[np.generic]]:
    version = np.lib.format.read_magic(f)
    if version == (1, 0):
        return np.lib.format.read_array_header_1_0(f)
    return np.lib.format.read_array_header_2_0(f)


class _IdFile:
    """Explicit ids of a saved index, read on demand with ``os.pread``.

    Ids are needed only for the hashes that match, so they can stay in the page cache instead
    of this process. A memory map would not do: on this kernel a fault maps the whole (large)
    page-cache folio, and 7,000 random reads of an 80 MB mapped array made all of it resident.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        with open(path, "rb") as f:
            shape, fortran, dtype = _read_npy_header(f)
            self.offset = f.tell()
        if fortran or len(shape) != 1 or not np.issubdtype(dtype, np.integer):
            raise ValueError(f"{path}: expected a 1-d integer array of ids")
        self.dtype = dtype
        self.size = int(shape[0])
        # Kept open, so a later save() replacing the file does not change what we read.
        self._file = open(path, "rb", buffering=0)

    def __del__(self) -> None:
        self._file.close()

    def take(self, pos: npt.NDArray[np.intp]) -> I64Array:
        item = self.dtype.itemsize
        if pos.size == 0:
            return np.zeros(0, dtype=np.int64)
        lo, hi = int(pos.min()), int(pos.max())
        if pos.size > (hi - lo) // 64:  # dense: one sequential read beats many small ones
            self._file.seek(self.offset + lo * item)
            span = np.fromfile(self._file, dtype=self.dtype, count=hi - lo + 1)
            return span[pos - lo].astype(np.int64)
        fd = self._file.fileno()
        raw = b"".join(os.pread(fd, item, self.offset + p * item) for p in pos.tolist())
        return np.frombuffer(raw, dtype=self.dtype).astype(np.int64)


@dataclass
class _Segment:
    cols: U64Array  # (4, m), C order: row w is word w of every hash, contiguous
    # None: ids are base .. base+m-1 (no memory); _IdFile: on disk, read for matches only.
    ids: npt.NDArray[np.signedinteger] | _IdFile | None
    base: int
    owned: bool  # in memory and ours to grow (not a read-only map)

    @property
    def size(self) -> int:
        return int(self.cols.shape[1])

    def ids_at(self, pos: npt.NDArray[np.intp]) -> I64Array:
        if self.ids is None:
            return pos.astype(np.int64) + self.base
        if isinstance(self.ids, _IdFile):
            return self.ids.take(pos)
        return self.ids[pos].astype(np.int64)


class PDQIndex:
    """Exact Hamming-range matcher for PDQ hashes; see the module docstring for the design.

    ``threads`` splits each scan over that many threads (numpy releases the GIL in its loops);
    leave it at 1 in a worker that shares the machine with others.
    """

    def __init__(
        self,
        codes: HashesLike | None = None,
        ids: npt.ArrayLike | None = None,
        *,
        threads: int = 1,
    ) -> None:
        if threads < 1:
            raise ValueError("threads must be >= 1")
        self.threads = threads
        self._segments: list[_Segment] = []
        self._size = 0
        if codes is not None:
            self.add(codes, ids)
        elif ids is not None:
            raise ValueError("ids given without codes")

    def __len__(self) -> int:
        return self._size

    @property
    def nbytes(self) -> int:
        """Bytes of codes and in-memory ids (mapped codes included; ids read from disk not)."""
        return sum(
            s.cols.nbytes + (s.ids.nbytes if isinstance(s.ids, np.ndarray) else 0)
            for s in self._segments
        )

    # -- building ----------------------------------------------------------------------------

    def add(self, codes: HashesLike, ids: npt.ArrayLike | None = None) -> None:
        """Append hashes; ``ids`` default to their positions (len(self), len(self)+1, ...)."""
        words = hashes_to_words(codes)
        m = words.shape[0]
        id_arr = None if ids is None else _compact_ids(np.asarray(ids))
        if id_arr is not None and id_arr.shape != (m,):
            raise ValueError(f"{m} hashes but ids of shape {id_arr.shape}")
        if m == 0:
            return
        cols = np.empty((WORDS, m), dtype=np.uint64)
        cols[...] = words.T  # strided copy into columns, no intermediate array
        self._append(_Segment(cols, id_arr, self._size, owned=True))

    def _append(self, seg: _Segment) -> None:
        last = self._segments[-1] if self._segments else None
        if (
            last is not None
            and last.owned
            and seg.owned
            and last.size + seg.size < _MERGE_BELOW
        ):
            # Small appends: copying a segment under 1 M hashes (32 MB) is cheaper than the
            # per-segment overhead every later search would pay.
            ids: npt.NDArray[np.signedinteger] | None = None
            if last.ids is not None or seg.ids is not None:
                ids = _compact_ids(
                    np.concatenate(
                        [
                            last.ids_at(np.arange(last.size)),
                            seg.ids_at(np.arange(seg.size)),
                        ]
                    )
                )
            merged = np.concatenate([last.cols, seg.cols], axis=1)
            self._segments[-1] = _Segment(merged, ids, last.base, owned=True)
        else:
            self._segments.append(seg)
        self._size += seg.size

    @classmethod
    def from_hash_file(
        cls, path: str | os.PathLike[str], ids: npt.ArrayLike | None = None, *, threads: int = 1
    ) -> PDQIndex:
        """Build from a row-major ``.npy`` of (n, 32) uint8 or (n, 4) uint64 hashes.

        Streams the file in chunks into the column store, so the peak is the index itself
        (32 bytes per hash) plus one chunk: no second full copy of the bank.
        """
        with open(path, "rb") as f:
            shape, fortran, dtype = _read_npy_header(f)
            if fortran or len(shape) != 2:
                raise ValueError(f"{path}: expected a C-order 2-d array, got {shape}")
            if (dtype, shape[1]) not in ((np.dtype(np.uint8), HASH_BYTES), (_LE_U64, WORDS)):
                raise ValueError(f"{path}: expected (n, 32) uint8 or (n, 4) uint64 hashes")
            n = int(shape[0])
            cols = np.empty((WORDS, n), dtype=np.uint64)
            # One reused buffer: a fresh array per chunk would briefly hold two of them.
            buf = np.empty((min(_READ_ROWS, n), WORDS), dtype=_LE_U64)
            for start in range(0, n, _READ_ROWS):
                rows = min(_READ_ROWS, n - start)
                if f.readinto(buf[:rows].data.cast("B")) != rows * HASH_BYTES:
                    raise ValueError(f"{path}: truncated")
                cols[:, start : start + rows] = buf[:rows].T
        index = cls(threads=threads)
        id_arr = None if ids is None else _compact_ids(np.asarray(ids))
        if id_arr is not None and id_arr.shape != (n,):
            raise ValueError(f"{n} hashes but ids of shape {id_arr.shape}")
        if n:
            index._segments.append(_Segment(cols, id_arr, 0, owned=True))
            index._size = n
        return index

    def compact(self) -> None:
        """Merge all segments into one in-memory segment (transiently needs twice the space)."""
        if len(self._segments) <= 1 and all(s.owned for s in self._segments):
            return
        cols = np.concatenate([s.cols for s in self._segments], axis=1)
        ids = self._all_ids()
        self._segments = [_Segment(cols, ids, 0, owned=True)] if self._size else []

    def _all_ids(self) -> npt.NDArray[np.signedinteger] | None:
        if all(s.ids is None for s in self._segments):
            return None
        return _compact_ids(
            np.concatenate([s.ids_at(np.arange(s.size)) for s in self._segments])
        )

    # -- persistence -------------------------------------------------------------------------

    @staticmethod
    def ids_path(path: str | os.PathLike[str]) -> Path:
        """Where ``save`` puts explicit ids next to the codes file ``path``."""
        p = Path(path)
        return p.with_name(p.stem + ".ids.npy")

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the codes as one (4, n) uint64 ``.npy`` (and ids beside it if explicit).

        Written segment by segment to temporary files, then renamed (ids first): no full copy
        in memory, and a worker that mapped the old files keeps a consistent view. Saving and
        loading the same path at the same moment still needs the caller's coordination.
        """
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as f:
            header = {"descr": _LE_U64.str, "fortran_order": False, "shape": (WORDS, self._size)}
            np.lib.format.write_array_header_2_0(f, header)
            for w in range(WORDS):
                for seg in self._segments:
                    f.write(np.ascontiguousarray(seg.cols[w]).data)
        ids_file = self.ids_path(path)
        if all(s.ids is None for s in self._segments):
            ids_file.unlink(missing_ok=True)  # a stale file would relabel the new bank
        else:
            tmp_ids = ids_file.with_name(ids_file.name + ".tmp")
            with open(tmp_ids, "wb") as f:
                self._write_ids(f)
            os.replace(tmp_ids, ids_file)
        os.replace(tmp, path)

    def _write_ids(self, f: BinaryIO) -> None:
        """All ids as one 1-d .npy, a chunk at a time (10 M int64 ids would be 80 MB)."""
        wide = any(
            (s.ids is None and s.base + s.size - 1 > np.iinfo(np.int32).max)
            or (s.ids is not None and s.ids.dtype.itemsize > 4)
            for s in self._segments
        )
        dtype = np.dtype("<i8" if wide else "<i4")
        header = {"descr": dtype.str, "fortran_order": False, "shape": (self._size,)}
        np.lib.format.write_array_header_2_0(f, header)
        for seg in self._segments:
            for start in range(0, seg.size, _READ_ROWS):
                pos = np.arange(start, min(seg.size, start + _READ_ROWS))
                f.write(seg.ids_at(pos).astype(dtype).data)

    @classmethod
    def load(
        cls, path: str | os.PathLike[str], *, mmap: bool = True, threads: int = 1
    ) -> PDQIndex:
        """Open a file written by ``save``; memory-mapped read-only unless ``mmap=False``.

        Mapped, the codes are shared with every process mapping the same file and load in no
        time; explicit ids are then read from disk for matches only (``_IdFile``). A mapped
        index still accepts ``add`` (new hashes go to an in-memory segment).
        """
        mode: Literal["r"] | None = "r" if mmap else None
        cols = np.load(path, mmap_mode=mode)
        if cols.dtype != _LE_U64 or cols.ndim != 2 or cols.shape[0] != WORDS:
            raise ValueError(f"{path}: not a PDQIndex file (shape {cols.shape}, {cols.dtype})")
        ids_file = cls.ids_path(path)
        ids: npt.NDArray[np.signedinteger] | _IdFile | None = None
        if ids_file.exists():
            ids = _IdFile(ids_file) if mmap else np.load(ids_file)
            size = ids.size
            if size != cols.shape[1]:
                raise ValueError(f"{ids_file}: {size} ids for {cols.shape[1]} hashes")
        index = cls(threads=threads)
        if cols.shape[1]:
            index._segments.append(_Segment(cols, ids, 0, owned=not mmap))
            index._size = int(cols.shape[1])
        return index

    # -- search ------------------------------------------------------------------------------

    def search(
        self, queries: HashesLike, max_distance: int = DEFAULT_MAX_DISTANCE
    ) -> list[Match]:
        """Every stored hash within ``max_distance`` of each query, as (query, id, distance).

        Sorted by query, then distance, then id.
        """
        return list(iter_matches(self.search_arrays(queries, max_distance)))

    def search_grouped(
        self, queries: HashesLike, max_distance: int = DEFAULT_MAX_DISTANCE
    ) -> list[list[tuple[int, int]]]:
        """Per query, the list of (id, distance) of its matches, nearest first."""
        q = hashes_to_words(queries)
        res = self.search_arrays(q, max_distance)
        out: list[list[tuple[int, int]]] = [[] for _ in range(q.shape[0])]
        for qi, i, d in zip(
            res.query.tolist(), res.ids.tolist(), res.distance.tolist(), strict=True
        ):
            out[qi].append((i, d))
        return out

    def search_arrays(
        self, queries: HashesLike, max_distance: int = DEFAULT_MAX_DISTANCE
    ) -> SearchResult:
        """Like ``search`` but as parallel numpy arrays (no per-match Python objects)."""
        if not 0 <= max_distance <= PDQ_BITS:
            raise ValueError(f"max_distance must be in 0..{PDQ_BITS}")
        q = np.ascontiguousarray(hashes_to_words(queries))
        parts: list[tuple[I64Array, I64Array, npt.NDArray[np.int32]]] = []
        if q.shape[0] and self._size:
            for seg in self._segments:
                for qi, pos, dist in self._scan_segment(seg, q, max_distance):
                    parts.append((qi, seg.ids_at(pos), dist))
        if not parts:
            empty = np.zeros(0, dtype=np.int64)
            return SearchResult(empty, empty.copy(), np.zeros(0, dtype=np.int32))
        qs = np.concatenate([p[0] for p in parts])
        ids = np.concatenate([p[1] for p in parts])
        dist = np.concatenate([p[2] for p in parts])
        order = np.lexsort((ids, dist, qs))
        return SearchResult(qs[order], ids[order], dist[order])

    def _scan_segment(
        self, seg: _Segment, q: U64Array, t: int
    ) -> list[tuple[I64Array, npt.NDArray[np.intp], npt.NDArray[np.int32]]]:
        nq = q.shape[0]
        batch = min(_QUERY_BATCH, nq)
        block = max(1024, _BLOCK_ELEMENTS // batch)
        m = seg.size
        # Split the bank, not the queries, between threads: it keeps a single query parallel.
        # Boundaries on block multiples so no thread gets a sliver.
        nblocks = -(-m // block)  # ceiling division
        nthreads = max(1, min(self.threads, nblocks))
        step = -(-nblocks // nthreads) * block
        ranges = [(lo, min(m, lo + step)) for lo in range(0, m, step)]
        if len(ranges) == 1:
            return _scan_range(seg.cols, q, t, ranges[0][0], ranges[0][1], batch, block)
        with ThreadPoolExecutor(max_workers=len(ranges)) as pool:
            futures = [
                pool.submit(_scan_range, seg.cols, q, t, lo, hi, batch, block)
                for lo, hi in ranges
            ]
            return [part for fut in futures for part in fut.result()]


def _scan_range(
    cols: U64Array, q: U64Array, t: int, lo: int, hi: int, batch: int, block: int
) -> list[tuple[I64Array, npt.NDArray[np.intp], npt.NDArray[np.int32]]]:
    """Matches of all queries ``q`` among positions lo..hi-1 of one segment's columns."""
    nq = q.shape[0]
    # The filter distance never exceeds 128, so a threshold above that lets everything through;
    # clamping keeps the uint8 comparison meaningful.
    tf = min(t, _FILTER_MAX)
    xbuf = np.empty((batch, block), dtype=np.uint64)
    acc = np.empty((batch, block), dtype=np.uint8)  # <= 128: fits
    tmp = np.empty((batch, block), dtype=np.uint8)
    qcols = [np.ascontiguousarray(q[:, w : w + 1]) for w in range(WORDS)]  # (nq, 1) each
    out: list[tuple[I64Array, npt.NDArray[np.intp], npt.NDArray[np.int32]]] = []
    # Bank block outside, query batches inside: the block's two filter words (block * 16 bytes)
    # stay in cache while every query batch is compared with them.
    for s in range(lo, hi, block):
        e = min(hi, s + block)
        w0 = cols[0, s:e]
        w1 = cols[1, s:e]
        for qs in range(0, nq, batch):
            qe = min(nq, qs + batch)
            x = xbuf[: qe - qs, : e - s]
            a = acc[: qe - qs, : e - s]
            c = tmp[: qe - qs, : e - s]
            np.bitwise_xor(qcols[0][qs:qe], w0, out=x)
            np.bitwise_count(x, out=a)
            np.bitwise_xor(qcols[1][qs:qe], w1, out=x)
            np.bitwise_count(x, out=c)
            np.add(a, c, out=a)
            # min() is a cheap SIMD reduction; almost every block has no survivor at all.
            if int(a.min()) > tf:
                continue
            bq, bpos = np.nonzero(a <= tf)
            qi = bq + qs
            pos = bpos + s
            dist = a[bq, bpos].astype(np.int32)
            for w in range(_FILTER_WORDS, WORDS):
                dist += np.bitwise_count(cols[w, pos] ^ q[qi, w])
            keep = dist <= t
            if keep.any():
                out.append((qi[keep].astype(np.int64), pos[keep], dist[keep]))
    return out


def _compact_ids(ids: npt.NDArray[np.generic]) -> npt.NDArray[np.signedinteger]:
    """Ids as int32 when they fit (half the memory of int64), else int64."""
    if ids.ndim != 1:
        raise ValueError("ids must be 1-d")
    if ids.size == 0:
        return ids.astype(np.int64, copy=False)
    if not np.issubdtype(ids.dtype, np.integer):
        raise ValueError("ids must be integers")
    info = np.iinfo(np.int32)
    if info.min <= int(ids.min()) and int(ids.max()) <= info.max:
        return ids.astype(np.int32, copy=False)  # no copy when the caller has int32
    return ids.astype(np.int64, copy=False)


def brute_force(
    bank: HashesLike, queries: HashesLike, max_distance: int = DEFAULT_MAX_DISTANCE
) -> list[tuple[int, int, int]]:
    """Reference matcher (positions as ids), for tests and benchmarks: full 256-bit distance
    of every (query, hash) pair, no filter, no blocking."""
    b = hashes_to_words(bank)
    out: list[tuple[int, int, int]] = []
    for qi, qw in enumerate(hashes_to_words(queries)):
        d = np.bitwise_count(b ^ qw).sum(axis=1, dtype=np.int64)
        for pos in np.flatnonzero(d <= max_distance).tolist():
            out.append((qi, pos, int(d[pos])))
    return out


def iter_matches(result: SearchResult) -> Iterator[Match]:
    """The rows of a ``SearchResult`` as ``Match`` tuples."""
    for q, i, d in zip(
        result.query.tolist(), result.ids.tolist(), result.distance.tolist(), strict=True
    ):
        yield Match(q, i, d)
