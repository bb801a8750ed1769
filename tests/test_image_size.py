"""The image size reader: real tiny images of each format (CPython's own test images,
16x16, and a PNG made here), with their sizes patched to tell width from height."""

from __future__ import annotations

import struct
import zlib
from base64 import b64decode
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.image_size import HEAD_BYTES, image_size, read_image_size

JPEG = b64decode(
    "/9j/4AAQSkZJRgABAQEAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsO"
    "CwkJDRENDg8QEBEQCgwSExIQEw8QEBD/2wBDAQMDAwQDBAgEBAgQCwkLEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ"
    "EBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBD/wAARCAAQABADASIAAhEBAxEB/8QAFgABAQEAAAAAAAAAAAAAAAAA"
    "BwQF/8QAJBAAAQQBBAICAwAAAAAAAAAAAQIDBAYFBwgSExEiABQJMTL/xAAVAQEBAAAAAAAAAAAAAAAAAAAABv/E"
    "ACMRAAECBQMFAAAAAAAAAAAAAAECEQMEBQYhABIxFRZhgeH/2gAMAwEAAhEDEQA/ABSm0mobc8HmExLUlRzzEWPk"
    "JWW+ulrsaUVAseUgslSlH9LKuPryIKuWPZdskzXmm3fX5m2nF4GlVxx/HOpx4ks51+MiU/Iaad7UcUo4tILoS4kq"
    "cWkezS0hO/HvuRp0rO6hWnWO1UisZVuFi4GFeyEpmGepa5S5SWVPuciFKRFLgSrwetnyPIB+Vb4N9mKhQMzo5po9"
    "XLdDs9d6ZVix2VEhiL9kuNPxw2gEKcDQ/rs8AuA8VAe0vdl7VOYn+27flGAUgmITjbhSmCg3BYlyeWDkMolvw4KO"
    "p1KM6iCNvngZHwetf//Z")

GIF = b64decode(
    "R0lGODlhEAAQAPU/AOu7GOu+IfPBGvrHGf3LG//MHOvCKv/PI//PJP/QJf/TLevFNOjHPf/TMP/UMP3VNvrTOf/X"
    "OfnVPv/YOuzORf/aQf/bRP/eS//fTv/iVf/jWP/nYvLhbvXjb/3pav/rbDJghzZmkDZnkTZpkzdoljdqljlsljpv"
    "mzpwnDtwnDxxnj1zoj50oj92pUB4pkJ7qkN8q0N9rUV/r0aAsUeBskiDtEiFtkqGukyJvEyKvEyKv0+NwVCPw1KR"
    "xv///wAAACH/C0ltYWdlTWFnaWNrB2dhbW1hPTAAIfkEBQAAPwAsAAAAABAAEAAABpvAn/C3u81iLRVpyBTmfLMX"
    "C1VqMm1RVqo0sv50thjLFDKVqszeDleTuVSn0fmXuUh+PB1N9oKP/iA/FxUPXzY0UipnIoEUhAo/hzAuXU0VEQoH"
    "P0cuIj8cHhsZGBUTCggEPzFSPx0fGxoYFhENCAUCQispP6+xpacFBVawGAwLBgEAAF6xsw0Jwl4/shEOCT6p0j8Q"
    "zwUD2uBDQQA7")

WEBP = b64decode(
    "UklGRqgBAABXRUJQVlA4WAoAAAAQAAAADwAADwAAQUxQSMMAAAABJ6KokSTleucYX+ffKpmImP90cY3gJjDi4Yt3"
    "MsjBEVyDKzDosHgVjnhRNcEIDAJPkqBqsFUZHNa2bUYvTsZ2PLbtd/uvKa4hov9J0f2PkPe6REkkGzolkTTzFG0O"
    "x9PlFiD0CxS+kOGDtxoynjaCfx0pfk52CPuInrOR75lzRugygtv4zEiy90UwfSD9NheMITJWLaXWayO8XeOlWRXV"
    "nIGk2W6WdYoYMQ+KqixQNPowgt+6a1BSKbUtz+lUFAoBAAAAVlA4IL4AAACQAgCdASoQABAAAwA0JbACdDBPCIUM"
    "fAMdCCz96AD+/XSg/QKbH4r3Q3ycN/bSDK/T/zVo4u6nvclvG/SqxWOuup+XhN9BojvaW+Tv+MvxvX/hr/o/5Qns"
    "9LtmX/+qKdl/yWznhuasl7nkxvSTI4xf3Y85VSB/lU/8Ofj/b9JrA+ifvIOYZm2x1RP/dhfmsf5diuSfR7+z+r/+"
    "HR3zEo/+XM/B+vkYw73Pzx+ROaAB/ZoBSzEs3rzZe6qsAAAA")


