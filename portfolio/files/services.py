"""Receiving uploads: streamed to a temporary file while hashed and measured, typed from content,
checked against an allowlist, stored once per content, and attached to their owner.

Nothing is half-written: the blob reaches the store only once it is complete and accepted, and a
blob stored for a transaction that rolls back is removed again (unless another row uses it).
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from typing import BinaryIO

from flask import current_app
from sqlalchemy import event, select

from ..extensions import db
from ..storage import StorageError, get_storage
from . import detect
from .models import Attachment, StoredFile

CHUNK = 1024 * 1024
MAX_NAME = 200


class UploadError(ValueError):
    """An upload that cannot be accepted; ``status`` is the HTTP status to answer with."""

    status = 400


class FileTooLarge(UploadError):
    status = 413


class RefusedFileType(UploadError):
    status = 415


class StorageUnavailable(UploadError):
    status = 503


def max_upload_bytes() -> int:
    return int(current_app.config["MAX_UPLOAD_MB"]) * 1024 * 1024


def normalise_filename(name: str | None) -> str:
    """Unicode NFC, no directory parts or control characters, bounded length, never empty."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*').strip().strip(".")
    if not name:
        name = "file"
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: MAX_NAME - len(ext) - 1] + "." + ext
        else:
            name = name[:MAX_NAME]
    return name


def _temp_dir() -> str:
    path = os.path.join(current_app.config["UPLOAD_DIR"], ".incoming")
    os.makedirs(path, exist_ok=True)
    return path


def _spool(stream: BinaryIO, limit: int) -> tuple[str, int, str]:
    """Copy ``stream`` to a temporary file; return (path, size, sha256). Raises FileTooLarge past ``limit``."""
    digest = hashlib.sha256()
    size = 0
    fd, path = tempfile.mkstemp(dir=_temp_dir(), prefix="up-")
    try:
        with os.fdopen(fd, "wb") as out:
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > limit:
                    raise FileTooLarge(f"the file is larger than the limit of {limit // (1024 * 1024)} MB")
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        os.unlink(path)
        raise
    return path, size, digest.hexdigest()


def _forget_on_rollback(backend: str, key: str) -> None:
    """Remove a freshly stored object if the transaction that created its row rolls back."""
    session = db.session()
    pending = session.info.setdefault("new_storage_objects", [])
    pending.append((backend, key))


def receive_upload(stream: BinaryIO, filename: str, accepted: set[str] | None = None) -> tuple[StoredFile, str]:
    """Store an uploaded stream; return (stored file row, normalised name).

    Raises FileTooLarge (413), RefusedFileType (415) or StorageUnavailable (503); in every case
    nothing is left behind.
    """
    name = normalise_filename(filename)
    path, size, sha256 = _spool(stream, max_upload_bytes())
    try:
        try:
            media_type = detect.detect(path, name)
        except detect.Refused as exc:
            raise RefusedFileType(f"{name}: {exc}") from exc
        if accepted is not None and media_type not in accepted:
            raise RefusedFileType(f"{name}: files of type {media_type} are not accepted here")
        storage = get_storage()
        existing = db.session.scalar(
            select(StoredFile).where(StoredFile.backend == storage.name, StoredFile.sha256 == sha256)
        )
        if existing is not None and storage.exists(existing.key):
            return existing, name
        key = f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"
        existed_before = storage.exists(key)
        try:
            with open(path, "rb") as fh:
                storage.put(key, fh, size, media_type)
        except StorageError as exc:
            raise StorageUnavailable(f"the file store is unavailable: {exc}") from exc
        if existing is not None:
            return existing, name
        row = StoredFile(backend=storage.name, key=key, size=size, media_type=media_type, sha256=sha256)
        db.session.add(row)
        db.session.flush()
        if not existed_before:
            _forget_on_rollback(storage.name, key)
        return row, name
    finally:
        if os.path.exists(path):
            os.unlink(path)


def attach(stored: StoredFile, name: str, *, actor=None, position: int = 0, **owner) -> Attachment:
    """Attach a stored blob to its owner (``version=``, ``proof=``, ``internship=`` or ``language_certificate=``)."""
    attachment = Attachment(stored_file=stored, name=name, position=position,
                            uploaded_by_id=getattr(actor, "id", None))
    (key, value), = owner.items()
    setattr(attachment, f"{key}_id", value.id)
    db.session.add(attachment)
    db.session.flush()
    return attachment


def register_cleanup(app) -> None:
    """Delete objects stored during a transaction that rolled back; forget them after a commit."""
    from sqlalchemy.orm import Session

    @event.listens_for(Session, "after_commit")
    def _after_commit(session):
        session.info.pop("new_storage_objects", None)

    @event.listens_for(Session, "after_soft_rollback")
    def _after_rollback(session, previous_transaction):
        if previous_transaction.parent is not None and previous_transaction.nested is False:
            return
        pending = session.info.pop("new_storage_objects", None)
        if not pending:
            return
        storage = get_storage(app)
        for backend, key in pending:
            if backend == storage.name:
                try:
                    storage.delete(key)
                except StorageError:
                    app.logger.warning("could not remove orphan object %s", key)
