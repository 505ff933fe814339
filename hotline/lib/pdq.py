"""PDQ perceptual image hashes, in numpy.

PDQ is the 256-bit perceptual hash that Meta published for sharing hashes of harmful images
between platforms and hotlines (ThreatExchange, NCMEC, ...). This module is an independent
numpy implementation of the reference algorithm in facebook/ThreatExchange (``pdq/cpp/hashing/
pdqhashing.cpp``, ``pdq/cpp/downscaling`` and ``pdq/python/pdqhashing``; BSD licence,
Copyright (c) Meta Platforms, Inc. and affiliates). The steps are those of the reference:

1. Like the reference Python hasher, shrink the image with Pillow's ``thumbnail((512, 512))``
   (the reference test vectors are only reproduced bit for bit with this step).
2. Luminance ``Y = 0.299 R + 0.587 G + 0.114 B`` in floating point.
3. Two passes of a horizontal and a vertical box filter (Jarosz, "Fast Image Convolutions"),
   each with a window of ``ceil(dimension / 128)``: together a tent filter over one 64th of
   the image.
4. Decimate to 64 x 64 by sampling the centre of each 64th.
5. Quality: the sum of quantised gradients of the 64 x 64 image, scaled to 0..100.
6. The 16 x 16 lowest non-DC coefficients of the 2-D DCT of the 64 x 64 image.
7. One bit per coefficient: 1 where it is greater than the median of the 256.

The 256 bits are written as 64 hex digits in the order of the reference ``Hash256``: bit
``16 i + j`` (DCT row ``i``, column ``j``) is bit ``16 i + j`` of one big-endian 256-bit
number, so hashes from here and from ThreatExchange compare directly.

Decisions that go beyond the reference, which hashes the stored pixels of a file:

* EXIF orientation is applied, so that the hash is that of the picture as people see it. The
  shrink is done on the stored pixels (as the reference does) and the rotation afterwards, on
  the luminance array, so that a file with an orientation tag hashes exactly like the same
  pixels stored upright.
* Alpha is dropped, not composited, as the reference's ``convert("RGB")`` does: hashes shared
  by others were made that way.
* Palette and bilevel images are converted to RGB (palette transparency dropped, as in the
  reference) *before* shrinking, because Pillow would otherwise shrink them with
  nearest-neighbour sampling; 16-bit and 32-bit greyscale images are scaled to 0..255
  instead of being clipped as Pillow's ``convert`` would.
* ``dihedral_hashes`` rotates the pixels rather than the DCT (see there).
* Images smaller than 5 pixels along a side get the all-zero hash and quality 0, as in the
  C++ reference.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
from PIL import Image

FloatArray = npt.NDArray[np.float64]

# Coefficients of the reference ("standard RGB to luminance", ITU-R BT.601).
LUMA_R: Final = 0.299
LUMA_G: Final = 0.587
LUMA_B: Final = 0.114

# The reference Python hasher shrinks every image to fit in this box before hashing.
REFERENCE_THUMBNAIL_BOX: Final = (512, 512)

# The reference C++ hasher refuses to hash images smaller than this along either side.
MIN_HASHABLE_DIMENSION: Final = 5

# Below this quality the hash of an image is mostly noise. ThreatExchange's video matcher
# (vPDQ) ignores frames under 50; the same cut-off serves for photos here.
MIN_USEFUL_QUALITY: Final = 50

HASH_BITS: Final = 256
HASH_HEX_DIGITS: Final = HASH_BITS // 4

# Only formats that Pillow decodes in-process from well-used libraries. This leaves out
# for example EPS, which Pillow renders by running Ghostscript on the file: not something to
# do with bytes sent by strangers. (Multi-picture JPEGs from cameras come in through "JPEG".)
ALLOWED_FORMATS: Final[tuple[str, ...]] = (
    "JPEG", "PNG", "GIF", "WEBP", "AVIF", "BMP", "TIFF", "PPM",
)

_EXIF_ORIENTATION_TAG: Final = 0x0112

_HASH_HEX: Final = re.compile(f"[0-9a-fA-F]{{{HASH_HEX_DIGITS}}}")


class NotAnImage(ValueError):
    """The bytes are not an image this module will decode (or are one too large to decode)."""


@dataclass(frozen=True)
class PDQResult:
    """A PDQ hash as 64 hex digits, with the reference's quality score (0-100)."""

    hash_hex: str
    quality: int

    @property
    def low_quality(self) -> bool:
        """True when the image is too featureless for its hash to be worth matching on."""
        return self.quality < MIN_USEFUL_QUALITY