def png(width: int, height: int) -> bytes:
    """A whole, valid PNG of ``width`` x ``height`` red pixels."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def test_each_format_says_its_size() -> None:
    assert image_size(png(40, 30)) == (40, 30)
    assert image_size(JPEG) == (16, 16)
    assert image_size(GIF) == (16, 16)
    assert image_size(WEBP) == (16, 16)  # (VP8X: the extended format, with alpha)


def test_width_and_height_are_not_swapped() -> None:
    sof = b"\xff\xc0\x00\x11\x08\x00\x10\x00\x10"  # (the frame header: height, then width)
    assert sof in JPEG
    assert image_size(JPEG.replace(sof, b"\xff\xc0\x00\x11\x08\x00\x02\x00\x03")) == (3, 2)
    assert image_size(GIF[:6] + struct.pack("<HH", 3, 2) + GIF[10:]) == (3, 2)
    assert image_size(WEBP[:24] + (2).to_bytes(3, "little") + (1).to_bytes(3, "little")
                      + WEBP[30:]) == (3, 2)


def test_a_jpeg_whose_metadata_comes_first_is_read_past_it(tmp_path: Path) -> None:
    """EXIF, a thumbnail or an ICC profile before the frame header: past the first
    ``HEAD_BYTES``, the file is read on."""
    app1 = b"\xff\xe1" + struct.pack(">H", 65_000) + b"\0" * 64_998
    big = JPEG[:2] + app1 + app1 + JPEG[2:]
    assert len(big) > HEAD_BYTES
    path = tmp_path / "big.jpg"
    path.write_bytes(big)
    assert read_image_size(path) == (16, 16)


def test_webp_lossy_and_lossless_headers() -> None:
    riff = b"RIFF\0\0\0\0WEBP"
    lossy = riff + b"VP8 \0\0\0\0" + b"\x30\x01\x00" + b"\x9d\x01\x2a" + struct.pack("<HH", 3, 2)
    assert image_size(lossy) == (3, 2)
    bits = (3 - 1) | ((2 - 1) << 14)
    lossless = riff + b"VP8L\0\0\0\0" + b"\x2f" + struct.pack("<I", bits)
    assert image_size(lossless) == (3, 2)


@pytest.mark.parametrize(("text", "size"), [
    (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="640" '
     b'height="480" viewBox="0 0 64 48"></svg>', (640, 480)),
    (b"<svg height='20.4' width='10'/>", (10, 20)),
    (b'<svg width="100%" height="480"></svg>', None),  # (a size the page cannot know)
    (b'<svg width="20em" height="10em"></svg>', None),
    (b'<svg viewBox="0 0 64 48"></svg>', None),
    (b'<svg stroke-width="2" height="4"></svg>', None),
])
def test_an_svg_says_its_size_in_plain_numbers_only(text: bytes,
                                                    size: tuple[int, int] | None) -> None:
    assert image_size(text) == size


@pytest.mark.parametrize("data", [
    b"", b"BM\x00\x00", b"not an image", png(0, 3), JPEG[:40], b"\xff\xd8\xff\xda\x00\x02",
    b"RIFF\0\0\0\0WEBPVP8 ",
])
def test_what_says_no_size_has_none(data: bytes) -> None:
    assert image_size(data) is None


def test_a_file_that_cannot_be_read_has_no_size(tmp_path: Path) -> None:
    assert read_image_size(tmp_path / "none.png") is None
    (tmp_path / "x.png").write_bytes(png(2, 1))
    assert read_image_size(tmp_path / "x.png") == (2, 1)


SOF_3X2 = b"\xff\xc0\x00\x11\x08\x00\x02\x00\x03"
"""The 16x16 JPEG's frame header made 3 wide and 2 high."""


