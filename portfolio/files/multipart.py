"""A lean ``multipart/form-data`` parser for large uploads.

Werkzeug's parser copies every byte several times on its way to the file; this one reads the
request into one reusable buffer, finds the boundary with ``bytearray.find`` and hands the file
data to its container as memory views of that buffer, so that a file part costs one copy in (from
the socket) and one out (to the temporary file). It returns what Werkzeug's does (a form and a files
``MultiDict`` of ``FileStorage``), enforces the same limits (``max_form_memory_size`` per field,
``max_form_parts``), and raises ``ValueError`` on malformed input (Werkzeug's form parser then
answers with an empty form, as it does for its own parser). Line breaks must be CRLF (RFC 7578), as
every browser and HTTP library sends them.
"""
from __future__ import annotations

from werkzeug.datastructures import FileStorage, Headers, MultiDict
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import parse_options_header

CHUNK = 256 * 1024
MAX_HEADER_BYTES = 64 * 1024
SAFE_CHARSETS = {"ascii", "us-ascii", "utf-8", "iso-8859-1"}


def _parse_headers(data: bytes) -> Headers:
    headers = []
    for line in data.replace(b"\r\n ", b" ").replace(b"\r\n\t", b" ").split(b"\r\n"):
        line = line.strip(b" \t")
        if line:
            name, _, value = line.decode("utf-8", "replace").partition(":")
            headers.append((name.strip(" \t"), value.strip(" \t")))
    return Headers(headers)


def _charset(headers: Headers) -> str:
    content_type = headers.get("content-type")
    if content_type:
        charset = parse_options_header(content_type)[1].get("charset", "").lower()
        if charset in SAFE_CHARSETS:
            return charset
    return "utf-8"


def _ends_delimiter(buffer, after: int) -> bool | None:
    """Whether the delimiter that ends at ``after`` is a real one (followed by ``--``, or by optional
    spaces and a CRLF); None when more data is needed to tell."""
    data, end = buffer.data, buffer.end
    if end - after < 2:
        return None
    if data[after:after + 2] == b"--":
        return True
    i = after
    while i < end and data[i] in b" \t":
        i += 1
    if end - i < 2:
        return None
    return data[i:i + 2] == b"\r\n"


class _Buffer:
    """The unread part of the request, in one reusable buffer: ``data[start:end]``."""

    def __init__(self, stream, size: int):
        self.stream = stream
        self.data = bytearray(size + MAX_HEADER_BYTES)
        self.start = self.end = 0
        self.eof = False
        self._readinto = getattr(stream, "readinto", None)

    def fill(self) -> bool:
        """Read more; False at the end of the stream."""
        if self.eof:
            return False
        if self.start:
            # Move the unread tail (small: at most a boundary, or a header block) to the front.
            self.data[: self.end - self.start] = self.data[self.start:self.end]
            self.end -= self.start
            self.start = 0
        room = len(self.data) - self.end
        if room < CHUNK // 2:
            self.data.extend(bytes(CHUNK))
            room = len(self.data) - self.end
        if self._readinto is not None:
            with memoryview(self.data) as view:
                n = self._readinto(view[self.end:self.end + room])
        else:
            chunk = self.stream.read(room)
            n = len(chunk)
            self.data[self.end:self.end + n] = chunk
        if not n:
            self.eof = True
            return False
        self.end += n
        return True

    def find(self, needle: bytes, start: int | None = None) -> int:
        return self.data.find(needle, self.start if start is None else start, self.end)

    def take(self, n: int) -> bytes:
        value = bytes(self.data[self.start:self.start + n])
        self.start += n
        return value

    def need(self, n: int) -> None:
        while self.end - self.start < n:
            if not self.fill():
                raise ValueError("the form data ends too early")


