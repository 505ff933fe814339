"""Benign synthetic pictures for tests: smoothed coloured noise (high PDQ quality, nothing
depicted)."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageFilter


def synthetic_image(seed: int = 7, fmt: str = "PNG") -> bytes:
    rng = np.random.default_rng(seed)
    image = Image.fromarray(rng.integers(0, 255, (96, 96, 3), dtype=np.uint8))
    image = image.resize((384, 384)).filter(ImageFilter.GaussianBlur(2))
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()