def exif_segment(order: str, orientation: int, *, kind: int = 3,
                 entries: int | None = None, cut: int | None = None) -> bytes:
    """An APP1 EXIF segment in byte order ``order`` ('<' or '>'): a TIFF header, then IFD0
    with a camera make and the Orientation tag (of type ``kind``). ``entries``: the count
    IFD0 says (its own by default); ``cut``: the EXIF block cut to that many bytes (the
    segment's length saying so)."""
    tiff = (b"II" if order == "<" else b"MM") + struct.pack(order + "HI", 42, 8)
    fields = [struct.pack(order + "HHI", 0x010F, 2, 4) + b"Cam\0",
              struct.pack(order + "HHI", 0x0112, kind, 1)
              + struct.pack(order + "HH", orientation, 0)]
    ifd = (struct.pack(order + "H", len(fields) if entries is None else entries)
           + b"".join(fields) + struct.pack(order + "I", 0))
    block = (b"Exif\0\0" + tiff + ifd)[:cut]
    return b"\xff\xe1" + struct.pack(">H", len(block) + 2) + block


def exif_jpeg(segment: bytes) -> bytes:
    """The 3x2 JPEG with ``segment`` right after its start (before its JFIF segment)."""
    return JPEG[:2] + segment + JPEG[2:].replace(b"\xff\xc0\x00\x11\x08\x00\x10\x00\x10",
                                                 SOF_3X2)


@pytest.mark.parametrize("order", ["<", ">"])
@pytest.mark.parametrize(("orientation", "size"), [
    (1, (3, 2)), (3, (3, 2)),  # (upright; upside down)
    (5, (2, 3)), (6, (2, 3)), (7, (2, 3)), (8, (2, 3)),  # (turned a quarter: swapped)
])
def test_a_jpeg_turned_a_quarter_by_its_exif_orientation_has_its_size_swapped(
        order: str, orientation: int, size: tuple[int, int]) -> None:
    """As a browser shows it (CSS ``image-orientation: from-image``, the default): a phone
    photo taken upright is stored sideways with Orientation 6 or 8."""
    assert image_size(exif_jpeg(exif_segment(order, orientation))) == size


@pytest.mark.parametrize("order", ["<", ">"])
@pytest.mark.parametrize("segment", [
    pytest.param(lambda order: exif_segment(order, 6, cut=30), id="cut in the orientation"),
    pytest.param(lambda order: exif_segment(order, 6, cut=12), id="cut in the TIFF header"),
    pytest.param(lambda order: exif_segment(order, 6, cut=6), id="no TIFF header"),
    pytest.param(lambda order: exif_segment(order, 6, entries=9, cut=30),
                 id="more entries said than there are"),
    pytest.param(lambda order: exif_segment(order, 6).replace(b"*", b"+", 1),
                 id="not TIFF's 42"),
    pytest.param(lambda order: exif_segment(order, 6).replace(b"II" if order == "<" else b"MM",
                                                             b"XX", 1), id="no byte order"),
    pytest.param(lambda order: exif_segment(order, 6, kind=4), id="not a SHORT"),
    pytest.param(lambda order: exif_segment(order, 9), id="no orientation 9"),
    pytest.param(lambda order: exif_segment(order, 6, entries=0), id="no entries"),
    pytest.param(lambda order: exif_segment(order, 6).replace(
        struct.pack(order + "I", 8), struct.pack(order + "I", 60_000), 1),
        id="IFD0 past the end"),
])
def test_a_cut_or_garbled_exif_block_says_no_orientation(
        order: str, segment: Callable[[str], bytes]) -> None:
    assert image_size(exif_jpeg(segment(order))) == (3, 2)


def test_only_the_first_exif_segment_is_read_and_its_orientation_past_the_head(
        tmp_path: Path) -> None:
    """The orientation comes with the frame header from the same bounded read (past
    ``HEAD_BYTES``, the file is read on); a second EXIF segment is not looked at."""
    padding = b"\xff\xe2" + struct.pack(">H", 65_000) + b"\0" * 64_998
    path = tmp_path / "turned.jpg"
    path.write_bytes(exif_jpeg(exif_segment("<", 6) + padding + exif_segment(">", 1)))
    assert path.stat().st_size > HEAD_BYTES
    assert read_image_size(path) == (2, 3)
    assert image_size(exif_jpeg(exif_segment(">", 1) + exif_segment("<", 8))) == (3, 2)
