"""Receiving file parts from a request: each byte written once, hashed and counted on the way.

The application's request class (``UploadRequest``) parses ``multipart/form-data`` with the lean
parser of ``multipart.py`` and writes each uploaded file straight into a temporary file under
``UPLOAD_DIR/.incoming`` (the same file system as local storage), computing its SHA-256 and size
while it arrives and stopping with a 413 as soon as it passes ``MAX_UPLOAD_MB``. Past 8 MiB the
hashing runs on a thread of its own and the kernel is asked to write the file to disk as it arrives.
``receive_upload`` then adopts that file as it is: no second copy, no second hashing pass. The
temporary files of a request are removed when the request ends, whatever happened.
"""
from __future__ import annotations

import hashlib
import io
import os
import tempfile
import threading

from flask import Request, current_app
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

from .multipart import StreamingMultipartParser

PARSE_CHUNK = 256 * 1024


class UploadTooLarge(RequestEntityTooLarge):
    """A file part passed MAX_UPLOAD_MB while streaming (an HTTP error: it ends the request with a 413)."""


class UploadStoreUnavailable(HTTPException):
    """The temporary space for uploads failed (disk full, read-only): a 503."""

    code = 503
    description = "The file store is unavailable; nothing was saved."


def incoming_dir(app=None) -> str:
    """The directory of temporary upload files (``UPLOAD_DIR/.incoming``), created when missing."""
    app = app or current_app
    path = os.path.join(app.config["UPLOAD_DIR"], ".incoming")
    os.makedirs(path, exist_ok=True)
    return path


def max_upload_bytes(app=None) -> int:
    app = app or current_app
    return int(app.config["MAX_UPLOAD_MB"]) * 1024 * 1024


MiB = 1024 * 1024
WRITEBACK_AFTER = 8 * MiB  # past this size, a thread has the kernel write the file to disk as it arrives
WRITEBACK_EVERY = 32 * MiB
HASH_BLOCK = 4 * MiB


def _write_all(raw, data) -> None:
    view = memoryview(data)
    while view:
        written = raw.write(view)
        view = view[written:]


