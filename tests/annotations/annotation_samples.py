"""Sample files for the annotation tests, made on the spot: a PDF with text written by hand, a PNG
(Pillow), an MP4 whose boxes (ftyp, moov/mvhd/trak/tkhd/mdia/mdhd/hdlr/minf/stbl/stts, mdat) are
written here, and a WAV (the standard library)."""
from __future__ import annotations

import io
import struct
import wave


def pdf_with_text(pages: list[list[str]], size=(595, 842)) -> bytes:
    """A PDF with one page per item of ``pages``, each line of text in Helvetica 12 from (72, 746) down."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for index, lines in enumerate(pages):
        escaped = [line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for line in lines]
        content = ("BT /F1 12 Tf 72 760 Td 14 TL " + " ".join(f"({line}) '" for line in escaped) + " ET").encode()
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {size[0]} {size[1]}] /Resources "
                       f"<< /Font << /F1 3 0 R >> >> /Contents {5 + 2 * index} 0 R >>".encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def png_bytes(size=(400, 300), color=(30, 90, 160)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def _full_box(kind: bytes, version: int, payload: bytes) -> bytes:
    return _box(kind, bytes([version, 0, 0, 0]) + payload)


def mp4_bytes(duration: float = 10.0, fps: int = 25, size=(1280, 720), timescale: int = 12800,
              version: int = 0) -> bytes:
    """A minimal MP4: one video track of ``duration`` seconds at ``fps`` (constant frame duration)."""
    frames = int(round(duration * fps))
    delta = timescale // fps
    movie_scale = 1000
    if version == 1:
        mvhd = _full_box(b"mvhd", 1, struct.pack(">QQIQ", 0, 0, movie_scale, int(duration * movie_scale))
                         + b"\x00" * 80)
        mdhd = _full_box(b"mdhd", 1, struct.pack(">QQIQ", 0, 0, timescale, frames * delta) + b"\x00" * 4)
        tkhd = _full_box(b"tkhd", 1, struct.pack(">QQIIQ", 0, 0, 1, 0, int(duration * movie_scale)) + b"\x00" * 8
                         + b"\x00" * 8 + b"\x00" * 36 + struct.pack(">II", size[0] << 16, size[1] << 16))
    else:
        mvhd = _full_box(b"mvhd", 0, struct.pack(">IIII", 0, 0, movie_scale, int(duration * movie_scale))
                         + b"\x00" * 80)
        mdhd = _full_box(b"mdhd", 0, struct.pack(">IIII", 0, 0, timescale, frames * delta) + b"\x00" * 4)
        tkhd = _full_box(b"tkhd", 0, struct.pack(">IIIII", 0, 0, 1, 0, int(duration * movie_scale)) + b"\x00" * 8
                         + b"\x00" * 8 + b"\x00" * 36 + struct.pack(">II", size[0] << 16, size[1] << 16))
    hdlr = _full_box(b"hdlr", 0, b"\x00" * 4 + b"vide" + b"\x00" * 12 + b"VideoHandler\x00")
    stts = _full_box(b"stts", 0, struct.pack(">III", 1, frames, delta))
    stbl = _box(b"stbl", stts)
    minf = _box(b"minf", stbl)
    mdia = _box(b"mdia", mdhd + hdlr + minf)
    trak = _box(b"trak", tkhd + mdia)
    moov = _box(b"moov", mvhd + trak)
    ftyp = _box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41")
    mdat = _box(b"mdat", bytes(range(256)) * 8)
    return ftyp + mdat + moov  # moov after mdat, as most cameras write it


def wav_bytes(seconds: float = 3.0, rate: int = 8000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x00" * int(seconds * rate))
    return buffer.getvalue()


# --- selectors and grading states used by several tests -------------------------------------------

def pdf_region(page: int = 1, rect: str = "72,60,200,40") -> dict:
    return {"type": "FragmentSelector", "conformsTo": "http://tools.ietf.org/rfc/rfc3778",
            "value": f"page={page}&viewrect={rect}"}


def media_fragment(value: str) -> dict:
    return {"type": "FragmentSelector", "conformsTo": "http://www.w3.org/TR/media-frags/", "value": value}


def release(version, assessor):
    """Release ``assessor``'s marking of ``version`` (the grading rules themselves are tested elsewhere)."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from portfolio.extensions import db
    from portfolio.grading.models import Marking

    marking = db.session.scalar(select(Marking).where(Marking.version_id == version.id,
                                                      Marking.assessor_id == assessor.id))
    marking.released_at = datetime.now(UTC)
    db.session.commit()
    return marking
