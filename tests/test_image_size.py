"""The image size reader: real tiny images of each format (CPython's own test images,
16x16, and a PNG made here), with their sizes patched to tell width from height."""

from __future__ import annotations

import struct
import zlib
from base64 import b64decode
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
