"""Media facts read once from the content and kept on the stored file; the text layer of PDF pages."""
from __future__ import annotations

import io
import shutil

import pytest
from annotation_samples import mp4_bytes, pdf_with_text, png_bytes, wav_bytes

from portfolio.annotations import media
from portfolio.extensions import db
from portfolio.files.services import receive_upload


def stored(data: bytes, name: str):
    row, _ = receive_upload(io.BytesIO(data), name)
    db.session.flush()
    return row


def test_pdf_pages_and_page_sizes(app):
    row = stored(pdf_with_text([["one"], ["two"]], size=(612, 792)), "letter.pdf")
    assert row.media_info is None
    info = media.media_info(row)
    assert info == {"kind": "pdf", "pages": 2, "page_sizes": [[612.0, 792.0], [612.0, 792.0]]}
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(type(row), row.id).media_info == info  # kept on the row


def test_media_facts_are_read_only_once(app, monkeypatch):
    row = stored(png_bytes((64, 32)), "once.png")
    assert media.media_info(row) == {"kind": "image", "width": 64, "height": 32}
    monkeypatch.setattr(media, "probe", lambda *a: pytest.fail("read again"))
    assert media.media_info(row)["width"] == 64


def test_image_size_follows_the_exif_rotation(app):
    from PIL import Image

    image = Image.new("RGB", (80, 20), (1, 2, 3))
    exif = image.getexif()
    exif[0x0112] = 6  # rotated 90°: shown 20 × 80
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    assert media.media_info(stored(buffer.getvalue(), "rotated.jpg"))[("width")] == 20


@pytest.mark.parametrize("kwargs, expected", [
    ({"duration": 10.0, "fps": 25}, {"duration": 10.0, "fps": 25.0, "width": 1280, "height": 720}),
    ({"duration": 4.0, "fps": 24, "timescale": 24000, "version": 1},
     {"duration": 4.0, "fps": 24.0, "width": 1280, "height": 720}),
    ({"duration": 2.0, "fps": 50, "size": (640, 360)}, {"duration": 2.0, "fps": 50.0, "width": 640, "height": 360}),
])
def test_mp4_duration_and_frame_rate_without_ffprobe(app, monkeypatch, kwargs, expected):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    info = media.media_info(stored(mp4_bytes(**kwargs), f"film-{kwargs['fps']}.mp4"))
    assert info == {"kind": "video", **expected}


def test_ntsc_frame_rate_from_stts(tmp_path):
    path = tmp_path / "ntsc.mp4"
    data = bytearray(mp4_bytes(duration=10.0, fps=24, timescale=24000))
    # Rewrite the single stts entry as 240 samples of 1001 ticks: 23.976 frames per second.
    at = data.index(b"stts") + 8
    data[at:at + 12] = (1).to_bytes(4, "big") + (240).to_bytes(4, "big") + (1001).to_bytes(4, "big")
    path.write_bytes(bytes(data))
    with open(path, "rb") as fh:
        assert media.mp4_info(fh)["fps"] == 23.976


def test_wav_duration_without_ffprobe(app, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert media.media_info(stored(wav_bytes(2.5, 8000), "voix.wav")) == {"kind": "audio", "duration": 2.5}


def test_unreadable_media_have_no_facts_and_no_error(app, monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    no_moov = mp4_bytes()[: mp4_bytes().index(b"moov") - 4]  # ftyp + mdat only
    path = tmp_path / "cut.mp4"
    path.write_bytes(no_moov)
    assert media.probe(str(path), "video") == {"kind": "video"}
    path.write_bytes(b"%PDF-1.4 broken")
    assert media.probe(str(path), "pdf") == {"kind": "pdf"}
    path.write_bytes(b"RIFF\x00\x00\x00\x00WAVEdata")
    assert media.probe(str(path), "audio") == {"kind": "audio"}


def test_other_files_have_no_facts(app):
    row = stored(b"just some notes\n", "notes.txt")
    assert media.file_kind(row.media_type) is None
    assert media.media_info(row) == {}


def test_pdf_text_layer_runs_locate_the_text(app):
    row = stored(pdf_with_text([["Hello world", "The quick brown fox"], ["Second page"]]), "text.pdf")
    layer = media.page_text_layer(row, 1)
    assert (layer["page"], layer["width"], layer["height"]) == (1, 595.0, 842.0)
    texts = [layer["text"][r["o"]:r["o"] + r["n"]] for r in layer["runs"]]
    assert texts == ["Hello world", "The quick brown fox"]
    first, second = layer["runs"]
    # Helvetica 12 at x=72, first baseline 746 points from the bottom: about 96 points from the top.
    assert 71 <= first["x"] <= 73 and 80 <= first["y"] <= 100 and 8 <= first["h"] <= 16
    assert second["y"] > first["y"] + 10
    assert media.page_text(row, 2).strip() == "Second page"
    assert media.page_text_layer(row, 3) is None


def test_page_images_past_the_previews_limit_are_rendered(app):
    from PIL import Image

    row = stored(pdf_with_text([["A"], ["B"]]), "render.pdf")
    png = media.render_page_png(row, 2, width=300)
    assert Image.open(io.BytesIO(png)).size == (300, 425)
    assert media.render_page_png(row, 3) is None
