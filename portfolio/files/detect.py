"""Deciding what a file is from its content (magic bytes), never from its name alone.

Executables and scripts are recognised by content and refused whatever they are called. The name's
extension only refines a text file's kind (Fountain, CSV, Markdown), and a text file whose name
claims a binary format (``notes.pdf`` holding text) is refused as not being what it says. Markup is
typed by its root element: HTML and SVG are detected as such (and never served inline).
"""
from __future__ import annotations

import codecs
import re
import tempfile
import zipfile

import filetype
from flask_babel import lazy_gettext as _l

HEAD_BYTES = 8192

SCRIPTS = _l("Scripts are never accepted.")
EXECUTABLE_SIGNATURES = (
    (b"MZ", _l("Windows programs are never accepted.")),
    (b"\x7fELF", _l("Linux programs (ELF) are never accepted.")),
    (b"\xcf\xfa\xed\xfe", _l("macOS programs are never accepted.")),
    (b"\xce\xfa\xed\xfe", _l("macOS programs are never accepted.")),
    (b"\xfe\xed\xfa\xcf", _l("macOS programs are never accepted.")),
    (b"\xfe\xed\xfa\xce", _l("macOS programs are never accepted.")),
    (b"\xca\xfe\xba\xbe", _l("Programs (macOS or Java) are never accepted.")),
    (b"#!", SCRIPTS),
    (b"dex\n", _l("Android programs are never accepted.")),
    (b"L\x00\x00\x00\x01\x14\x02\x00", _l("Windows shortcuts are never accepted.")),
    (b"\x00asm", _l("WebAssembly modules are never accepted.")),
)
# Markers of server-side or browser scripts at the start of a text file.
SCRIPT_STARTS = (b"<?php", b"<%@", b"<%", b"<script")
SCRIPT_EXTENSIONS = {
    "sh", "bash", "zsh", "csh", "ksh", "fish", "py", "pyw", "pl", "rb", "php", "phtml", "js", "mjs", "cjs",
    "bat", "cmd", "ps1", "psm1", "vbs", "vbe", "jse", "wsf", "wsh", "exe", "dll", "com", "scr", "msi", "jar",
    "apk", "app", "hta", "lnk", "elf", "so", "dylib", "cpl", "reg", "desktop", "command",
}
# Names that promise binary content: text under such a name is not what it claims to be.
BINARY_EXTENSIONS = {
    "pdf", "png", "jpg", "jpeg", "gif", "webp", "tif", "tiff", "mp4", "m4v", "mov", "mkv", "webm", "avi",
    "mp3", "wav", "flac", "ogg", "m4a", "aac", "docx", "xlsx", "pptx", "odt", "ods", "odp", "doc", "xls",
    "ppt", "zip",
}
# Zip containers that are documents, by the entries they hold.
OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
PROGRAM_MEMBERS = (".exe", ".dll", ".js", ".vbs", ".bat", ".cmd", ".ps1", ".sh", ".scr", ".msi", ".com", ".jar",
                   ".hta", ".lnk")
FILETYPE_ALIASES = {"audio/x-wav": "audio/wav", "audio/x-flac": "audio/flac", "audio/m4a": "audio/mp4"}
PROGRAM_MIMES = {
    "application/x-msdownload", "application/x-executable", "application/x-mach-binary", "application/x-elf",
    "application/x-sh", "application/vnd.android.package-archive", "application/x-shockwave-flash",
    "application/wasm", "application/x-msi",
}
HTML_ELEMENTS = {
    "html", "head", "body", "script", "iframe", "div", "p", "a", "meta", "link", "style", "title", "img", "form",
    "table", "span", "h1", "h2", "h3", "ul", "ol", "object", "embed", "base", "frameset", "svg:svg",
}
_TAG = re.compile(r"<\s*([A-Za-z][\w:.-]*)")


class Refused(ValueError):
    """Content that is never accepted (executables, scripts, misnamed content); the message says why
    (a translated sentence: ``str()`` it inside an application context)."""


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _zip_kind(path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            lowered = [n.lower() for n in names]
            if "androidmanifest.xml" in lowered and any(n.endswith(".dex") for n in lowered):
                raise Refused(_l("Android applications are never accepted."))
            if "meta-inf/manifest.mf" in lowered and any(n.endswith(".class") for n in lowered):
                raise Refused(_l("Java programs are never accepted."))
            if any(n.endswith(PROGRAM_MEMBERS) for n in lowered):
                raise Refused(_l("Archives holding programs are never accepted."))
            if "mimetype" in names:
                with archive.open("mimetype") as fh:  # bounded read: the member could be a zip bomb
                    declared = fh.read(128).decode("ascii", "replace").strip()
                if declared.startswith("application/vnd.oasis.opendocument."):
                    return declared
                if declared == "application/epub+zip":
                    return declared
            for prefix, media_type in OOXML.items():
                if any(n.startswith(prefix) for n in names):
                    return media_type
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError, NotImplementedError):
        return "application/octet-stream"
    return "application/zip"


