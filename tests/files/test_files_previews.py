"""Previews: built once, stored content-addressed, reused; none (never an error) when they cannot be made."""
from __future__ import annotations

import io
import os
import stat

from file_samples import jpeg_bytes, mp4_bytes, pdf_bytes, png_bytes
from PIL import Image

from portfolio.extensions import db
from portfolio.files.previews import get_or_build_preview
from portfolio.files.services import receive_upload


def image_of(preview, store) -> Image.Image:
    return Image.open(io.BytesIO(store.local_path(preview.image.key).read_bytes()))


def test_an_image_thumbnail_is_built_once(local_store):
    stored, _ = receive_upload(io.BytesIO(jpeg_bytes((1600, 900))), "photo.jpg")
    preview = get_or_build_preview(stored, "thumbnail", 0)
    assert preview is not None and preview.image.media_type == "image/jpeg"
    assert (preview.width, preview.height) == (320, 180)
    assert image_of(preview, local_store).size == (320, 180)
    db.session.commit()
    keys = set(local_store.iter_keys())
    again = get_or_build_preview(stored, "thumbnail", 0)
    assert again.id == preview.id and set(local_store.iter_keys()) == keys
    assert get_or_build_preview(stored, "page", 1) is None  # an image has no pages


def test_a_transparent_png_keeps_its_alpha(local_store):
    buffer = io.BytesIO()
    Image.new("RGBA", (640, 640), (0, 0, 0, 0)).save(buffer, "PNG")
    stored, _ = receive_upload(io.BytesIO(buffer.getvalue()), "logo.png")
    preview = get_or_build_preview(stored, "thumbnail", 0)
    assert preview.image.media_type == "image/png" and image_of(preview, local_store).mode == "RGBA"


def test_pdf_pages_up_to_the_cap(app, local_store, monkeypatch):
    stored, _ = receive_upload(io.BytesIO(pdf_bytes(pages=3)), "dossier.pdf")
    first = get_or_build_preview(stored, "page", 1)
    assert first.image.media_type == "image/png" and first.width == 1240
    assert abs(first.height - 1240 * 842 / 595) <= 2
    third = get_or_build_preview(stored, "page", 3)
    assert third is not None and third.image_id != first.image_id  # the pages differ in colour
    assert get_or_build_preview(stored, "page", 4) is None
    thumbnail = get_or_build_preview(stored, "thumbnail", 0)
    assert thumbnail.width == 320
    monkeypatch.setitem(app.config, "PREVIEW_MAX_PAGES", 1)
    assert get_or_build_preview(stored, "page", 2) is None


def test_identical_previews_are_stored_once(local_store):
    one, _ = receive_upload(io.BytesIO(pdf_bytes(pages=1)), "a.pdf")
    # Another PDF whose first page renders the same image (same page, different bytes).
    other_bytes = pdf_bytes(pages=2)
    other, _ = receive_upload(io.BytesIO(other_bytes), "b.pdf")
    a = get_or_build_preview(one, "page", 1)
    b = get_or_build_preview(other, "page", 1)
    assert a.id != b.id and a.image_id == b.image_id


def test_undecodable_content_has_no_preview(local_store):
    broken = png_bytes()[:40] + b"\x00" * 100
    stored, _ = receive_upload(io.BytesIO(broken), "broken.png")
    assert stored.media_type == "image/png"
    assert get_or_build_preview(stored, "thumbnail", 0) is None
    pdf, _ = receive_upload(io.BytesIO(b"%PDF-1.4\n garbage"), "broken.pdf")
    assert get_or_build_preview(pdf, "page", 1) is None


def test_no_poster_without_ffmpeg(local_store, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    stored, _ = receive_upload(io.BytesIO(mp4_bytes()), "film.mp4")
    assert get_or_build_preview(stored, "poster", 0) is None


def test_a_poster_frame_with_ffmpeg_is_built_once(local_store, monkeypatch, tmp_path):
    # A stand-in ffmpeg: it prints a JPEG frame on stdout and counts its calls.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    frame = tmp_path / "frame.jpg"
    frame.write_bytes(jpeg_bytes((1920, 1080)))
    calls = tmp_path / "calls"
    script = bin_dir / "ffmpeg"
    script.write_text(f'#!/bin/sh\necho "$@" >> "{calls}"\ncat "{frame}"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    stored, _ = receive_upload(io.BytesIO(mp4_bytes()), "film.mp4")
    poster = get_or_build_preview(stored, "poster", 0)
    assert poster is not None and poster.image.media_type == "image/jpeg"
    assert (poster.width, poster.height) == (1920, 1080)
    assert get_or_build_preview(stored, "poster", 0).id == poster.id
    invocations = calls.read_text().splitlines()
    assert len(invocations) == 1 and "-frames:v 1" in invocations[0]
    assert stored.key.rsplit("/", 1)[-1] in invocations[0]
