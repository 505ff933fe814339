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
  the XORs dominate). At 10 M that is on a par with FAISS's multi-index or faster, whose
  41,000 candidates per query are random memory accesses (BENCHMARKS.md).
* Exact for every threshold 0..256: the filter is a lower bound, so it never drops a match, and
  every survivor is verified on all 256 bits, so nothing beyond the threshold is returned. It
  is fastest up to about 45 (5 in 10,000 random hashes survive the filter there); above that
  it stays correct but slows down as survivors grow.
* An index built in the process (constructor, ``add``, ``from_hash_file``) keeps all four
  words in memory: 320 MB at 10 M. Appending is cheap: ``add`` appends a segment (no
  rebuild); small trailing segments are merged so many small adds do not fragment the scan.
  ``save`` writes one ``.npy`` file of the columns (and a second one of ids, only when ids
  are not the default 0..n-1).
* ``load`` is the way to serve a large bank: it maps words 0-1 read-only (instant, shared
  between processes) and reads words 2-3 and explicit ids with ``pread`` for filter
  survivors only, so they stay in the page cache and out of the process: 160 MB resident
  for 10 M hashes instead of 320, which leaves room for a Django worker (~75 MB by itself).
  (Mapping words 2-3 would not save that: the kernel maps whole page-cache folios around
  each sparse read, so a few thousand reads made the whole array resident.)

Ids default to the position of the hash in insertion order (stored implicitly, no memory).
Explicit ids in memory cost 4 bytes per hash when they fit in int32, otherwise 8: at 10 M that
is 40 or 80 MB, which takes an in-memory index past 400 MB; a loaded one reads them from disk.

Bit order: a hash is 32 bytes (``bytes.fromhex`` of its 64 hex digits); word ``w`` is bytes
``8w..8w+7`` read little-endian. Hamming distance does not depend on the bit order as long as
stored hashes and queries use the same one, which every entry point here guarantees.
"""

from __future__ import annotations

import os
import threading
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


class _FileColumn:
    """A 1-d array inside a file, read on demand with ``os.pread`` (thread-safe, no map).

    Used for what only matches need: explicit ids, and words 2-3 of a loaded index (read
    for filter survivors only). Those stay in the page cache instead of this process. A
    memory map would not do: on this kernel a fault maps the whole (large) page-cache folio,
    and 7,000 random reads of an 80 MB mapped array made all of it resident.
    """

    def __init__(self, file: _OpenFile, offset: int, dtype: np.dtype[np.generic], size: int):
        self.file = file
        self.offset = offset
        self.dtype = dtype
        self.size = size

    @classmethod
    def npy(cls, path: Path) -> _FileColumn:
        """A whole 1-d integer ``.npy`` file."""
        with open(path, "rb") as f:
            shape, fortran, dtype = _read_npy_header(f)
            offset = f.tell()
        if fortran or len(shape) != 1 or not np.issubdtype(dtype, np.integer):
            raise ValueError(f"{path}: expected a 1-d integer array")
        return cls(_OpenFile(path), offset, dtype, int(shape[0]))

    def read(self, start: int, count: int) -> npt.NDArray[np.generic]:
        item = self.dtype.itemsize
        raw = os.pread(self.file.fd, count * item, self.offset + start * item)
        if len(raw) != count * item:
            raise ValueError(f"{self.file.path}: truncated")
        return np.frombuffer(raw, dtype=self.dtype)

    def take(self, pos: npt.NDArray[np.intp]) -> npt.NDArray[np.generic]:
        if pos.size == 0:
            return np.zeros(0, dtype=self.dtype)
        lo, hi = int(pos.min()), int(pos.max())
        if pos.size > (hi - lo) // 64:  # dense: one sequential read beats many small ones
            return self.read(lo, hi - lo + 1)[pos - lo]
        item = self.dtype.itemsize
        fd, base = self.file.fd, self.offset
        raw = b"".join(os.pread(fd, item, base + p * item) for p in pos.tolist())
        return np.frombuffer(raw, dtype=self.dtype)


class _OpenFile:
    """A read-only descriptor, kept open so that a later ``save`` replacing the file does not
    change what a loaded index reads; closed when the last reader goes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd = os.open(path, os.O_RDONLY)

    def __del__(self) -> None:
        os.close(self.fd)


