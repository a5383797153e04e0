"""Magic-byte detection on real samples: the content decides, never the name alone."""
from __future__ import annotations

import io
import zipfile

import pytest
from file_samples import (
    ELF,
    EXE,
    FDX,
    FOUNTAIN,
    HTML,
    SHELL,
    SVG,
    docx_bytes,
    jpeg_bytes,
    mp4_bytes,
    pdf_bytes,
    png_bytes,
    xlsx_bytes,
)

from portfolio.files.detect import Refused, sniff_bytes

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize("make, name, expected", [
    (pdf_bytes, "dossier.pdf", "application/pdf"),
    (pdf_bytes, "no-extension", "application/pdf"),
    (png_bytes, "moodboard.png", "image/png"),
    (png_bytes, "moodboard.jpg", "image/png"),  # the content wins over the name
    (jpeg_bytes, "photo.jpeg", "image/jpeg"),
    (mp4_bytes, "film.mp4", "video/mp4"),
    (docx_bytes, "note.docx", DOCX),
    (xlsx_bytes, "budget.xlsx", XLSX),
    (lambda: FDX, "scenario.fdx", "application/x-final-draft"),
    (lambda: FOUNTAIN, "scenario.fountain", "text/x-fountain"),
    (lambda: FOUNTAIN, "scenario.txt", "text/plain"),
    (lambda: HTML, "page.html", "text/html"),
    (lambda: HTML, "page.txt", "text/html"),
    (lambda: SVG, "logo.svg", "image/svg+xml"),
    (lambda: b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "logo", "image/svg+xml"),
    (lambda: b"<html><body><svg></svg></body></html>", "page", "text/html"),
    (lambda: b"<!-- c -->\n<div>hello</div>", "frag", "text/html"),
    (lambda: b'<?xml version="1.0"?><note><to>x</to></note>', "note.xml", "application/xml"),
    (lambda: b"a,b\n1,2\n", "table.csv", "text/csv"),
    (lambda: "\ufeffTitre\n".encode() + "é".encode() * 5000, "long.md", "text/markdown"),
])
def test_detects_real_samples(make, name, expected):
    assert sniff_bytes(make(), name) == expected


def test_a_multibyte_character_cut_by_the_head_is_still_text():
    data = b"a" + "é".encode() * 4096  # 8193 bytes: the 8192-byte head ends inside a character
    assert sniff_bytes(data, "notes.txt") == "text/plain"


def test_utf16_text_is_text():
    assert sniff_bytes("Scène 1\nINT. JOUR\n".encode("utf-16"), "notes.txt") == "text/plain"


@pytest.mark.parametrize("data, name", [
    (ELF, "dossier.pdf"),
    (EXE, "dossier.pdf"),
    (SHELL, "dossier.pdf"),
    (SHELL, "notes.txt"),
    (b"<?php system($_GET['c']); ?>", "dossier.pdf"),
    (b"<?php system($_GET['c']); ?>", "page.html"),
    (b"echo hello\n", "run.sh"),
    (b"print('hi')\n", "script.py"),
    (b"just some words\n", "dossier.pdf"),  # text is not the PDF its name says
    (b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 64, "app.mov"),
])
def test_programs_and_misnamed_content_are_refused(data, name):
    with pytest.raises(Refused):
        sniff_bytes(data, name)


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for entry, content in entries.items():
            archive.writestr(entry, content)
    return buffer.getvalue()


@pytest.mark.parametrize("entries", [
    {"META-INF/MANIFEST.MF": b"Main-Class: x", "x/Main.class": b"\xca\xfe\xba\xbe"},
    {"AndroidManifest.xml": b"<manifest/>", "classes.dex": b"dex\n035"},
    {"readme.txt": b"hi", "setup.exe": EXE},
])
def test_archives_holding_programs_are_refused(entries):
    with pytest.raises(Refused):
        sniff_bytes(_zip(entries), "archive.zip")


def test_a_plain_zip_and_an_opendocument_are_typed():
    assert sniff_bytes(_zip({"a.txt": b"a"}), "a.zip") == "application/zip"
    odt = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
    assert sniff_bytes(odt, "note.odt") == "application/vnd.oasis.opendocument.text"


def test_binary_junk_is_octet_stream():
    assert sniff_bytes(bytes(range(256)) * 4, "blob.bin") == "application/octet-stream"
