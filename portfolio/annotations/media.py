"""Facts about a file's content that annotations are checked against, read once and kept on the stored file.

``media_info(stored)`` answers, and stores in ``StoredFile.media_info`` the first time:

- PDF: ``pages`` and ``page_sizes`` (``[[width, height], …]`` in points, the page's visible box), via PDFium;
- image: ``width`` and ``height`` in pixels as a browser shows it (EXIF rotation applied), via Pillow;
- video: ``duration`` (seconds), ``fps``, ``width``, ``height``; sound: ``duration``. ffprobe when it is on
  PATH; otherwise MP4/MOV boxes (``mvhd``, ``tkhd``, ``mdhd``, ``stts``), WAV and FLAC headers are read here.

A fact that cannot be read is absent (or None): checks that need it are then skipped, never guessed.
The text layer of a PDF page (its text and the boxes of its runs, in points from the top-left corner)
comes from ``page_text_layer``.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import struct
import subprocess
import threading
from collections import OrderedDict
from fractions import Fraction

from ..files.previews import local_copy

log = logging.getLogger(__name__)

IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
MAX_PAGE_SIZES = 5000  # page sizes kept for at most this many pages
FFPROBE_TIMEOUT = 30
PAGE_IMAGE_WIDTH = 1240
try:  # PDFium is not thread-safe: share the previews' lock when it exists.
    from ..files.previews import _pdfium_lock as PDFIUM_LOCK
except ImportError:  # pragma: no cover - previews are part of the files feature
    PDFIUM_LOCK = threading.Lock()


def file_kind(media_type: str | None) -> str | None:
    """``pdf``, ``image``, ``video``, ``audio``, or None for content that cannot be annotated here."""
    media_type = (media_type or "").lower()
    if media_type == "application/pdf":
        return "pdf"
    if media_type in IMAGE_TYPES:
        return "image"
    if media_type.startswith("video/"):
        return "video"
    if media_type.startswith("audio/"):
        return "audio"
    return None


# --- reading the content ----------------------------------------------------------------------------

# A local path to the stored content (the file itself, or a temporary copy from S3); None if unreachable.
local_path = local_copy


def media_info(stored) -> dict:
    """The media facts of ``stored``, computed and kept on the row the first time (the caller commits)."""
    if stored.media_info is not None:
        return stored.media_info
    kind = file_kind(stored.media_type)
    if kind is None:
        info = {}
    else:
        with local_path(stored) as path:
            if path is None:
                return {"kind": kind}  # the store is unreachable: try again next time
            info = probe(path, kind)
    stored.media_info = info
    return info


def probe(path: str, kind: str) -> dict:
    """The media facts of the file at ``path`` of the given kind (never raises on bad content)."""
    info: dict = {"kind": kind}
    try:
        if kind == "pdf":
            info.update(_pdf_info(path))
        elif kind == "image":
            info.update(_image_info(path))
        else:
            found = _ffprobe(path) or _container_info(path)
            if kind == "audio":
                found = {k: v for k, v in found.items() if k == "duration"}
            info.update(found)
    except Exception as exc:  # noqa: BLE001 - undecodable or hostile content: facts unknown, never a 500
        log.warning("no media facts for %s: %s", path, exc)
    return info


def _pdf_info(path: str) -> dict:
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(path)
        try:
            count = len(pdf)
            sizes = []
            for index in range(min(count, MAX_PAGE_SIZES)):
                page = pdf[index]
                try:
                    width, height = _page_box_size(page)
                finally:
                    page.close()
                sizes.append([round(width, 2), round(height, 2)])
        finally:
            pdf.close()
    return {"pages": count, "page_sizes": sizes}


def _page_box_size(page) -> tuple[float, float]:
    left, bottom, right, top = page.get_bbox()
    width, height = right - left, top - bottom
    if page.get_rotation() in (90, 270):
        width, height = height, width
    return width, height


def _image_info(path: str) -> dict:
    from PIL import Image

    with Image.open(path) as image:
        width, height = image.size
        try:
            orientation = image.getexif().get(0x0112)
        except Exception:  # noqa: BLE001 - a broken EXIF block: ignore the rotation
            orientation = None
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return {"width": width, "height": height}


def _ffprobe(path: str) -> dict:
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        return {}
    try:
        result = subprocess.run(
            [ffprobe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", path],
            capture_output=True, timeout=FFPROBE_TIMEOUT, check=False)
        data = json.loads(result.stdout or b"{}")
    except (OSError, subprocess.TimeoutExpired, ValueError) as exc:
        log.warning("ffprobe failed on %s: %s", path, exc)
        return {}
    info: dict = {}
    with contextlib.suppress(TypeError, ValueError):
        info["duration"] = round(float(data.get("format", {}).get("duration")), 3)
    for stream in data.get("streams", []):
        if stream.get("codec_type") == "video" and stream.get("disposition", {}).get("attached_pic") != 1:
            for key in ("avg_frame_rate", "r_frame_rate"):
                with contextlib.suppress(ValueError, ZeroDivisionError):
                    rate = Fraction(stream.get(key) or "0/0")
                    if rate > 0:
                        info["fps"] = round(float(rate), 3)
                        break
            if stream.get("width") and stream.get("height"):
                info["width"], info["height"] = int(stream["width"]), int(stream["height"])
            break
    return info


# --- containers read without ffprobe -----------------------------------------------------------------

def _container_info(path: str) -> dict:
    with open(path, "rb") as fh:
        head = fh.read(12)
        fh.seek(0)
        if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
            return wav_info(fh)
        if head[:4] == b"fLaC":
            return flac_info(fh)
        if head[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip"):
            return mp4_info(fh)
    return {}


def _boxes(fh, start: int, end: int):
    """(type, payload start, payload end) of each ISO-BMFF box between ``start`` and ``end``."""
    offset = start
    while offset + 8 <= end:
        fh.seek(offset)
        header = fh.read(8)
        if len(header) < 8:
            return
        size, kind = struct.unpack(">I4s", header)
        payload = offset + 8
        if size == 1:
            large = fh.read(8)
            if len(large) < 8:
                return
            size = struct.unpack(">Q", large)[0]
            payload += 8
        elif size == 0:
            size = end - offset
        if size < payload - offset or offset + size > end:
            return
        yield kind, payload, offset + size
        offset += size


def _child(fh, start: int, end: int, kind: bytes):
    return next(((s, e) for k, s, e in _boxes(fh, start, end) if k == kind), None)


def _read(fh, start: int, length: int) -> bytes:
    fh.seek(start)
    return fh.read(length)


def _mvhd_like(fh, start: int) -> tuple[int, int]:
    """(timescale, duration) of an ``mvhd`` or ``mdhd`` box payload."""
    version = _read(fh, start, 1)[0]
    if version == 1:
        timescale, duration = struct.unpack(">IQ", _read(fh, start + 20, 12))
    else:
        timescale, duration = struct.unpack(">II", _read(fh, start + 12, 8))
    return timescale, duration


def mp4_info(fh) -> dict:
    """Duration (``mvhd``), and for the first video track its frame rate (``mdhd`` + ``stts``) and size."""
    fh.seek(0, os.SEEK_END)
    size = fh.tell()
    moov = _child(fh, 0, size, b"moov")
    if moov is None:
        return {}
    info: dict = {}
    mvhd = _child(fh, *moov, b"mvhd")
    if mvhd is not None:
        timescale, duration = _mvhd_like(fh, mvhd[0])
        if not duration:
            mvex = _child(fh, *moov, b"mvex")
            mehd = _child(fh, *mvex, b"mehd") if mvex else None
            if mehd is not None:
                version = _read(fh, mehd[0], 1)[0]
                raw = _read(fh, mehd[0] + 4, 8 if version == 1 else 4)
                duration = struct.unpack(">Q" if version == 1 else ">I", raw)[0]
        if timescale:
            info["duration"] = round(duration / timescale, 3)
    for kind, start, end in _boxes(fh, *moov):
        if kind != b"trak":
            continue
        mdia = _child(fh, start, end, b"mdia")
        hdlr = _child(fh, *mdia, b"hdlr") if mdia else None
        if hdlr is None or _read(fh, hdlr[0] + 8, 4) != b"vide":
            continue
        tkhd = _child(fh, start, end, b"tkhd")
        if tkhd is not None:
            version = _read(fh, tkhd[0], 1)[0]
            width, height = struct.unpack(">II", _read(fh, tkhd[0] + (84 if version == 1 else 72) + 4, 8))
            if width >> 16 and height >> 16:
                info["width"], info["height"] = width >> 16, height >> 16
        mdhd = _child(fh, *mdia, b"mdhd")
        minf = _child(fh, *mdia, b"minf")
        stbl = _child(fh, *minf, b"stbl") if minf else None
        stts = _child(fh, *stbl, b"stts") if stbl else None
        if mdhd is not None and stts is not None:
            timescale, _duration = _mvhd_like(fh, mdhd[0])
            count = struct.unpack(">I", _read(fh, stts[0] + 4, 4))[0]
            count = min(count, (stts[1] - stts[0] - 8) // 8)
            entries = _read(fh, stts[0] + 8, 8 * count)
            samples = ticks = 0
            for index in range(count):
                sample_count, delta = struct.unpack_from(">II", entries, 8 * index)
                samples += sample_count
                ticks += sample_count * delta
            if samples and ticks and timescale:
                info["fps"] = round(samples * timescale / ticks, 3)
        break
    return info


def wav_info(fh) -> dict:
    """Duration of a RIFF/WAVE file from its ``fmt `` byte rate and ``data`` size."""
    fh.seek(12)
    byte_rate = None
    while True:
        header = fh.read(8)
        if len(header) < 8:
            return {}
        kind, size = struct.unpack("<4sI", header)
        if kind == b"fmt ":
            fmt = fh.read(size)
            if len(fmt) < 12:
                return {}
            byte_rate = struct.unpack_from("<I", fmt, 8)[0]
            if size % 2:
                fh.seek(1, os.SEEK_CUR)
            continue
        if kind == b"data":
            if not byte_rate:
                return {}
            if size == 0xFFFFFFFF:  # streamed without a size: up to the end of the file
                here = fh.tell()
                fh.seek(0, os.SEEK_END)
                size = fh.tell() - here
            return {"duration": round(size / byte_rate, 3)}
        fh.seek(size + (size % 2), os.SEEK_CUR)


def flac_info(fh) -> dict:
    """Duration of a FLAC file from its STREAMINFO block."""
    fh.seek(4)
    header = fh.read(4)
    if len(header) < 4 or header[0] & 0x7F != 0:
        return {}
    block = fh.read(18)
    if len(block) < 18:
        return {}
    packed = int.from_bytes(block[10:18], "big")
    sample_rate = packed >> 44
    total = packed & ((1 << 36) - 1)
    if not sample_rate or not total:
        return {}
    return {"duration": round(total / sample_rate, 3)}


# --- PDF pages ---------------------------------------------------------------------------------------

_text_cache: OrderedDict = OrderedDict()
_TEXT_CACHE_SIZE = 64
_text_cache_lock = threading.Lock()


def page_text_layer(stored, number: int) -> dict | None:
    """The text layer of page ``number`` (from 1): ``{"page", "width", "height", "text", "runs"}``.

    ``runs`` are the lines of the page's text, each ``{"o": offset in text, "n": length, "x", "y", "w", "h"}``
    in points from the page's top-left corner; ``text[o:o+n]`` is the run's text. None when the page
    does not exist or the file cannot be read.
    """
    key = (stored.sha256, number)
    with _text_cache_lock:
        if key in _text_cache:
            _text_cache.move_to_end(key)
            return _text_cache[key]
    with local_path(stored) as path:
        if path is None:
            return None
        try:
            layer = _read_text_layer(path, number)
        except Exception as exc:  # noqa: BLE001 - unreadable PDF: no text layer
            log.warning("no text layer for page %s of %s: %s", number, stored.key, exc)
            return None
    if layer is not None:
        with _text_cache_lock:
            _text_cache[key] = layer
            while len(_text_cache) > _TEXT_CACHE_SIZE:
                _text_cache.popitem(last=False)
    return layer


def page_text(stored, number: int) -> str | None:
    layer = page_text_layer(stored, number)
    return layer["text"] if layer is not None else None


def _read_text_layer(path: str, number: int) -> dict | None:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    with PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(path)
        try:
            if number < 1 or number > len(pdf):
                return None
            page = pdf[number - 1]
            try:
                left, bottom, right, top = page.get_bbox()
                textpage = page.get_textpage()
                try:
                    count = textpage.count_chars()
                    chars = [chr(pdfium_c.FPDFText_GetUnicode(textpage, i) or 0xFFFD) for i in range(count)]
                    boxes = [textpage.get_charbox(i, loose=True) for i in range(count)]
                finally:
                    textpage.close()
            finally:
                page.close()
        finally:
            pdf.close()
    text = "".join(chars)
    runs = []
    current = None
    for index, (char, box) in enumerate(zip(chars, boxes, strict=True)):
        if char in "\r\n":
            current = None
            continue
        x0, y0, x1, y1 = box[0] - left, top - box[3], box[2] - left, top - box[1]
        has_box = x1 > x0 and y1 > y0
        if current is not None and has_box and current["box"] is not None:
            cx0, cy0, cx1, cy1 = current["box"]
            same_line = abs((y0 + y1) / 2 - (cy0 + cy1) / 2) < max(cy1 - cy0, y1 - y0) / 2
            if not same_line or x0 < cx0 - 1:
                current = None
        if current is None:
            current = {"o": index, "n": 0, "box": None}
            runs.append(current)
        current["n"] = index - current["o"] + 1
        if has_box:
            cb = current["box"]
            current["box"] = (x0, y0, x1, y1) if cb is None else (
                min(cb[0], x0), min(cb[1], y0), max(cb[2], x1), max(cb[3], y1))
    layer_runs = []
    for run in runs:
        if run["box"] is None or not text[run["o"]:run["o"] + run["n"]].strip():
            continue
        x0, y0, x1, y1 = run["box"]
        layer_runs.append({"o": run["o"], "n": run["n"], "x": round(x0, 2), "y": round(y0, 2),
                           "w": round(x1 - x0, 2), "h": round(y1 - y0, 2)})
    return {"page": number, "width": round(right - left, 2), "height": round(top - bottom, 2), "text": text,
            "runs": layer_runs}


def render_page_png(stored, number: int, width: int = PAGE_IMAGE_WIDTH) -> bytes | None:
    """Page ``number`` as PNG bytes about ``width`` pixels wide (for pages past the stored previews)."""
    import io

    import pypdfium2 as pdfium

    with local_path(stored) as path:
        if path is None:
            return None
        try:
            with PDFIUM_LOCK:
                pdf = pdfium.PdfDocument(path)
                try:
                    if number < 1 or number > len(pdf):
                        return None
                    page = pdf[number - 1]
                    try:
                        scale = min(max(width / (page.get_width() or 1), 0.05), 4.0)
                        image = page.render(scale=scale).to_pil().convert("RGB")
                    finally:
                        page.close()
                finally:
                    pdf.close()
        except Exception as exc:  # noqa: BLE001 - unreadable PDF: no image
            log.warning("cannot render page %s of %s: %s", number, stored.key, exc)
            return None
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