def _dct_matrix() -> FloatArray:
    # Rows 1..16 of the 64-point DCT-II basis (row 0, the mean, carries no perceptual
    # information and is left out, as in the reference). The scale factor does not change
    # any bit, since bits only compare coefficients with each other, but it keeps the
    # coefficients those of an orthonormal DCT.
    i = np.arange(1, 17, dtype=np.float64)[:, None]
    j = np.arange(64, dtype=np.float64)[None, :]
    return math.sqrt(2.0 / 64.0) * np.cos((math.pi / (2.0 * 64.0)) * i * (2.0 * j + 1.0))


_DCT_16x64: Final = _dct_matrix()


def hamming(a_hex: str, b_hex: str) -> int:
    """Number of differing bits between two PDQ hashes given as 64 hex digits."""
    return (_hash_int(a_hex) ^ _hash_int(b_hex)).bit_count()


def _hash_int(hex_digits: str) -> int:
    # Checked strictly (int() alone would accept spaces, underscores and "0x"), so that a
    # truncated or mangled hash from a feed is an error and not a silently wrong distance.
    if not _HASH_HEX.fullmatch(hex_digits):
        raise ValueError(f"a PDQ hash is {HASH_HEX_DIGITS} hex digits: {hex_digits[:80]!r}")
    return int(hex_digits, 16)


def pdq_hash_bytes(data: bytes) -> PDQResult:
    """PDQ hash of an encoded image, decoded in memory only.

    Raises :class:`NotAnImage` for bytes that are not an image of an allowed format, that
    fail to decode, or whose header announces more pixels than ``Image.MAX_IMAGE_PIXELS``.
    """
    image = _open(data)
    # The image was opened here and belongs to no one else, so it may be shrunk in place,
    # which lets the JPEG decoder skip detail as the reference does on large photos.
    return _result(_dct16(_luma_of(image, owned=True)))


def pdq_hash(image: Image.Image) -> PDQResult:
    """PDQ hash of a Pillow image (the image itself is left unchanged)."""
    return _result(_dct16(_luma_of(image, owned=False)))


def dihedral_hashes(image: Image.Image) -> list[PDQResult]:
    """Hashes of the image and of its 7 rotations and reflections, from one decode.

    The order is that of the reference ``pdqhasher.dihedral``: original, rotated 90 degrees
    counter-clockwise, 180, 270, flipped top to bottom ("flip x"), left to right ("flip y"),
    transposed ("flip plus 1") and transposed about the anti-diagonal ("flip minus 1"). Each
    element equals ``pdq_hash`` of the correspondingly transformed image.

    The reference derives the seven other hashes from the DCT of the original by sign flips
    and a transpose. That is exact only if the downsampling is mirror-symmetric, and after
    the shrink to 512 pixels it is not: the box windows then have an even width, which cannot
    be centred, and the 64 sampling points are not symmetric either. On the reference bridge
    photo the shortcut landed 16 to 18 bits away from the hashes of four of the transformed
    files, so the luminance array is transformed instead and hashed 8 times (it is decoded
    and shrunk once; the filter and DCT of a 512-pixel image take milliseconds).
    """
    luma = _luma_of(image, owned=False)
    variants = [
        luma,
        np.rot90(luma, 1),
        luma[::-1, ::-1],
        np.rot90(luma, -1),
        luma[::-1, :],
        luma[:, ::-1],
        luma.T,
        luma[::-1, ::-1].T,
    ]
    return [_result(_dct16(np.ascontiguousarray(v))) for v in variants]


