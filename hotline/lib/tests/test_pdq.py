"""Tests of the PDQ hasher against the reference vectors of facebook/ThreatExchange."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import struct
import time
import zlib
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from hotline.lib.pdq import (
    HASH_HEX_DIGITS,
    NotAnImage,
    PDQResult,
    dihedral_hashes,
    hamming,
    pdq_hash,
    pdq_hash_bytes,
)

# The shared test data is checked out next to the repository (in CI as here), so it is found
# from the repository root (hotline/lib/tests/test_pdq.py is three levels below it), or where
# HOTLINE_TESTDATA says. A clone elsewhere skips these tests and says why; CI never skips them.
REPO_ROOT = Path(__file__).resolve().parents[3]
DATA_DIR = Path(os.environ.get("HOTLINE_TESTDATA")
                or REPO_ROOT.parent / "shared" / "testdata") / "pdq"
if not DATA_DIR.is_dir():
    if os.environ.get("CI"):
        raise FileNotFoundError(f"PDQ reference data missing: {DATA_DIR}")
    pytest.skip(f"PDQ reference data not found at {DATA_DIR} (set HOTLINE_TESTDATA)",
                allow_module_level=True)
EXPECTED: dict[str, str] = json.loads((DATA_DIR / "expected.json").read_text())

# The PDQ authors call an implementation compatible when it is within 10 bits of the
# reference on their test images.
REFERENCE_TOLERANCE = 10

ORIGINAL = "dih-bridge-1-original.jpg"
# In the order of dihedral_hashes(): the file that holds each transform of the original.
DIHEDRAL_FILES = [
    "dih-bridge-1-original.jpg",
    "dih-bridge-2-rotate-90.jpg",
    "dih-bridge-3-rotate-180.jpg",
    "dih-bridge-4-rotate-270.jpg",
    "dih-bridge-5-flipx.jpg",
    "dih-bridge-6-flipy.jpg",
    "dih-bridge-7-flip-plus-1.jpg",
    "dih-bridge-8-flip-minus-1.jpg",
]
# The same transforms in Pillow's terms, to make them from pixels.
DIHEDRAL_TRANSPOSES: list[Image.Transpose | None] = [
    None,
    Image.Transpose.ROTATE_90,
    Image.Transpose.ROTATE_180,
    Image.Transpose.ROTATE_270,
    Image.Transpose.FLIP_TOP_BOTTOM,
    Image.Transpose.FLIP_LEFT_RIGHT,
    Image.Transpose.TRANSPOSE,
    Image.Transpose.TRANSVERSE,
]


@cache
def _data(name: str) -> bytes:
    return (DATA_DIR / name).read_bytes()


def _open(name: str) -> Image.Image:
    image = Image.open(io.BytesIO(_data(name)))
    image.load()
    return image


def _encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


@cache
def _photo() -> Image.Image:
    # A real photograph at a size that still goes through the reference's shrink to 512
    # pixels, but encodes quickly in the tests below.
    return _open(ORIGINAL).resize((800, 502), Image.Resampling.LANCZOS)


# -- Reference vectors --------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_reference_vectors(name: str) -> None:
    result = pdq_hash_bytes(_data(name))
    distance = hamming(result.hash_hex, EXPECTED[name])
    print(f"{name}: distance {distance}, quality {result.quality}")
    assert distance <= REFERENCE_TOLERANCE, f"{name}: {distance} bits from the reference"


def test_reference_vectors_from_open_images() -> None:
    # pdq_hash() on an image the caller opened gives the same hash as pdq_hash_bytes().
    for name in EXPECTED:
        assert pdq_hash(Image.open(DATA_DIR / name)) == pdq_hash_bytes(_data(name)), name


def test_high_quality_reference_vectors_are_exact() -> None:
    # Every image the reference rates as good quality hashes bit for bit as in the reference:
    # the only differences allowed are on featureless images, where a different JPEG decoder
    # moves coefficients around the median.
    for name, expected in EXPECTED.items():
        result = pdq_hash_bytes(_data(name))
        if result.quality >= 80:
            assert result.hash_hex == expected, name


# -- Dihedral transforms ------------------------------------------------------------------


def test_dihedral_hashes_match_the_transformed_files() -> None:
    results = dihedral_hashes(_open(ORIGINAL))
    assert len(results) == 8
    assert results[0] == pdq_hash(_open(ORIGINAL))
    for result, name in zip(results, DIHEDRAL_FILES, strict=True):
        distance = hamming(result.hash_hex, EXPECTED[name])
        print(f"dihedral {name}: distance {distance}")
        assert distance <= REFERENCE_TOLERANCE, f"{name}: {distance} bits from the reference"
        # The eight transforms are far apart from each other: matching must not mix them up.
        for other in DIHEDRAL_FILES:
            if other != name:
                assert hamming(result.hash_hex, EXPECTED[other]) > 64


def test_dihedral_hashes_equal_hashes_of_transposed_pixels() -> None:
    image = _open(ORIGINAL)
    for result, transpose in zip(dihedral_hashes(image), DIHEDRAL_TRANSPOSES, strict=True):
        transformed = image if transpose is None else image.transpose(transpose)
        assert hamming(result.hash_hex, pdq_hash(transformed).hash_hex) <= 2, transpose


def test_each_dihedral_file_hashes_like_the_reference() -> None:
    for name in DIHEDRAL_FILES:
        assert hamming(pdq_hash_bytes(_data(name)).hash_hex, EXPECTED[name]) <= 2, name


# -- Quality ------------------------------------------------------------------------------


def test_single_colour_image_has_no_quality() -> None:
    result = pdq_hash(Image.new("RGB", (64, 64), (90, 140, 200)))
    assert result.quality < 50
    assert result.quality == 0
    assert result.low_quality


def test_tiny_image_has_no_quality_and_a_null_hash() -> None:
    # Below 5 pixels a side the C++ reference gives up: all-zero hash, quality 0.
    tiny = Image.fromarray(np.arange(16, dtype=np.uint8).reshape(4, 4) * 16)
    result = pdq_hash(tiny)
    assert result == PDQResult("0" * HASH_HEX_DIGITS, 0)
    assert result.low_quality
    assert all(r == result for r in dihedral_hashes(tiny))


def test_featureless_reference_images_are_flagged() -> None:
    for name in ("misc-images-small.jpg", "labelme-subset-q0003.jpg"):
        result = pdq_hash_bytes(_data(name))
        assert result.quality < 50, name
        assert result.low_quality, name


def test_photographs_are_not_flagged() -> None:
    for name in (ORIGINAL, "misc-images-c.png", "labelme-subset-q1050.jpg"):
        result = pdq_hash_bytes(_data(name))
        assert result.quality == 100, name
        assert not result.low_quality, name


# -- Image modes --------------------------------------------------------------------------


def _sixteen_bit(image: Image.Image) -> Image.Image:
    grey = np.asarray(image.convert("L"), dtype=np.uint16) * 257
    sixteen = Image.fromarray(grey)
    assert sixteen.mode == "I;16"
    return sixteen


@pytest.mark.parametrize(
    "mode",
    ["P", "P-transparent", "RGBA", "LA", "L", "I;16", "I", "F", "CMYK", "1", "YCbCr"],
)
def test_modes_hash_like_rgb(mode: str) -> None:
    photo = _open(ORIGINAL)
    rgb = pdq_hash(photo)
    if mode == "P":
        converted = photo.quantize(256)
    elif mode == "P-transparent":
        converted = photo.quantize(255)
        converted.info["transparency"] = 255
    elif mode == "I;16":
        converted = _sixteen_bit(photo)
    elif mode == "I":
        converted = Image.fromarray(np.asarray(_sixteen_bit(photo), dtype=np.int32))
        assert converted.mode == "I"
    else:
        converted = photo.convert(mode)
    distance = hamming(pdq_hash(converted).hash_hex, rgb.hash_hex)
    print(f"{mode}: distance {distance}")
    # Palette quantisation and dithering change the pixels a little; the rest only the
    # rounding of luminance.
    assert distance <= 8, f"{mode}: {distance} bits from RGB"


@pytest.mark.parametrize(
    ("label", "mode", "fmt", "params"),
    [
        ("palette PNG", "P", "PNG", {}),
        ("RGBA PNG", "RGBA", "PNG", {}),
        ("16-bit PNG", "I;16", "PNG", {}),
        ("16-bit TIFF", "I;16", "TIFF", {}),
        ("CMYK JPEG", "CMYK", "JPEG", {"quality": 95}),
        ("CMYK TIFF", "CMYK", "TIFF", {}),
        ("greyscale JPEG", "L", "JPEG", {"quality": 95}),
        ("GIF", "P", "GIF", {}),
        ("WebP", "RGB", "WEBP", {"quality": 95}),
    ],
)
def test_encoded_modes_hash_like_rgb(label: str, mode: str, fmt: str, params: dict) -> None:
    photo = _photo()
    if mode == "P":
        source = photo.quantize(256)
    elif mode == "I;16":
        source = _sixteen_bit(photo)
    else:
        source = photo.convert(mode)
    data = _encode(source, fmt, **params)
    assert Image.open(io.BytesIO(data)).mode == mode
    distance = hamming(pdq_hash_bytes(data).hash_hex, pdq_hash(photo).hash_hex)
    print(f"{label}: distance {distance}")
    assert distance <= 8, f"{label}: {distance} bits from RGB"


def test_pdq_hash_leaves_the_image_alone() -> None:
    image = _open(ORIGINAL)
    before = np.asarray(image).copy()
    pdq_hash(image)
    dihedral_hashes(image)
    assert image.size == (1600, 1004)
    assert image.mode == "RGB"
    assert np.array_equal(np.asarray(image), before)


# -- EXIF orientation ---------------------------------------------------------------------


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_applied(orientation: int) -> None:
    upright = _photo()
    # Store pixels that only look like the photo once the orientation tag is applied.
    stored_for = {
        1: None,
        2: Image.Transpose.FLIP_LEFT_RIGHT,
        3: Image.Transpose.ROTATE_180,
        4: Image.Transpose.FLIP_TOP_BOTTOM,
        5: Image.Transpose.TRANSPOSE,
        6: Image.Transpose.ROTATE_90,
        7: Image.Transpose.TRANSVERSE,
        8: Image.Transpose.ROTATE_270,
    }[orientation]
    stored = upright if stored_for is None else upright.transpose(stored_for)
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = _encode(stored, "JPEG", quality=95, exif=exif)

    shown = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
    assert shown.size == upright.size
    result = pdq_hash_bytes(data)
    # Exactly the hash of the pixels as shown (up to the order of shrinking and rotating)...
    assert hamming(result.hash_hex, pdq_hash(shown).hash_hex) <= 2
    # ...and so close to the upright photo, the JPEG round trip aside.
    assert hamming(result.hash_hex, pdq_hash(upright).hash_hex) <= REFERENCE_TOLERANCE
    if orientation != 1:
        # Sanity check of the test: the stored pixels themselves hash far away.
        assert hamming(pdq_hash(stored).hash_hex, result.hash_hex) > 64


# -- Refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello, world",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
        b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n",
        bytes(range(256)) * 8,
    ],
)
def test_non_images_are_refused(data: bytes) -> None:
    with pytest.raises(NotAnImage):
        pdq_hash_bytes(data)


def test_truncated_image_is_refused() -> None:
    data = _data(ORIGINAL)
    with pytest.raises(NotAnImage):
        pdq_hash_bytes(data[: len(data) // 3])


def test_not_an_image_is_a_value_error() -> None:
    assert issubclass(NotAnImage, ValueError)


def _png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + checksum

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def test_decompression_bomb_is_refused() -> None:
    # A few dozen bytes that announce 10 gigapixels.
    with pytest.raises(NotAnImage, match="too large"):
        pdq_hash_bytes(_png_header(100_000, 100_000))


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_images_over_the_pixel_limit_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _encode(Image.new("RGB", (40, 40), "white"), "PNG")
    # Between the limit and twice the limit Pillow only warns: the hasher still refuses.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(NotAnImage, match="too large"):
        pdq_hash_bytes(data)
    # Above twice the limit Pillow itself refuses.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 500)
    with pytest.raises(NotAnImage, match="too large"):
        pdq_hash_bytes(data)


# -- Results and distances ----------------------------------------------------------------


def test_result_is_frozen_and_well_formed() -> None:
    result = pdq_hash_bytes(_data(ORIGINAL))
    assert len(result.hash_hex) == HASH_HEX_DIGITS
    assert set(result.hash_hex) <= set("0123456789abcdef")
    assert 0 <= result.quality <= 100
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.quality = 1  # type: ignore[misc]


def test_hamming() -> None:
    zero = "0" * 64
    assert hamming(zero, zero) == 0
    assert hamming(zero, "f" * 64) == 256
    assert hamming(zero, "0" * 63 + "1") == 1
    assert hamming("8" + "0" * 63, zero) == 1
    assert hamming("A" * 64, "a" * 64) == 0
    a, b = EXPECTED[ORIGINAL], EXPECTED["dih-bridge-5-flipx.jpg"]
    assert hamming(a, b) == hamming(b, a)


@pytest.mark.parametrize(
    "bad", ["", "0" * 63, "0" * 65, "g" * 64, " " + "0" * 63, "0x" + "0" * 62, "0_" + "0" * 62]
)
def test_hamming_rejects_malformed_hashes(bad: str) -> None:
    with pytest.raises(ValueError):
        hamming(bad, "0" * 64)


# -- Speed --------------------------------------------------------------------------------


def test_megapixel_photo_hashes_quickly() -> None:
    data = _data(ORIGINAL)  # 1.6 megapixels
    pdq_hash_bytes(data)
    start = time.perf_counter()
    pdq_hash_bytes(data)
    elapsed = time.perf_counter() - start
    print(f"1.6 MP JPEG hashed in {elapsed * 1000:.0f} ms")
    assert elapsed < 1.0
