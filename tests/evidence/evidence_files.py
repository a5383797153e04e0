"""Small valid files to upload in the evidence tests."""
from __future__ import annotations

import struct
import zlib

PDF = (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
       b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")


def png_bytes(seed: int = 0) -> bytes:
    """A valid 1×1 PNG; ``seed`` changes its pixel (and so its hash)."""
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    pixel = bytes([0, seed % 256, 128, 64])
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(pixel)) + chunk(b"IEND", b""))


def pdf_bytes(marker: str = "") -> bytes:
    return PDF + f"% {marker}\n".encode()
