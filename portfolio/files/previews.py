"""Previews: thumbnails of images, page images of PDFs, a poster frame of videos (when ffmpeg is on PATH).

A preview is built the first time it is asked for, stored like any blob (content-addressed, so the
same image is kept once) with a ``Preview`` row, and reused on every later view.

Kinds and pages:
- ``thumbnail`` (page 0): at most 320 px, for images, PDFs (their first page) and videos;
- ``page`` (pages 1 … min(page count, PREVIEW_MAX_PAGES)): a PDF page about 1240 px wide, as PNG;
- ``poster`` (page 0): a frame of a video, at most 1280 px wide, as JPEG.
"""
from __future__ import annotations

import contextlib
import io
import logging
import os
import shutil
import subprocess
import threading

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..storage import StorageError, get_storage
from .models import Preview, StoredFile
from .uploads import incoming_dir

log = logging.getLogger(__name__)

KINDS = ("thumbnail", "page", "poster")
THUMBNAIL_SIZE = 320
PAGE_WIDTH = 1240
POSTER_WIDTH = 1280
FFMPEG_TIMEOUT = 60
_pdfium_lock = threading.Lock()  # PDFium is not thread-safe


def get_preview(stored: StoredFile, kind: str, page: int = 0) -> Preview | None:
    return db.session.scalar(
        select(Preview).where(Preview.source_id == stored.id, Preview.kind == kind, Preview.page == page))


def get_or_build_preview(stored: StoredFile, kind: str, page: int = 0) -> Preview | None:
    """The stored preview of ``stored``, built and stored the first time; None when there can be none.

    None for a kind that does not apply (a thumbnail of a spreadsheet), a page out of range, content that
    cannot be decoded, a file held back by the antivirus, or a poster without ffmpeg. Raises
    StorageUnavailable when the store fails.
    """
    if kind not in KINDS or page < 0:
        return None
    existing = get_preview(stored, kind, page)
    if existing is not None:
        return existing
    if not stored.is_available:
        return None
    with local_copy(stored) as path:
        if path is None:
            return None
        built = _build(path, stored.media_type, kind, page)
    if built is None:
        return None
    data, media_type, width, height = built
    from .services import store_derived

    image = store_derived(data, media_type)
    preview = Preview(source_id=stored.id, kind=kind, page=page, image_id=image.id, width=width, height=height)
    try:
        with db.session.begin_nested():
            db.session.add(preview)
    except IntegrityError:  # built at the same time by another request
        return get_preview(stored, kind, page)
    return preview


@contextlib.contextmanager
def local_copy(stored: StoredFile):
    """A local path to the content: the file itself (local store) or a temporary download (S3)."""
    storage = get_storage()
    if stored.backend != storage.name:
        yield None
        return
    local_path = getattr(storage, "local_path", None)
    if local_path is not None:
        path = local_path(stored.key)
        yield str(path) if path.is_file() else None
        return
    tmp = os.path.join(incoming_dir(), f"preview-{stored.sha256}-{os.getpid()}-{threading.get_ident()}")
    try:
        try:
            source = storage.open(stored.key)
            with open(tmp, "wb") as out:
                shutil.copyfileobj(source, out, 1024 * 1024)
            source.close()
        except (StorageError, OSError) as exc:
            log.warning("cannot fetch %s for a preview: %s", stored.key, exc)
            yield None
            return
        yield tmp
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _build(path: str, media_type: str, kind: str, page: int):
    """(bytes, media type, width, height) of the preview, or None."""
    try:
        if media_type == "application/pdf":
            if kind == "page" and page >= 1:
                return _pdf_page(path, page, PAGE_WIDTH)
            if kind == "thumbnail" and page == 0:
                return _pdf_page(path, 1, THUMBNAIL_SIZE)
            return None
        if media_type.startswith("image/") and media_type != "image/svg+xml":
            if kind == "thumbnail" and page == 0:
                from PIL import Image

                with Image.open(path) as image:
                    return _thumbnail(image)
            return None
        if media_type.startswith("video/") and page == 0 and kind in ("poster", "thumbnail"):
            frame = _video_frame(path)
            if frame is None:
                return None
            from PIL import Image

            with Image.open(io.BytesIO(frame)) as image:
                if kind == "thumbnail":
                    return _thumbnail(image)
                return frame, "image/jpeg", image.width, image.height
        return None
    except Exception as exc:  # noqa: BLE001 - undecodable or hostile content: no preview, never a 500
        log.warning("no %s preview for %s: %s", kind, path, exc)
        return None


def _encode(image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.save(buffer, "JPEG", quality=85, optimize=True)
    else:
        image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _thumbnail(image):
    from PIL import ImageOps

    if image.format == "JPEG":
        image.draft("RGB", (THUMBNAIL_SIZE * 2, THUMBNAIL_SIZE * 2))  # decode at a reduced scale: less memory
    image.seek(0)  # animated images: the first frame
    image = ImageOps.exif_transpose(image)
    image.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
    if image.mode in ("RGBA", "LA", "P") and (image.mode != "P" or "transparency" in image.info):
        image = image.convert("RGBA")
        return _encode(image, "PNG"), "image/png", image.width, image.height
    image = image.convert("RGB")
    return _encode(image, "JPEG"), "image/jpeg", image.width, image.height


def _pdf_page(path: str, number: int, width: int):
    import pypdfium2 as pdfium

    if number > int(current_app.config.get("PREVIEW_MAX_PAGES", 50)):
        return None
    with _pdfium_lock:
        pdf = pdfium.PdfDocument(path)
        try:
            if number > len(pdf):
                return None
            page = pdf[number - 1]
            try:
                page_width = page.get_width() or 1
                scale = min(max(width / page_width, 0.05), 4.0)
                bitmap = page.render(scale=scale)
                image = bitmap.to_pil().convert("RGB")
            finally:
                page.close()
        finally:
            pdf.close()
    fmt, media_type = ("JPEG", "image/jpeg") if width <= THUMBNAIL_SIZE else ("PNG", "image/png")
    return _encode(image, fmt), media_type, image.width, image.height


def _video_frame(path: str) -> bytes | None:
    """A JPEG frame one second in (or the first frame of a shorter video); None without ffmpeg."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return None
    for offset in ("1", "0"):
        try:
            result = subprocess.run(
                [ffmpeg, "-nostdin", "-v", "error", "-ss", offset, "-i", path, "-frames:v", "1",
                 "-vf", f"scale='min({POSTER_WIDTH},iw)':-2", "-f", "image2", "-c:v", "mjpeg", "pipe:1"],
                capture_output=True, timeout=FFMPEG_TIMEOUT, check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.warning("ffmpeg failed on %s: %s", path, exc)
            return None
        if result.returncode == 0 and result.stdout.startswith(b"\xff\xd8"):
            return result.stdout
    return None
