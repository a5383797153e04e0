"""Receiving file parts from a request: each byte written once, hashed and counted on the way.

The application's request class (``UploadRequest``) gives Werkzeug's multipart parser a stream
factory that writes each uploaded file straight into a temporary file under
``UPLOAD_DIR/.incoming`` (the same file system as local storage), computing its SHA-256 and size
while it arrives and stopping with a 413 as soon as it passes ``MAX_UPLOAD_MB``. ``receive_upload``
then adopts that file as it is: no second copy, no second hashing pass. The temporary files of a
request are removed when the request ends, whatever happened.
"""
from __future__ import annotations

import hashlib
import io
import os
import queue
import tempfile
import threading

from flask import Request, current_app
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.formparser import FormDataParser, MultiPartParser

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
PARALLEL_AFTER = 8 * MiB  # smaller files are hashed and written inline: threads would cost more than they save
QUEUE_DEPTH = 8  # chunks in flight per worker (bounded memory)
WRITEBACK_EVERY = 32 * MiB  # start writing to disk early, so that the final fsync waits for little


def _write_all(raw, data) -> None:
    view = memoryview(data)
    while view:
        written = raw.write(view)
        view = view[written:]


class _ParallelSink:
    """Hashes chunks on one thread and writes them on another (both release the GIL), so that the
    request parser keeps a core of its own. Errors surface on the next ``feed`` or on ``close``."""

    def __init__(self, raw, digest, offset: int):
        self._raw = raw
        self._advised = self._written = offset
        self.error: BaseException | None = None
        self._queues = (queue.Queue(QUEUE_DEPTH), queue.Queue(QUEUE_DEPTH))
        self._threads = [
            threading.Thread(target=self._run, args=(self._queues[0], digest.update), daemon=True),
            threading.Thread(target=self._run, args=(self._queues[1], self._write), daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _run(self, chunks: queue.Queue, work) -> None:
        while True:
            chunk = chunks.get()
            if chunk is None:
                return
            if self.error is None:  # after an error, keep draining so that the producer never blocks
                try:
                    work(chunk)
                except BaseException as exc:  # noqa: BLE001 - handed to the producer
                    self.error = exc

    def _write(self, chunk: bytes) -> None:
        _write_all(self._raw, chunk)
        self._written += len(chunk)
        if self._written - self._advised >= WRITEBACK_EVERY and hasattr(os, "posix_fadvise"):
            # On Linux this starts the writeback of those pages without waiting for it (and keeps
            # the upload from crowding the page cache).
            os.posix_fadvise(self._raw.fileno(), self._advised, self._written - self._advised,
                             os.POSIX_FADV_DONTNEED)
            self._advised = self._written

    def feed(self, chunk: bytes) -> None:
        if self.error is not None:
            raise self.error
        for chunks in self._queues:
            chunks.put(chunk)

    def close(self) -> None:
        for chunks in self._queues:
            chunks.put(None)
        for thread in self._threads:
            thread.join()
        if self.error is not None:
            raise self.error


class IncomingFile:
    """A temporary file that hashes and counts what is written to it, then reads like a normal file.

    ``sha256`` and ``size`` are those of the whole content once it has been written from start to end
    in one pass (``is_complete``). Writing past ``limit`` raises ``too_large`` and stops; a failing
    disk raises ``failed``. Past 8 MiB, hashing and writing run on two threads beside the caller.
    ``discard()`` closes and removes the file; it is safe to call more than once.
    """

    def __init__(self, directory: str, limit: int, too_large: type[Exception] = UploadTooLarge,
                 failed: type[Exception] = UploadStoreUnavailable):
        fd, self.path = tempfile.mkstemp(dir=directory, prefix="up-")
        self._raw = io.FileIO(fd, "r+")
        self._reader: io.BufferedReader | None = None
        self._digest = hashlib.sha256()
        self._sink: _ParallelSink | None = None
        self.size = 0
        self.limit = limit
        self._too_large = too_large
        self._failed = failed
        self._sequential = True  # every write so far appended at the end
        self._finished = False

    def _fail(self, exc: OSError):
        return self._failed(f"The file store is unavailable ({exc.strerror or exc}); nothing was saved.")

    # -- writing (the multipart parser, or receive_upload spooling a plain stream) --------------
    def write(self, data: bytes) -> int:
        if self._finished:
            raise io.UnsupportedOperation("an IncomingFile is written once, from start to end")
        size = self.size + len(data)
        if size > self.limit:
            raise self._too_large(
                f"The file is larger than the limit of {self.limit // MiB} MB; nothing was saved.")
        try:
            if self._sink is not None:
                self._sink.feed(bytes(data))
            else:
                _write_all(self._raw, data)
                self._digest.update(data)
                if size > PARALLEL_AFTER:
                    self._sink = _ParallelSink(self._raw, self._digest, size)
        except OSError as exc:
            raise self._fail(exc) from exc
        self.size = size
        return len(data)

    def finish(self) -> None:
        """Mark the content complete; later reads start at the beginning."""
        if self._finished:
            return
        self._finished = True
        sink, self._sink = self._sink, None
        try:
            if sink is not None:
                sink.close()
        except OSError as exc:
            raise self._fail(exc) from exc
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

    def discard(self) -> None:
        sink, self._sink = self._sink, None
        if sink is not None:
            try:
                sink.close()
            except Exception:  # noqa: BLE001 - the file is being thrown away
                pass
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
    """Werkzeug's form parser reading larger chunks (fewer, cheaper parser steps on big files)."""

    def _parse_multipart(self, stream, mimetype, content_length, options):
        chunk = PARSE_CHUNK
        if self.max_form_memory_size:
            chunk = max(min(chunk, self.max_form_memory_size // 2), 4096)  # the parser's buffer must fit
        parser = MultiPartParser(stream_factory=self.stream_factory, max_form_memory_size=self.max_form_memory_size,
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
        spool = IncomingFile(incoming_dir(), max_upload_bytes())
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
