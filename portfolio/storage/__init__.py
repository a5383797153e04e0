"""File storage: one interface, a backend per deployment (``local`` or ``s3``).

Objects are addressed by key; the platform stores blobs under their SHA-256, so an object is written
once and never overwritten. Backends raise ``StorageError`` when the store cannot be reached or
fails midway; callers turn it into a 503 and leave nothing half-written.
"""
from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterator
from typing import BinaryIO, Protocol
from urllib.parse import quote

from flask import current_app


class StorageError(RuntimeError):
    """The storage backend failed or could not be reached."""


class Storage(Protocol):
    name: str

    def put(self, key: str, fileobj: BinaryIO, size: int, media_type: str) -> None:
        """Store the content of ``fileobj`` (seekable, at position 0) under ``key``. Never overwrites."""

    def put_file(self, key: str, path: str | os.PathLike, size: int, media_type: str) -> None:
        """Store the complete file at ``path`` under ``key`` (the caller removes ``path``). Never overwrites."""

    def exists(self, key: str) -> bool: ...

    def size(self, key: str) -> int | None:
        """The stored size, or None when the object is missing."""

    def open(self, key: str) -> BinaryIO:
        """A readable stream of the object (read it in chunks)."""

    def delete(self, key: str) -> None: ...

    def iter_keys(self) -> Iterator[str]:
        """Every key in the store (for ``flask storage check``)."""

    def signed_url(self, key: str, filename: str, media_type: str, inline: bool, expires: int = 300) -> str | None:
        """A short-lived URL the client may fetch directly, or None when the app must stream it."""


def get_storage(app=None) -> Storage:
    """The configured backend, created once per application."""
    app = app or current_app
    storage = app.extensions.get("portfolio_storage")
    if storage is None:
        backend = app.config["STORAGE_BACKEND"]
        if backend == "local":
            from .local import LocalStorage

            storage = LocalStorage(app.config["UPLOAD_DIR"])
        elif backend == "s3":
            from .s3 import S3Storage

            part = int(app.config.get("S3_MULTIPART_MB") or 64) * 1024 * 1024
            storage = S3Storage(
                bucket=app.config["S3_BUCKET"],
                endpoint_url=app.config.get("S3_ENDPOINT_URL"),
                region=app.config.get("S3_REGION"),
                multipart_threshold=part,
                multipart_chunksize=part,
            )
        else:
            raise RuntimeError(f"unknown STORAGE_BACKEND {backend!r}: use 'local' or 's3'")
        app.extensions["portfolio_storage"] = storage
    return storage


def content_disposition(filename: str, inline: bool) -> str:
    """A ``Content-Disposition`` value: an ASCII fallback name and the exact name as ``filename*`` (RFC 6266)."""
    fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    fallback = "".join(ch for ch in fallback if ch.isprintable() and ch not in '"\\;').strip() or "file"
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
