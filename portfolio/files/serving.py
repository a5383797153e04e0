"""Sending a stored file to a browser or an API client without giving it a way to run code on our origin.

Only content a browser renders safely (PDF, raster images, video, sound, plain text) is sent inline;
everything else (HTML, SVG, XML, office documents, archives) is an attachment. Every response says
``nosniff`` and sandboxes the document. Local files are streamed with Range support (video seeking);
on S3 the client is redirected to a short-lived presigned URL carrying the same disposition.
"""
from __future__ import annotations

from flask import abort, current_app, redirect, send_file
from flask_babel import gettext as _

from ..storage import StorageError, get_storage
from .models import StoredFile

INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/bmp"}
TEXT_TYPES = {"text/plain", "text/csv", "text/markdown", "text/x-fountain"}
URL_LIFETIME = 300  # seconds a presigned URL stays valid


def delivery(media_type: str) -> tuple[str, bool]:
    """(the Content-Type to send, whether it may be shown inline) for a stored media type."""
    if media_type in INLINE_TYPES or media_type.startswith(("video/", "audio/")):
        return media_type, True
    if media_type in TEXT_TYPES:
        return "text/plain; charset=utf-8", True
    return media_type or "application/octet-stream", False


def _harden(response, *, immutable: bool = False):
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    headers["Cache-Control"] = "private, max-age=31536000, immutable" if immutable else "private, no-cache"
    return response


def ensure_available(stored: StoredFile) -> None:
    """Abort 409 while the antivirus holds the file back."""
    if stored.scan_status == "pending":
        abort(409, description=_("This file is waiting for its antivirus scan; try again later."))
    if stored.scan_status == "infected":
        abort(409, description=_("The antivirus found malware in this file; it cannot be downloaded."))


def serve_stored(stored: StoredFile, filename: str, *, immutable: bool = False):
    """The response sending ``stored`` under ``filename``: streamed (local) or a redirect (S3)."""
    ensure_available(stored)
    storage = get_storage()
    if stored.backend != storage.name:
        abort(503, description=_("This file is kept in another store, not reachable from here."))
    media_type, inline = delivery(stored.media_type)
    try:
        url = storage.signed_url(stored.key, filename, media_type, inline, expires=URL_LIFETIME)
    except StorageError:
        abort(503, description=_("The file store is unavailable; try again later."))
    if url is not None:
        response = redirect(url, code=302)
        response.headers["Cache-Control"] = "no-store"
        return response
    path = storage.local_path(stored.key)
    if not path.is_file():
        current_app.logger.error("stored file %s (%s) is missing from local storage", stored.id, stored.key)
        abort(503, description=_("The file is missing from the store."))
    # Werkzeug adds "; charset=utf-8" to text types itself.
    response = send_file(path, mimetype=media_type.split(";")[0], as_attachment=not inline, download_name=filename,
                         conditional=True, etag=stored.sha256, max_age=None)
    return _harden(response, immutable=immutable)