def _decode_text(head: bytes) -> str | None:
    """The head as text (UTF-8, UTF-16 with a BOM, or Windows-1252), or None for binary content."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        decoder = codecs.getincrementaldecoder("utf-16")(errors="strict")
        try:
            return decoder.decode(head, final=False)
        except UnicodeDecodeError:
            return None
    if b"\x00" in head:
        return None
    try:
        # Not final: the head may end in the middle of a multi-byte character.
        return codecs.getincrementaldecoder("utf-8-sig")(errors="strict").decode(head, final=False)
    except UnicodeDecodeError:
        pass
    try:
        text = head.decode("cp1252")
    except UnicodeDecodeError:
        return None
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
    return None if controls > len(text) // 100 else text


def _skip_prolog(text: str) -> tuple[str, bool, bool]:
    """Skip the XML declaration, comments, processing instructions and the doctype.

    Returns (the rest, whether there was an XML declaration, whether the doctype is HTML).
    """
    xml_declared = html_doctype = False
    rest = text.lstrip("\ufeff \t\r\n")
    while rest.startswith("<"):
        if rest.startswith("<?"):
            xml_declared = xml_declared or rest[2:5].lower() == "xml"
            end = rest.find("?>")
            rest = rest[end + 2:] if end >= 0 else ""
        elif rest.startswith("<!--"):
            end = rest.find("-->")
            rest = rest[end + 3:] if end >= 0 else ""
        elif rest[:9].lower() == "<!doctype":
            html_doctype = html_doctype or rest[9:].lstrip().lower().startswith("html")
            end = rest.find(">")
            rest = rest[end + 1:] if end >= 0 else ""
        else:
            break
        rest = rest.lstrip(" \t\r\n")
    return rest, xml_declared, html_doctype


def _markup_kind(text: str) -> str | None:
    """The media type of markup by its root element, or None when the text is not markup."""
    rest, xml_declared, html_doctype = _skip_prolog(text)
    if html_doctype:
        return "text/html"
    match = _TAG.match(rest)
    if match is None:
        return "application/xml" if xml_declared else None
    root = match.group(1).lower()
    local = root.rsplit(":", 1)[-1]
    if local == "svg":
        return "image/svg+xml"
    if root == "finaldraft":
        return "application/x-final-draft"
    if root in HTML_ELEMENTS or local == "html":
        return "text/html"
    return "application/xml" if xml_declared or "xmlns" in rest[:500] else None


def _text_kind(text: str, name: str) -> str:
    markup = _markup_kind(text)
    if markup is not None:
        return markup
    ext = _extension(name)
    if ext == "fountain":
        return "text/x-fountain"
    if ext == "csv":
        return "text/csv"
    if ext in ("md", "markdown"):
        return "text/markdown"
    return "text/plain"


def detect(path, name: str) -> str:
    """The media type of the file at ``path`` (``name`` only refines text); raises Refused for programs."""
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    ext = _extension(name)
    for signature, reason in EXECUTABLE_SIGNATURES:
        if head.startswith(signature):
            raise Refused(reason)
    # A PDF may carry a few bytes of junk before its header.
    if b"%PDF-" in head[:1024]:
        return "application/pdf"
    kind = filetype.guess(head)
    if kind is not None:
        if kind.mime in PROGRAM_MIMES:
            raise Refused(_l("Programs are never accepted."))
        if kind.mime in ("application/zip", "application/x-zip-compressed", "application/epub+zip") or \
                kind.extension in ("docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "jar", "apk"):
            return _zip_kind(path)
        return FILETYPE_ALIASES.get(kind.mime, kind.mime)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: legacy Office (or an installer)
        if ext in SCRIPT_EXTENSIONS:
            raise Refused(_l("Installers are never accepted."))
        return {"xls": "application/vnd.ms-excel", "ppt": "application/vnd.ms-powerpoint"}.get(
            ext, "application/msword")
    text = _decode_text(head)
    if text is None:
        return "application/octet-stream"
    if ext in SCRIPT_EXTENSIONS:
        raise Refused(SCRIPTS)
    if text.lstrip("\ufeff \t\r\n").encode("utf-8", "replace")[:16].lower().startswith(SCRIPT_STARTS):
        raise Refused(SCRIPTS)
    if ext in BINARY_EXTENSIONS:
        raise Refused(_l("The content is text, not the .%(extension)s file its name says.", extension=ext))
    return _text_kind(text, name)


def sniff_bytes(data: bytes, name: str = "") -> str:
    """Convenience for small in-memory content (tests, previews)."""
    with tempfile.NamedTemporaryFile() as tmp:
        tmp.write(data)
        tmp.flush()
        return detect(tmp.name, name)


__all__ = ["Refused", "detect", "sniff_bytes"]