def _open(data: bytes) -> Image.Image:
    # A Pillow built without one of the formats does not know its name at all; asking for it
    # would be a KeyError rather than a refusal.
    Image.init()
    formats: list[str] = [name for name in ALLOWED_FORMATS if name in Image.OPEN]
    try:
        image = Image.open(io.BytesIO(data), formats=formats)
    except Image.DecompressionBombError as exc:
        raise NotAnImage(f"image too large to decode: {exc}") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise NotAnImage("not an image in a supported format") from exc
    # Pillow only warns between MAX_IMAGE_PIXELS and twice that; the hasher refuses outright,
    # since reports come from anyone and decoding costs memory proportional to the pixels.
    limit = Image.MAX_IMAGE_PIXELS
    if limit is not None and image.width * image.height > limit:
        image.close()
        raise NotAnImage(
            f"image too large to decode: {image.width}x{image.height} pixels (limit {limit})"
        )
    return image


def _luma_of(image: Image.Image, *, owned: bool) -> FloatArray:
    # Pixels are decoded lazily, so decoding errors of a truncated or corrupt file show up
    # here and not when the file is opened.
    try:
        orientation = _orientation(image)
        luma = _luma_upright_as_stored(image, owned=owned)
    except Image.DecompressionBombError as exc:
        raise NotAnImage(f"image too large to decode: {exc}") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise NotAnImage("the image data could not be decoded") from exc
    return _apply_orientation(luma, orientation)


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(_EXIF_ORIENTATION_TAG, 1)
    except Exception:
        # A damaged EXIF block must not make the picture unhashable: its pixels are what
        # matter, so it is hashed as stored.
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _apply_orientation(luma: FloatArray, orientation: int) -> FloatArray:
    # The same transforms as ImageOps.exif_transpose, applied to the luminance array.
    if orientation == 2:
        out = luma[:, ::-1]
    elif orientation == 3:
        out = luma[::-1, ::-1]
    elif orientation == 4:
        out = luma[::-1, :]
    elif orientation == 5:
        out = luma.T
    elif orientation == 6:
        out = np.rot90(luma, -1)
    elif orientation == 7:
        out = luma[::-1, ::-1].T
    elif orientation == 8:
        out = np.rot90(luma, 1)
    else:
        return luma
    return np.ascontiguousarray(out)


def _luma_upright_as_stored(image: Image.Image, *, owned: bool) -> FloatArray:
    mode = image.mode
    if mode.startswith("I") or mode == "F":
        return _luma_of_wide_grey(image)
    if mode in ("P", "1"):
        # Converted before shrinking, because Pillow shrinks palette and bilevel images with
        # nearest-neighbour sampling, which aliases. The reference never sees palette
        # transparency (it converts the palette to RGB), so neither does this: going through
        # RGBA only keeps Pillow from warning about the transparency it drops.
        if "transparency" in image.info:
            image = image.convert("RGBA")
        image = image.convert("RGB")
        owned = True
    elif mode not in ("RGB", "RGBA", "L", "CMYK"):
        # Rarer modes (LA, PA, YCbCr, LAB, ...) join the nearest common one; alpha, if any,
        # is then shrunk and dropped exactly as for RGBA.
        has_alpha = "A" in mode or "a" in mode
        image = image.convert("RGBA" if has_alpha else "RGB")
        owned = True
    image = _reference_thumbnail(image, owned=owned)
    if image.mode == "L":
        return np.asarray(image, dtype=np.float64)
    rgb = np.asarray(image.convert("RGB"), dtype=np.float64)
    return LUMA_R * rgb[:, :, 0] + LUMA_G * rgb[:, :, 1] + LUMA_B * rgb[:, :, 2]


def _reference_thumbnail(image: Image.Image, *, owned: bool) -> Image.Image:
    box_w, box_h = REFERENCE_THUMBNAIL_BOX
    if image.width <= box_w and image.height <= box_h:
        return image
    if not owned:
        # thumbnail() works in place, and the caller's image must stay as it was.
        image = image.copy()
    image.thumbnail(REFERENCE_THUMBNAIL_BOX)
    return image


