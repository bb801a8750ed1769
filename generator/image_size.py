"""An image file's width and height in pixels, read from its header.

For the images a site serves itself (``site_images``): a story's image needs its size on
the page (``<img width height>``), so that the browser lays the page out before the image
comes. PNG, JPEG, GIF and WebP say their size in their first bytes; an SVG in its root
element's ``width`` and ``height``, when those are plain numbers (``640``, not ``50%`` or
``20em``: a size the page cannot know). Anything else has no size here (None).

A reader of our own rather than Pillow (a 4 MB dependency with C code, which decodes far
more than a header) or ``imagesize`` (one more dependency, for these same 80 lines):
nothing here decodes pixels, and nothing reads more than the header.
"""

from __future__ import annotations

import re
from pathlib import Path

HEAD_BYTES = 1 << 16
"""Bytes read first: every format's size is in them, but a JPEG's whose metadata (EXIF,
an embedded thumbnail, ICC profile) comes before its frame header (then read whole)."""
MAX_BYTES = 1 << 25
"""Most bytes of a JPEG read to find its frame header."""
_SOF = frozenset((0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE,
                  0xCF))
"""JPEG's start-of-frame markers (baseline, progressive, lossless...): they hold the size."""
_SVG_ROOT = re.compile(rb"<svg\b([^>]*)>", re.IGNORECASE)
_SVG_NUMBER = rb"""\s*=\s*["']\s*(\d+(?:\.\d+)?)\s*["']"""


def read_image_size(path: Path) -> tuple[int, int] | None:
    """The (width, height) of the image file at ``path``, or None when it is not one of
    the formats read here, has no size that is a number, or cannot be read."""
    try:
        with open(path, "rb") as file:
            head = file.read(HEAD_BYTES)
            size = image_size(head)
            if size is None and head.startswith(b"\xff\xd8") and len(head) == HEAD_BYTES:
                size = image_size(head + file.read(MAX_BYTES))
    except OSError:
        return None
    return size


def image_size(data: bytes) -> tuple[int, int] | None:
    """The (width, height) that the image whose first bytes are ``data`` says it has."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR" and len(data) >= 24:
        return _positive(_big(data, 16, 4), _big(data, 20, 4))
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return _positive(_little(data, 6, 2), _little(data, 8, 2))
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_size(data)
    found = _SVG_ROOT.search(data[:HEAD_BYTES])
    if found is not None:
        width = re.search(rb"(?:^|\s)width" + _SVG_NUMBER, found[1])
        height = re.search(rb"(?:^|\s)height" + _SVG_NUMBER, found[1])
        if width is not None and height is not None:
            return _positive(round(float(width[1])), round(float(height[1])))
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None  # (not a marker where one must be: damaged)
        marker = data[at + 1]
        if marker == 0xFF:  # (a fill byte)
            at += 1
            continue
        if marker in _SOF:
            return _positive(_big(data, at + 7, 2), _big(data, at + 5, 2)) \
                if at + 9 <= len(data) else None
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # (markers without a length)
            at += 2
            continue
        if marker in (0xD9, 0xDA):  # (the end, or the scan before any frame header)
            return None
        at += 2 + _big(data, at + 2, 2)
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        return _positive(_little(data, 26, 2) & 0x3FFF, _little(data, 28, 2) & 0x3FFF)
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = _little(data, 21, 4)
        return _positive((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if chunk == b"VP8X" and len(data) >= 30:
        return _positive(_little(data, 24, 3) + 1, _little(data, 27, 3) + 1)
    return None


def _big(data: bytes, at: int, count: int) -> int:
    return int.from_bytes(data[at:at + count], "big")


def _little(data: bytes, at: int, count: int) -> int:
    return int.from_bytes(data[at:at + count], "little")


def _positive(width: int, height: int) -> tuple[int, int] | None:
    return (width, height) if width > 0 and height > 0 else None
