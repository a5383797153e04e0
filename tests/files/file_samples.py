"""Real sample files for the file tests, made on the spot (Pillow, python-docx, raw bytes)."""
from __future__ import annotations

import io
import zipfile

# --- sample content ------------------------------------------------------------------------------------

def png_bytes(size=(64, 48), color=(200, 30, 30)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes(size=(800, 600)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def pdf_bytes(pages: int = 1) -> bytes:
    """A real PDF (Pillow writes one page per image)."""
    from PIL import Image

    images = [Image.new("RGB", (595, 842), (255, 255, 255 - 20 * i)) for i in range(pages)]
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", save_all=True, append_images=images[1:], resolution=72)
    return buffer.getvalue()


def mp4_bytes(payload: int = 4096) -> bytes:
    """An MP4 container: an ftyp box, then an mdat box of ``payload`` bytes."""
    ftyp = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    mdat = (8 + payload).to_bytes(4, "big") + b"mdat" + bytes(range(256)) * (payload // 256) + b"\x00" * (
        payload % 256)
    return ftyp + mdat


def docx_bytes() -> bytes:
    from docx import Document

    document = Document()
    document.add_heading("Note d'intention", 1)
    document.add_paragraph("Un court métrage sur la mémoire.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                                                'package/2006/content-types"/>')
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet/>")
    return buffer.getvalue()


FDX = (b'<?xml version="1.0" encoding="UTF-8" standalone="no" ?>\n'
       b'<FinalDraft DocumentType="Script" Template="No" Version="5">\n<Content>\n'
       b'<Paragraph Type="Scene Heading"><Text>INT. STUDIO - NUIT</Text></Paragraph>\n</Content>\n</FinalDraft>\n')
FOUNTAIN = "Title: La Mémoire\nAuthor: Camille\n\nINT. STUDIO - NUIT\n\nCamille entre.\n".encode()
HTML = (b"<!DOCTYPE html>\n<html><head><title>x</title></head>"
        b"<body><script>alert(document.cookie)</script></body></html>")
SVG = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b'<script>alert(1)</script></svg>')
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode."
SHELL = b"#!/bin/sh\nrm -rf \"$HOME\"\n"
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