class StreamingMultipartParser:
    """Drop-in for Werkzeug's ``MultiPartParser`` (same constructor arguments and ``parse`` result)."""

    def __init__(self, stream_factory, max_form_memory_size=None, cls=None, buffer_size=CHUNK, max_form_parts=None):
        self.stream_factory = stream_factory
        self.max_form_memory_size = max_form_memory_size
        self.max_form_parts = max_form_parts
        self.cls = cls or MultiDict
        self.buffer_size = buffer_size

    def parse(self, stream, boundary: bytes, content_length: int | None):
        buffer = _Buffer(stream, self.buffer_size)
        opening = b"--" + boundary
        delimiter = b"\r\n--" + boundary
        fields, files = [], []
        # The preamble (normally empty), up to the first boundary.
        while True:
            at = buffer.find(opening)
            if at >= 0:
                buffer.start = at + len(opening)
                break
            buffer.start = max(buffer.start, buffer.end - len(opening) + 1)
            if not buffer.fill():
                raise ValueError("no boundary in the form data")
        parts = 0
        while not self._after_boundary(buffer):
            parts += 1
            if self.max_form_parts is not None and parts > self.max_form_parts:
                raise RequestEntityTooLarge()
            headers = self._headers(buffer)
            disposition = headers.get("content-disposition")
            if disposition is None:
                raise ValueError("a part has no Content-Disposition header")
            _, options = parse_options_header(disposition)
            name = options.get("name")
            filename = options.get("filename")
            if filename is None:
                value = bytearray()
                self._body(buffer, delimiter, value.extend, limit=self.max_form_memory_size)
                fields.append((name, bytes(value).decode(_charset(headers), "replace")))
            else:
                container = self.stream_factory(
                    total_content_length=content_length, filename=filename,
                    content_type=headers.get("content-type"), content_length=0)
                self._body(buffer, delimiter, container.write)
                container.seek(0)
                files.append((name, FileStorage(container, filename, name, headers=headers)))
        while buffer.fill():  # the epilogue: read it all, so that a kept-alive connection stays in step
            buffer.start = buffer.end
        return self.cls(fields), self.cls(files)

    @staticmethod
    def _after_boundary(buffer: _Buffer) -> bool:
        """Past a boundary: True at the closing one (``--``), False before a part (CRLF)."""
        while True:
            buffer.need(2)
            if buffer.data[buffer.start:buffer.start + 2] == b"--":
                return True
            if buffer.data[buffer.start] in b" \t":  # transport padding (RFC 2046)
                buffer.start += 1
                continue
            if buffer.data[buffer.start:buffer.start + 2] == b"\r\n":
                buffer.start += 2
                return False
            raise ValueError("malformed boundary line")

    @staticmethod
    def _headers(buffer: _Buffer) -> Headers:
        buffer.need(2)
        if buffer.data[buffer.start:buffer.start + 2] == b"\r\n":
            raise ValueError("a part has no headers")
        while True:
            at = buffer.find(b"\r\n\r\n")
            if at >= 0:
                headers = _parse_headers(buffer.take(at - buffer.start))
                # Keep the blank line's CRLF: an empty body's delimiter may start with it (Werkzeug's own
                # encoder writes empty parts that way).
                buffer.start += 2
                return headers
            if buffer.end - buffer.start > MAX_HEADER_BYTES:
                raise ValueError("the headers of a part are too long")
            if not buffer.fill():
                raise ValueError("the form data ends in the headers of a part")

    @staticmethod
    def _body(buffer: _Buffer, delimiter: bytes, write, limit: int | None = None) -> None:
        """Hand the part's bytes to ``write`` up to the delimiter, which is consumed."""
        buffer.need(len(delimiter))
        if buffer.data[buffer.start:buffer.start + len(delimiter)] == delimiter:
            ends = _ends_delimiter(buffer, buffer.start + len(delimiter))
            while ends is None:
                buffer.need(buffer.end - buffer.start + 1)
                ends = _ends_delimiter(buffer, buffer.start + len(delimiter))
            if ends:
                buffer.start += len(delimiter)  # an empty body
                return
        if buffer.data[buffer.start:buffer.start + 2] != b"\r\n":
            raise ValueError("a part's headers do not end with a blank line")
        buffer.start += 2
        keep = len(delimiter) - 1
        size = 0

        def emit(stop: int) -> None:
            nonlocal size
            if stop <= buffer.start:
                return
            size += stop - buffer.start
            if limit is not None and size > limit:
                raise RequestEntityTooLarge()
            with memoryview(buffer.data) as view:
                chunk = view[buffer.start:stop]
                try:
                    write(chunk)
                finally:
                    chunk.release()  # the buffer is reused: nobody may keep a view of it
            buffer.start = stop

        while True:
            at = buffer.find(delimiter)
            if at < 0:
                emit(max(buffer.start, buffer.end - keep))
            else:
                emit(at)
                ends = _ends_delimiter(buffer, at + len(delimiter))
                if ends:
                    buffer.start = at + len(delimiter)
                    return
                if ends is False:
                    emit(at + 1)  # the boundary's text inside the content, not a delimiter line
                    continue
            if not buffer.fill():
                raise ValueError("the form data ends inside a part")
