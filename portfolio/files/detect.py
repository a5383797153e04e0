"""Deciding what a file is from its content (magic bytes), never from its name alone.

The name's extension only refines a text file's kind (Fountain, CSV, Markdown). Executables and
scripts are recognised by content and refused whatever they are called.
"""
from __future__ import annotations

import io
import zipfile

import filetype

HEAD_BYTES = 8192

EXECUTABLE_SIGNATURES = (
    (b"MZ", "Windows executable"),
    (b"\x7fELF", "ELF executable"),
    (b"\xcf\xfa\xed\xfe", "Mach-O executable"),
    (b"\xce\xfa\xed\xfe", "Mach-O executable"),
    (b"\xca\xfe\xba\xbe", "Mach-O or Java class file"),
    (b"#!", "script"),
    (b"dex\n", "Android executable"),
)
SCRIPT_MARKERS = (b"<?php", b"<%@", b"<script")
SCRIPT_EXTENSIONS = {
    "sh", "bash", "zsh", "py", "pl", "rb", "php", "js", "mjs", "bat", "cmd", "ps1", "vbs", "vbe", "jse", "wsf",
    "exe", "dll", "com", "scr", "msi", "jar", "apk", "app", "hta", "lnk", "elf", "so", "dylib",
}
# Zip containers that are documents, by the first entries they hold.
OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


class Refused(ValueError):
    """Content that is never accepted (executables, scripts); the message says what it is."""


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _zip_kind(path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                if declared.startswith("application/vnd.oasis.opendocument."):
                    return declared
            for prefix, media_type in OOXML.items():
                if any(n.startswith(prefix) for n in names):
                    return media_type
            if any(n.lower().endswith((".exe", ".dll", ".js", ".vbs", ".bat", ".ps1", ".sh")) for n in names) or \
                    "META-INF/MANIFEST.MF" in names and any(n.endswith(".class") for n in names):
                raise Refused("an archive holding programs")
    except zipfile.BadZipFile:
        return "application/octet-stream"
    return "application/zip"


def _text_kind(head: bytes, name: str) -> str | None:
    if b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = head.decode("cp1252")
        except UnicodeDecodeError:
            return None
    lowered = text.lstrip("\ufeff \t\r\n").lower()
    if lowered.startswith("<?xml") or lowered.startswith("<"):
        if "<finaldraft" in lowered:
            return "application/x-final-draft"
        if "<svg" in lowered:
            return "image/svg+xml"
        if "<html" in lowered or "<!doctype html" in lowered or "<body" in lowered:
            return "text/html"
        return "application/xml"
    ext = _extension(name)
    if ext == "fountain":
        return "text/x-fountain"
    if ext == "csv":
        return "text/csv"
    if ext in ("md", "markdown"):
        return "text/markdown"
    return "text/plain"


def detect(path, name: str) -> str:
    """The media type of the file at ``path``; raises Refused for executables and scripts."""
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    for signature, what in EXECUTABLE_SIGNATURES:
        if head.startswith(signature):
            raise Refused(f"a {what} is never accepted")
    lowered = head.lower()
    if any(marker in lowered for marker in SCRIPT_MARKERS) and _extension(name) not in ("pdf",):
        if b"<script" not in lowered or b"<svg" not in lowered and b"<html" not in lowered:
            raise Refused("a script is never accepted")
    kind = filetype.guess(head)
    if kind is not None:
        if kind.mime in ("application/zip", "application/x-zip-compressed") or kind.extension in (
                "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "jar"):
            return _zip_kind(path)
        if kind.mime in ("application/x-msdownload", "application/x-executable", "application/x-mach-binary",
                         "application/x-elf", "application/x-sh", "application/vnd.android.package-archive"):
            raise Refused("a program is never accepted")
        if kind.mime == "audio/x-wav":
            return "audio/wav"
        if kind.mime == "audio/x-flac":
            return "audio/flac"
        if kind.mime == "audio/m4a":
            return "audio/mp4"
        return kind.mime
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "application/msword" if _extension(name) != "xls" else "application/vnd.ms-excel"
    text = _text_kind(head, name)
    if text is not None:
        if _extension(name) in SCRIPT_EXTENSIONS:
            raise Refused("a script is never accepted")
        return text
    return "application/octet-stream"


def sniff_bytes(data: bytes, name: str = "") -> str:
    """Convenience for small in-memory content (tests, previews)."""
    import tempfile

    with tempfile.NamedTemporaryFile() as tmp:
        tmp.write(data)
        tmp.flush()
        return detect(tmp.name, name)


__all__ = ["Refused", "detect", "sniff_bytes", "io"]
