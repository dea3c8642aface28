"""Tiny PNG files written byte by byte, for the folder dataset's tests: a real grey image, or a header that claims
any size (a decompression bomb is 67 bytes)."""

from __future__ import annotations

import struct
import zlib


def png(width: int, height: int) -> bytes:
    """A greyscale PNG of `width` x `height`; its pixel data is real only when small (a huge one is a header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"\x00" * (width + 1) * height if width * height <= 1_000_000 else b"\x00"
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
