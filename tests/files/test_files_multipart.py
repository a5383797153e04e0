"""The lean multipart parser gives what Werkzeug's gives, whatever the chunking of the request."""
from __future__ import annotations

import io
import os
import random

import pytest
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import MultiPartParser
from werkzeug.test import EnvironBuilder

from portfolio.files.multipart import StreamingMultipartParser


class Trickle(io.RawIOBase):
    """A stream handing out its bytes in small random pieces, like a slow socket."""

    def __init__(self, data: bytes, seed: int, largest: int = 97):
        self._data = memoryview(data)
        self._random = random.Random(seed)
        self._largest = largest

    def readable(self):
        return True

    def readinto(self, buffer):
        n = min(len(buffer), self._random.randint(1, self._largest), len(self._data))
        buffer[:n] = self._data[:n]
        self._data = self._data[n:]
        return n


class Container(io.BytesIO):
    pass


def encode(fields: dict, files: list[tuple[str, bytes, str]]):
    builder = EnvironBuilder(method="POST", data=dict(fields), content_type="multipart/form-data")
    for field, content, name in files:
        builder.files.add_file(field, io.BytesIO(content), name, content_type="application/octet-stream")
    environ = builder.get_environ()
    boundary = environ["CONTENT_TYPE"].split("boundary=", 1)[1].strip('"').encode()
    return environ["wsgi.input"].read(), boundary


def parse_with(parser_class, body: bytes, boundary: bytes, stream=None, **limits):
    parser = parser_class(stream_factory=lambda **kw: Container(), **limits)
    form, files = parser.parse(stream or io.BytesIO(body), boundary, len(body))
    return ([(k, v) for k, v in form.items(multi=True)],
            [(k, f.filename, f.headers.get("content-type"), f.stream.getvalue()) for k, f in files.items(multi=True)])


CASES = [
    ({"title": "Scénario", "type": "film"}, [("file", os.urandom(10_000), "Film final é.mp4")]),
    ({}, [("file", b"", "empty.txt"), ("file", b"\r\n--\r\n" * 200, "crlf.bin")]),
    ({"a": "", "b": "x" * 2_000}, []),
    ({"competences": "BC01.1"}, [("file", b"%PDF-1.4\n" + bytes(range(256)) * 20, "a.pdf"),
                                 ("other", b"\r", "cr.bin"), ("file", b"\r\n-", "dash.bin")]),
]


@pytest.mark.parametrize("fields, files", CASES)
def test_same_result_as_werkzeug(fields, files):
    body, boundary = encode(fields, files)
    expected = parse_with(MultiPartParser, body, boundary)
    assert parse_with(StreamingMultipartParser, body, boundary) == expected
    for seed in range(6):
        for largest in (1, 5, 97):  # pieces cut the boundary and the headers at every place
            stream = Trickle(body, seed, largest)
            assert parse_with(StreamingMultipartParser, body, boundary, stream=stream) == expected


def test_content_that_looks_like_a_boundary_is_kept():
    boundary = b"XyZ"
    content = b"--XyZ is not a boundary here\r\n--XyZa neither\r\n-XyZ\r\n--Xy"
    body = (b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\n" + content
            + b"\r\n--XyZ--\r\n")
    for stream in (io.BytesIO(body), Trickle(body, 1, largest=3)):
        _, files = parse_with(StreamingMultipartParser, body, boundary, stream=stream)
        assert files == [("file", "a.txt", None, content)]


def test_rfc2231_file_names_and_preamble():
    body = (b"preamble\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''D%C3%A9coupage.pdf"
            b"\r\nContent-Type: application/pdf\r\n\r\n%PDF\r\n--b--\r\nepilogue")
    _, files = parse_with(StreamingMultipartParser, body, b"b")
    assert files == [("file", "Découpage.pdf", "application/pdf", b"%PDF")]


@pytest.mark.parametrize("body", [
    b"",
    b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunfinished",
    b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--\r\n",
    b"--b\r\nContent-Disposition: form-data; name=\"a\"",
    b"no boundary at all",
])
def test_malformed_forms_are_value_errors(body):
    with pytest.raises(ValueError):
        parse_with(StreamingMultipartParser, body, b"b")


def test_limits_of_fields_and_parts():
    body, boundary = encode({"big": "x" * 5000}, [])
    with pytest.raises(RequestEntityTooLarge):
        parse_with(StreamingMultipartParser, body, boundary, max_form_memory_size=1000)
    body, boundary = encode({f"f{i}": "v" for i in range(5)}, [])
    with pytest.raises(RequestEntityTooLarge):
        parse_with(StreamingMultipartParser, body, boundary, max_form_parts=3)
    # A file part is not a field: its size is limited by MAX_UPLOAD_MB, not max_form_memory_size.
    body, boundary = encode({}, [("file", b"y" * 50_000, "y.bin")])
    _, files = parse_with(StreamingMultipartParser, body, boundary, max_form_memory_size=1000)
    assert len(files[0][3]) == 50_000
