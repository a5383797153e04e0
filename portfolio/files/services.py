"""Receiving uploads: streamed to a temporary file while hashed and measured, typed from content,
checked against an allowlist, scanned when ClamAV is configured, stored once per content, and
attached to their owner.

Nothing is half-written: the blob reaches the store only once it is complete and accepted, and a
blob stored for a transaction that does not commit (rolled back, or closed without a commit) is
removed again. Temporary files are always removed.

Views and API endpoints read files from a request like this (see ``uploads.py``)::

    for upload in uploaded_files(request, "file"):
        stored, name = receive_upload(upload.stream, upload.filename, accepted)
        attach(stored, name, actor=user, version=version)
"""
from __future__ import annotations

import hashlib
import logging
import unicodedata
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..extensions import db
from ..storage import StorageError, get_storage
from . import detect, scan
from .models import Attachment, StoredFile
from .uploads import IncomingFile, incoming_dir, uploaded_files
from .uploads import max_upload_bytes as _max_upload_bytes

CHUNK = 1024 * 1024
MAX_NAME = 200
OWNERS = ("version", "proof", "internship", "language_certificate")
log = logging.getLogger(__name__)

__all__ = [
    "UploadError", "FileTooLarge", "RefusedFileType", "InfectedFile", "StorageUnavailable", "normalise_filename",
    "receive_upload", "attach", "store_derived", "uploaded_files", "register_cleanup", "max_upload_bytes",
]


class UploadError(ValueError):
    """An upload that cannot be accepted; ``status`` is the HTTP status to answer with."""

    status = 400


class FileTooLarge(UploadError):
    status = 413


class RefusedFileType(UploadError):
    status = 415


class InfectedFile(RefusedFileType):
    """ClamAV found malware in the file; nothing is kept."""

    status = 422


class StorageUnavailable(UploadError):
    status = 503


def max_upload_bytes() -> int:
    return _max_upload_bytes()


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


def _spool(stream: BinaryIO, name: str) -> IncomingFile:
    """Copy a plain stream into a new IncomingFile (hashed and counted); FileTooLarge past the limit."""
    spool = IncomingFile(incoming_dir(), max_upload_bytes(), too_large=FileTooLarge, failed=StorageUnavailable,
                         filename=name)
    try:
        while True:
            chunk = stream.read(CHUNK)
            if not chunk:
                break
            spool.write(chunk)
        spool.finish()
    except BaseException:
        spool.discard()
        raise
    return spool