@dataclass
class _Segment:
    cols: U64Array  # (4, m), C order: row w is word w of every hash, contiguous
    # None: ids are base .. base+m-1 (no memory); _FileColumn: on disk, read for matches only.
    ids: npt.NDArray[np.signedinteger] | _FileColumn | None
    base: int
    owned: bool  # in memory and ours to grow (not a read-only map)
    # Loaded (mapped) segments: words 2 and 3 read from the file, never through the map.
    cold: tuple[_FileColumn, ...] | None = None

    @property
    def size(self) -> int:
        return int(self.cols.shape[1])

    def ids_at(self, pos: npt.NDArray[np.intp]) -> I64Array:
        if self.ids is None:
            return pos.astype(np.int64) + self.base
        if isinstance(self.ids, _FileColumn):
            return self.ids.take(pos).astype(np.int64)
        return self.ids[pos].astype(np.int64)

    def word_at(self, w: int, pos: npt.NDArray[np.intp]) -> U64Array:
        if self.cold is not None and w >= _FILTER_WORDS:
            return self.cold[w - _FILTER_WORDS].take(pos).astype(np.uint64, copy=False)
        return self.cols[w, pos]

    def word_chunks(self, w: int) -> Iterator[U64Array]:
        """Word ``w`` of every hash, in chunks (cold words read from the file, not the map)."""
        for start in range(0, self.size, _READ_ROWS):
            count = min(_READ_ROWS, self.size - start)
            if self.cold is not None and w >= _FILTER_WORDS:
                yield self.cold[w - _FILTER_WORDS].read(start, count).astype(np.uint64)
            else:
                yield np.ascontiguousarray(self.cols[w, start : start + count])


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
        """Bytes of codes and ids read through memory (in memory or mapped); words and ids
        that a loaded index reads from the file for matches only are not counted."""
        return sum(
            s.cols.nbytes // (1 if s.cold is None else WORDS // _FILTER_WORDS)
            + (s.ids.nbytes if isinstance(s.ids, np.ndarray) else 0)
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
                    for chunk in seg.word_chunks(w):
                        f.write(chunk.data)
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
            (s.ids.dtype.itemsize > 4)
            if s.ids is not None
            else (s.base + s.size - 1 > np.iinfo(np.int32).max)
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

        Mapped, the index loads in no time, and the filter words (0-1) are shared with every
        process mapping the same file; words 2-3 and explicit ids are read from the file for
        filter survivors only, so they stay in the page cache, out of this process. A mapped
        index still accepts ``add`` (new hashes go to an in-memory segment).
        """
        path = Path(path)
        mode: Literal["r"] | None = "r" if mmap else None
        cols = np.load(path, mmap_mode=mode)
        if cols.dtype != _LE_U64 or cols.ndim != 2 or cols.shape[0] != WORDS:
            raise ValueError(f"{path}: not a PDQIndex file (shape {cols.shape}, {cols.dtype})")
        n = int(cols.shape[1])
        # A plain ndarray view of the map (the map stays alive as its base): np.memmap is a
        # Python-level subclass whose every slice runs __array_finalize__.
        cols = cols.view(np.ndarray)
        cold = None
        if mmap and n:
            # Words 2-3 of a match candidate are read with pread, so only words 0-1 (half the
            # file) are ever mapped in: 160 MB resident for 10 M hashes instead of 320.
            with open(path, "rb") as f:
                _read_npy_header(f)
                data_start = f.tell()
            opened = _OpenFile(path)
            cold = tuple(
                _FileColumn(opened, data_start + w * n * 8, _LE_U64, n)
                for w in range(_FILTER_WORDS, WORDS)
            )
        ids_file = cls.ids_path(path)
        ids: npt.NDArray[np.signedinteger] | _FileColumn | None = None
        if ids_file.exists():
            ids = _FileColumn.npy(ids_file) if mmap else np.load(ids_file)
            if ids.size != n:
                raise ValueError(f"{ids_file}: {ids.size} ids for {n} hashes")
        index = cls(threads=threads)
        if n:
            index._segments.append(_Segment(cols, ids, 0, owned=not mmap, cold=cold))
            index._size = n
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
        # The calling thread takes the first range itself; the others go to the shared pool.
        futures = [
            _executor(len(ranges) - 1).submit(_scan_range, seg, q, t, lo, hi, batch, block)
            for lo, hi in ranges[1:]
        ]
        out = _scan_range(seg, q, t, ranges[0][0], ranges[0][1], batch, block)
        return out + [part for fut in futures for part in fut.result()]


# Threads and buffers live as long as the process, not one call: a pool (and fresh 2.5 MB
# buffers) per call left glibc's per-thread arenas holding freed buffers, and 200 single
# queries on a 10 M bank grew the resident set by 6 MB. Now the overhead is fixed: one set
# of buffers per thread that ever scans.
_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_pool_lock = threading.Lock()
_local = threading.local()


def _executor(workers: int) -> ThreadPoolExecutor:
    global _pool, _pool_size
    with _pool_lock:
        if _pool is None or _pool_size < workers:
            old = _pool
            _pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pdqindex")
            _pool_size = workers
            if old is not None:
                old.shutdown(wait=False)  # lets its running tasks finish
        return _pool


def _buffers(
    elements: int,
) -> tuple[U64Array, npt.NDArray[np.uint8], npt.NDArray[np.uint8]]:
    """This thread's scan buffers (XOR, filter distance, one word's count), >= elements."""
    bufs = getattr(_local, "bufs", None)
    if bufs is None or bufs[0].size < elements:
        size = max(elements, _BLOCK_ELEMENTS)
        bufs = (
            np.empty(size, dtype=np.uint64),
            np.empty(size, dtype=np.uint8),
            np.empty(size, dtype=np.uint8),
        )
        _local.bufs = bufs
    return bufs


def _scan_range(
    seg: _Segment, q: U64Array, t: int, lo: int, hi: int, batch: int, block: int
) -> list[tuple[I64Array, npt.NDArray[np.intp], npt.NDArray[np.int32]]]:
    """Matches of all queries ``q`` among positions lo..hi-1 of one segment."""
    cols = seg.cols
    nq = q.shape[0]
    # The filter distance never exceeds 128, so a threshold above that lets everything through;
    # clamping keeps the uint8 comparison meaningful.
    tf = min(t, _FILTER_MAX)
    flat_x, flat_a, flat_c = _buffers(batch * block)
    xbuf = flat_x[: batch * block].reshape(batch, block)
    acc = flat_a[: batch * block].reshape(batch, block)  # filter distance <= 128: fits
    tmp = flat_c[: batch * block].reshape(batch, block)
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
            # Row minima are a cheap SIMD reduction (5 us here), and almost every row has no
            # survivor; np.nonzero over the whole 2-d block would cost 450 us each time a
            # single query in the batch has a match, which is most blocks of a small bank.
            for r in np.flatnonzero(a.min(axis=1) <= tf).tolist():
                bpos = np.flatnonzero(a[r] <= tf)
                pos = bpos + s
                dist = a[r, bpos].astype(np.int32)
                qr = q[qs + r]
                for w in range(_FILTER_WORDS, WORDS):
                    dist += np.bitwise_count(seg.word_at(w, pos) ^ qr[w])
                keep = dist <= t
                if keep.any():
                    qi = np.full(int(keep.sum()), qs + r, dtype=np.int64)
                    out.append((qi, pos[keep], dist[keep]))
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