def _luma_of_wide_grey(image: Image.Image) -> FloatArray:
    # 16-bit PNGs and TIFFs open as "I;16" or "I"; Pillow's own conversion to 8 bits clips
    # at 255 and would turn them white. The full range is scaled to 0..255 instead. For
    # 32-bit "I" and "F" the range is unknown: values above 255 are taken to be 16-bit.
    values = np.asarray(image).astype(np.float64)
    if image.mode.startswith("I;16") or values.max(initial=0.0) > 255.0:
        values = np.clip(values, 0.0, 65535.0) / 257.0
    else:
        values = np.clip(values, 0.0, 255.0)
    if values.shape[0] > REFERENCE_THUMBNAIL_BOX[1] or values.shape[1] > REFERENCE_THUMBNAIL_BOX[0]:
        # Shrunk like the 8-bit images, in 32-bit float so that no precision is lost.
        shrunk = Image.fromarray(values.astype(np.float32), mode="F")
        shrunk.thumbnail(REFERENCE_THUMBNAIL_BOX)
        values = np.asarray(shrunk, dtype=np.float64)
    return values


def _jarosz_window(dimension: int) -> int:
    # Half of one 64th of the side, rounded up: two passes then cover a full 64th.
    return (dimension + 127) // 128


def _box_filter(values: FloatArray, window: int, axis: int) -> FloatArray:
    """Mean over a sliding window along one axis, the window clipped at the borders.

    Output ``k`` averages inputs ``k - left .. k + right``, with ``right = (window + 2) // 2
    - 1`` and ``left = window - 1 - right``, exactly the windows of the reference's running
    sums; cumulative sums give all of them at once.
    """
    if window <= 1:
        return values
    right = (window + 2) // 2 - 1
    left = window - 1 - right
    moved = np.moveaxis(values, axis, -1)
    n = moved.shape[-1]
    sums = np.zeros((*moved.shape[:-1], n + 1), dtype=np.float64)
    np.cumsum(moved, axis=-1, out=sums[..., 1:])
    k = np.arange(n)
    lo = np.maximum(k - left, 0)
    hi = np.minimum(k + right, n - 1) + 1
    means = (sums[..., hi] - sums[..., lo]) / (hi - lo)
    return np.moveaxis(means, -1, axis)


def _downsample_64(luma: FloatArray) -> FloatArray:
    rows, cols = luma.shape
    along_rows = _jarosz_window(cols)
    along_cols = _jarosz_window(rows)
    blurred = luma
    for _ in range(2):
        blurred = _box_filter(blurred, along_rows, axis=1)
        blurred = _box_filter(blurred, along_cols, axis=0)
    # Sample the middle of each of the 64 x 64 cells, truncating like the reference.
    row_index = ((np.arange(64) + 0.5) * rows / 64).astype(np.intp)
    col_index = ((np.arange(64) + 0.5) * cols / 64).astype(np.intp)
    return blurred[np.ix_(row_index, col_index)]


def _quality(block: FloatArray) -> int:
    # Count only significant gradients: each difference is quantised to whole percent of
    # the grey range (truncated toward zero, as the reference's int conversion does).
    vertical = np.trunc((block[:-1, :] - block[1:, :]) * 100.0 / 255.0)
    horizontal = np.trunc((block[:, :-1] - block[:, 1:]) * 100.0 / 255.0)
    gradient_sum = int(np.abs(vertical).sum() + np.abs(horizontal).sum())
    return min(gradient_sum // 90, 100)


def _dct16(luma: FloatArray) -> tuple[FloatArray, int] | None:
    rows, cols = luma.shape
    if rows < MIN_HASHABLE_DIMENSION or cols < MIN_HASHABLE_DIMENSION:
        return None
    block = _downsample_64(luma)
    return _DCT_16x64 @ block @ _DCT_16x64.T, _quality(block)


def _bits_to_hex(coefficients: FloatArray) -> str:
    flat = coefficients.ravel()
    # The reference's median (Torben's algorithm) is the lower median: the 128th smallest.
    median = np.partition(flat, HASH_BITS // 2 - 1)[HASH_BITS // 2 - 1]
    bits = flat > median
    # Bit k of the hash is coefficient k; reversing puts bit 255 first so that packing
    # (most significant bit first) gives the big-endian bytes of the reference hex string.
    return np.packbits(bits[::-1]).tobytes().hex()


def _result(dct: tuple[FloatArray, int] | None) -> PDQResult:
    if dct is None:
        return PDQResult("0" * HASH_HEX_DIGITS, 0)
    coefficients, quality = dct
    return PDQResult(_bits_to_hex(coefficients), quality)