def _start_writeback_function():
    """Linux's ``sync_file_range(fd, offset, n, SYNC_FILE_RANGE_WRITE)``: start writing those pages to
    disk without waiting and without a journal commit; None elsewhere (``fdatasync`` then)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.sync_file_range
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


_sync_file_range = _start_writeback_function()
SYNC_FILE_RANGE_WRITE = 2


class _Writeback(threading.Thread):
    """Has the kernel write a large upload to disk while it still arrives (every 32 MiB, from its own
    thread), so that the ``fsync`` before the file is adopted waits for little. Errors are left to
    that final ``fsync``."""

    def __init__(self, fd: int):
        super().__init__(daemon=True)
        self._fd = fd
        self._wake = threading.Event()
        self._stopping = False
        self.written = self._synced = 0
        self.start()

    def advance(self, written: int) -> None:
        self.written = written
        if written - self._synced >= WRITEBACK_EVERY:
            self._wake.set()

    def run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._stopping:
                return
            target = self.written
            try:
                if _sync_file_range is not None:
                    if _sync_file_range(self._fd, self._synced, target - self._synced, SYNC_FILE_RANGE_WRITE):
                        return
                else:
                    getattr(os, "fdatasync", os.fsync)(self._fd)
            except OSError:
                return
            self._synced = target

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        self.join()


class _Hasher(threading.Thread):
    """Hashes a large upload on its own thread, reading back (from the page cache) what was written, so
    that the SHA-256 runs beside the parser instead of after it. ``close()`` waits for the last bytes."""

    def __init__(self, fd: int, digest, offset: int):
        super().__init__(daemon=True)
        self._fd = fd
        self._digest = digest
        self.written = self._hashed = offset
        self._wake = threading.Event()
        self._closing = False
        self.error: OSError | None = None
        self.start()

    def advance(self, written: int) -> None:
        self.written = written
        if written - self._hashed >= HASH_BLOCK:
            self._wake.set()

    def run(self) -> None:
        while True:
            while self._hashed < self.written:
                try:
                    data = os.pread(self._fd, min(HASH_BLOCK, self.written - self._hashed), self._hashed)
                except OSError as exc:
                    self.error = exc
                    return
                if not data:
                    self.error = OSError("the temporary file is shorter than what was written")
                    return
                self._digest.update(data)
                self._hashed += len(data)
            if self._closing:
                return
            self._wake.wait()
            self._wake.clear()

    def close(self) -> None:
        self._closing = True
        self._wake.set()
        self.join()
        if self.error is not None:
            raise self.error


class IncomingFile:
    """A temporary file that hashes and counts what is written to it, then reads like a normal file.

    ``sha256`` and ``size`` are those of the whole content once it has been written from start to end
    in one pass (``is_complete``); past 8 MiB the hashing runs on a thread of its own and the file is
    flushed to disk as it arrives. Writing past ``limit`` raises ``too_large`` and stops; a failing
    disk raises ``failed``. ``write`` accepts any bytes-like object and keeps no reference to it.
    ``discard()`` closes and removes the file; it is safe to call more than once.
    """

    def __init__(self, directory: str, limit: int, too_large: type[Exception] = UploadTooLarge,
                 failed: type[Exception] = UploadStoreUnavailable, filename: str | None = None):
        self.filename = filename
        fd, self.path = tempfile.mkstemp(dir=directory, prefix="up-")
        self._raw = io.FileIO(fd, "r+")
        self._reader: io.BufferedReader | None = None
        self._digest = hashlib.sha256()
        self._writeback: _Writeback | None = None
        self._hasher: _Hasher | None = None
        self.size = 0
        self.limit = limit
        self._too_large = too_large
        self._failed = failed
        self._sequential = True  # every write so far appended at the end
        self._finished = False

    def _fail(self, exc: OSError):
        current_app.logger.error("receiving an upload into %s failed: %s", self.path, exc)
        return self._failed(_("The file store is unavailable; nothing was saved. Try again later."))

    # -- writing (the multipart parser, or receive_upload spooling a plain stream) --------------
    def write(self, data: bytes) -> int:
        if self._finished:
            raise io.UnsupportedOperation("an IncomingFile is written once, from start to end")
        size = self.size + len(data)
        if size > self.limit:
            raise self._too_large(_("The file %(name)s is larger than the limit of %(limit)d MB; nothing was saved.",
                                    name=self.filename or "", limit=self.limit // MiB))
        try:
            _write_all(self._raw, data)
        except OSError as exc:
            raise self._fail(exc) from exc
        self.size = size
        if self._hasher is not None:
            self._hasher.advance(size)
            self._writeback.advance(size)
        else:
            self._digest.update(data)
            if size > WRITEBACK_AFTER:
                self._hasher = _Hasher(self._raw.fileno(), self._digest, size)
                self._writeback = _Writeback(self._raw.fileno())
        return len(data)

    def finish(self) -> None:
        """Mark the content complete; later reads start at the beginning."""
        if self._finished:
            return
        self._finished = True
        hasher, self._hasher = self._hasher, None
        try:
            if hasher is not None:
                hasher.close()
        except OSError as exc:
            raise self._fail(exc) from exc
        finally:
            self._stop_writeback()
        self._raw.seek(0)
        self._reader = io.BufferedReader(self._raw, buffer_size=256 * 1024)

    @property
    def is_complete(self) -> bool:
        return self._finished and self._sequential and not self._raw.closed

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()

    # -- reading, like any file ---------------------------------------------------------------
    def _readable(self) -> io.BufferedReader:
        if self._reader is None:
            self.finish()
        return self._reader

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._readable().seek(offset, whence)  # Werkzeug rewinds a part once received whole

    def read(self, size: int = -1) -> bytes:
        return self._readable().read(size)

    def readinto(self, buffer) -> int:
        return self._readable().readinto(buffer)

    def readline(self, size: int = -1) -> bytes:
        return self._readable().readline(size)

    def __iter__(self):
        return iter(self._readable())

    def tell(self) -> int:
        return self._readable().tell() if self._finished else self.size

    def flush(self) -> None:
        pass

    def fileno(self) -> int:
        return self._raw.fileno()

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return not self._finished

    def seekable(self) -> bool:
        return True

    @property
    def closed(self) -> bool:
        return self._raw.closed

    @property
    def name(self) -> str:
        return self.path

    def close(self) -> None:
        self.discard()

    def _stop_writeback(self) -> None:
        writeback, self._writeback = self._writeback, None
        if writeback is not None:
            writeback.stop()

    def discard(self) -> None:
        hasher, self._hasher = self._hasher, None
        if hasher is not None:
            try:
                hasher.close()
            except OSError:
                pass
        self._stop_writeback()
        self._finished = True
        self._sequential = False
        if self._reader is not None and not self._reader.closed:
            self._reader.close()
        if not self._raw.closed:
            self._raw.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.discard()


class _FormDataParser(FormDataParser):
    """Werkzeug's form parser with the lean multipart parser of ``multipart.py``."""

    def _parse_multipart(self, stream, mimetype, content_length, options):
        chunk = PARSE_CHUNK
        parser = StreamingMultipartParser(
            stream_factory=self.stream_factory, max_form_memory_size=self.max_form_memory_size,
            max_form_parts=self.max_form_parts, cls=self.cls, buffer_size=chunk)
        boundary = options.get("boundary", "").encode("ascii")
        if not boundary:
            raise ValueError("Missing boundary")
        form, files = parser.parse(stream, boundary, content_length)
        return stream, form, files


class UploadRequest(Request):
    """Flask's request, with file parts streamed into ``IncomingFile``s and removed when the request ends."""

    form_data_parser_class = _FormDataParser

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
        spool = IncomingFile(incoming_dir(), max_upload_bytes(), filename=name)
        self.__dict__.setdefault("_incoming_files", []).append(spool)
        return spool

    def close(self) -> None:
        try:
            super().close()
        finally:
            for spool in self.__dict__.pop("_incoming_files", ()):
                spool.discard()


def uploaded_files(request, field: str) -> list:
    """The files sent in the form field ``field`` (repeatable), without the empty parts browsers send.

    Each item is a Werkzeug ``FileStorage``: ``.filename`` is the name the client gave and ``.stream``
    the content, to pass to ``receive_upload(upload.stream, upload.filename, accepted)``.
    """
    return [upload for upload in request.files.getlist(field)
            if upload.filename or (isinstance(upload.stream, IncomingFile) and upload.stream.size)]