def _key_for(sha256: str) -> str:
    return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def receive_upload(stream: BinaryIO, filename: str, accepted: set[str] | None = None) -> tuple[StoredFile, str]:
    """Store an uploaded stream; return (stored file row, normalised name).

    ``stream`` is any readable binary stream; a request's file part (an ``IncomingFile``) is adopted
    without being copied again. ``accepted`` is the allowlist of media types (None: any type that is
    not refused). The same content is stored once: a second upload returns the existing row.

    Raises FileTooLarge (413), RefusedFileType (415; InfectedFile, 422, when ClamAV finds malware) or
    StorageUnavailable (503); in every case nothing is left behind.
    """
    name = normalise_filename(filename)
    own_spool = None
    if isinstance(stream, IncomingFile) and stream.is_complete:
        spool = stream
    else:
        spool = own_spool = _spool(stream, name)
    try:
        if spool.size > max_upload_bytes():
            raise FileTooLarge(_("The file %(name)s is larger than the limit of %(limit)d MB; nothing was saved.",
                                 name=name, limit=max_upload_bytes() // 2**20))
        if spool.size == 0:
            raise RefusedFileType(_("The file %(name)s is empty.", name=name))
        try:
            media_type = detect.detect(spool.path, name)
        except detect.Refused as exc:
            raise RefusedFileType(_("The file %(name)s was refused: %(reason)s", name=name, reason=str(exc))) \
                from exc
        if accepted is not None and media_type not in accepted:
            raise RefusedFileType(_("The file %(name)s is of type %(type)s, which is not accepted here.",
                                    name=name, type=media_type))
        return _store(spool, name, media_type), name
    finally:
        if own_spool is not None:
            own_spool.discard()


def _store(spool: IncomingFile, name: str, media_type: str) -> StoredFile:
    storage = get_storage()
    sha256, size = spool.sha256, spool.size
    try:
        existing = db.session.scalar(
            select(StoredFile).where(StoredFile.backend == storage.name, StoredFile.sha256 == sha256)
        )
        if existing is not None and storage.exists(existing.key):
            return existing
        scan_status = existing.scan_status if existing is not None else _scan(spool.path, name)
        key = existing.key if existing is not None else _key_for(sha256)
        existed_before = storage.exists(key)
        if not existed_before:
            _put(storage, key, spool, size, media_type)
            _forget_on_rollback(storage, key)
    except StorageError as exc:
        log.error("storing %s failed: %s", name, exc)
        raise StorageUnavailable(_("The file store is unavailable; nothing was saved. Try again later.")) from exc
    if existing is not None:
        return existing
    row = StoredFile(backend=storage.name, key=key, size=size, media_type=media_type, sha256=sha256,
                     scan_status=scan_status)
    return _insert_or_existing(row)


def _put(storage, key: str, spool: IncomingFile, size: int, media_type: str) -> None:
    put_file = getattr(storage, "put_file", None)
    if put_file is not None:
        put_file(key, spool.path, size, media_type)
    else:
        with open(spool.path, "rb") as fh:
            storage.put(key, fh, size, media_type)


def _insert_or_existing(row: StoredFile) -> StoredFile:
    """Insert a stored-file row; when another transaction inserted the same content first, use its row."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        existing = db.session.scalar(
            select(StoredFile).where(StoredFile.backend == row.backend, StoredFile.key == row.key))
        if existing is None:
            raise
        _keep(row.key)  # the object belongs to the row another transaction committed
        return existing
    return row


def _scan(path: str, name: str) -> str:
    """The scan status of a new blob; raises InfectedFile when ClamAV finds malware."""
    if not scan.is_configured():
        return "not_scanned"
    try:
        verdict, signature = scan.scan_file(path)
    except scan.ScanUnavailable as exc:
        current_app.logger.warning("ClamAV unavailable, %s held back until scanned: %s", name, exc)
        return "pending"
    if verdict == "infected":
        raise InfectedFile(_("The antivirus found %(signature)s in the file %(name)s; it was not kept.",
                             signature=signature, name=name))
    return "clean"


def store_derived(data: bytes, media_type: str) -> StoredFile:
    """Store content the platform made itself (a preview image), once per content; no type detection.

    Raises StorageUnavailable.
    """
    spool = IncomingFile(incoming_dir(), max(len(data), 1), too_large=FileTooLarge, failed=StorageUnavailable)
    try:
        spool.write(data)
        spool.finish()
        return _store_generated(spool, media_type)
    finally:
        spool.discard()


def _store_generated(spool: IncomingFile, media_type: str) -> StoredFile:
    storage = get_storage()
    try:
        existing = db.session.scalar(
            select(StoredFile).where(StoredFile.backend == storage.name, StoredFile.sha256 == spool.sha256))
        key = existing.key if existing is not None else _key_for(spool.sha256)
        if not storage.exists(key):
            _put(storage, key, spool, spool.size, media_type)
            _forget_on_rollback(storage, key)
    except StorageError as exc:
        log.error("storing a preview failed: %s", exc)
        raise StorageUnavailable(_("The file store is unavailable; nothing was saved. Try again later.")) from exc
    if existing is not None:
        return existing
    return _insert_or_existing(StoredFile(backend=storage.name, key=key, size=spool.size, media_type=media_type,
                                          sha256=spool.sha256, scan_status="not_scanned"))


def attach(stored: StoredFile, name: str, *, actor=None, position: int = 0, **owner) -> Attachment:
    """Attach a stored blob to its owner (``version=``, ``proof=``, ``internship=`` or ``language_certificate=``)."""
    if len(owner) != 1 or next(iter(owner)) not in OWNERS:
        raise TypeError(f"attach() takes exactly one owner among {', '.join(OWNERS)}")
    attachment = Attachment(stored_file=stored, name=normalise_filename(name), position=position,
                            uploaded_by_id=getattr(actor, "id", None))
    (key, value), = owner.items()
    setattr(attachment, f"{key}_id", value.id)
    db.session.add(attachment)
    db.session.flush()
    return attachment


def sha256_of(stream: BinaryIO) -> tuple[str, int]:
    """The SHA-256 and size of a stream, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


# --- removing objects stored by a transaction that does not commit ------------------------------------

_PENDING = "portfolio_new_storage_objects"


def _current_transaction(session: Session):
    return session.get_nested_transaction() or session.get_transaction()


def _forget_on_rollback(storage, key: str) -> None:
    """Remove ``key`` again unless the transaction (or savepoint) now in progress commits."""
    session = db.session()
    transaction = _current_transaction(session)
    if transaction is None:  # no transaction: begin one, so that the row and the object share its fate
        transaction = session.begin()
    session.info.setdefault(_PENDING, {}).setdefault(transaction, []).append((storage, key))


def _keep(key: str) -> None:
    for objects in db.session().info.get(_PENDING, {}).values():
        objects[:] = [(storage, k) for storage, k in objects if k != key]


def _after_commit(session: Session) -> None:
    """A transaction or a savepoint committed: its objects now live or die with the enclosing one."""
    pending = session.info.get(_PENDING)
    if not pending:
        return
    transaction = _current_transaction(session)
    objects = pending.pop(transaction, None)
    if objects and transaction is not None and transaction.parent is not None:
        pending.setdefault(transaction.parent, []).extend(objects)


def _after_transaction_end(session: Session, transaction) -> None:
    """A transaction ended without committing (rolled back, or closed): remove what it stored."""
    pending = session.info.get(_PENDING)
    if not pending:
        return
    objects = pending.pop(transaction, None)
    for storage, key in objects or ():
        try:
            storage.delete(key)
        except StorageError:
            log.warning("could not remove the orphan object %s; `flask storage check` lists it", key)


_listening = False


def register_cleanup(app) -> None:
    """Delete objects stored during a transaction that does not commit; keep them after a commit.

    Listens once for the whole process (every Session); each pending object remembers its own store.
    """
    global _listening
    if not _listening:
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_transaction_end", _after_transaction_end)
        _listening = True
