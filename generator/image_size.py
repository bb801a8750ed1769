"""An image file's width and height in pixels, read from its header.

For the images a site serves itself (``site_images``): a story's image needs its size on
the page (``<img width height>``), so that the browser lays the page out before the image
comes. PNG, JPEG, GIF and WebP say their size in their first bytes; an SVG in its root
element's ``width`` and ``height``, when those are plain numbers (``640``, not ``50%`` or
``20em``: a size the page cannot know). Anything else has no size here (None).

A JPEG's size is as a browser shows it: a photo taken with the phone upright is stored
sideways, its EXIF Orientation (5 to 8) saying to turn it a quarter, and browsers do
(CSS ``image-orientation: from-image``, the default), so its width and height are the
frame's swapped. An EXIF block that is cut short or garbled says no orientation.

A reader of our own rather than Pillow (a 4 MB dependency with C code, which decodes far
more than a header) or ``imagesize`` (one more dependency, for these same 80 lines):
nothing here decodes pixels, and nothing reads more than the header.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

HEAD_BYTES = 1 << 16
"""Bytes read first: every format's size is in them, but a JPEG's whose metadata (EXIF,
an embedded thumbnail, ICC profile) comes before its frame header (then read whole)."""
MAX_BYTES = 1 << 25
"""Most bytes of a JPEG read after the first ``HEAD_BYTES`` to find its frame header
(32 MiB: a JPEG whose header comes later has no size here). Its EXIF orientation is read
from the segments before the frame header, so within the same bytes; only the first
EXIF segment's first directory (IFD0) is looked at, inside that segment (at most 64 KiB,
as a JPEG segment's length is 16 bits)."""
_EXIF = b"Exif\0\0"
"""How an APP1 segment that holds EXIF (a TIFF header and directories) starts."""
_ORIENTATION = 0x0112
"""EXIF's Orientation tag: 1 to 8, 5 to 8 turning the image a quarter."""
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
    """The size in the frame header (height, then width), swapped when an EXIF segment
    before it says the image is shown turned a quarter."""
    at = 2
    turned: bool | None = None  # (None: no EXIF segment seen yet)
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None  # (not a marker where one must be: damaged)
        marker = data[at + 1]
        if marker == 0xFF:  # (a fill byte)
            at += 1
            continue
        if marker in _SOF:
            if at + 9 > len(data):
                return None
            width, height = _big(data, at + 7, 2), _big(data, at + 5, 2)
            return _positive(height, width) if turned else _positive(width, height)
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # (markers without a length)
            at += 2
            continue
        if marker in (0xD9, 0xDA):  # (the end, or the scan before any frame header)
            return None
        length = _big(data, at + 2, 2)
        if marker == 0xE1 and turned is None and data.startswith(_EXIF, at + 4):
            turned = _exif_orientation(data[at + 4 + len(_EXIF):at + 2 + length]) in (5, 6, 7, 8)
        at += 2 + length
    return None


def _exif_orientation(tiff: bytes) -> int | None:
    """The Orientation of an EXIF block (``tiff``: its TIFF header and what follows),
    from its first directory; None when it has none, or is cut short or garbled."""
    order: Literal["little", "big"] | None = \
        "little" if tiff[:2] == b"II" else "big" if tiff[:2] == b"MM" else None
    if order is None or len(tiff) < 8 or int.from_bytes(tiff[2:4], order) != 42:
        return None
    directory = int.from_bytes(tiff[4:8], order)
    count = int.from_bytes(tiff[directory:directory + 2], order)
    for entry in range(directory + 2, directory + 2 + 12 * count, 12):
        if entry + 12 > len(tiff):
            return None
        if int.from_bytes(tiff[entry:entry + 2], order) == _ORIENTATION:
            kind = int.from_bytes(tiff[entry + 2:entry + 4], order)
            value = int.from_bytes(tiff[entry + 8:entry + 10], order)
            return value if kind == 3 and 1 <= value <= 8 else None  # (3: a SHORT)
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
