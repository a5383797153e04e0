"""The upload pipeline on the local store: atomic, never overwriting, deduplicated, cleaned up, streamed."""
from __future__ import annotations

import hashlib
import io
import os

import pytest
from file_samples import ELF, pdf_bytes, png_bytes
from files_support import incoming_files, stored_keys
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from portfolio.extensions import db
from portfolio.files.models import StoredFile
from portfolio.files.services import (
    FileTooLarge,
    RefusedFileType,
    receive_upload,
    uploaded_files,
)
from portfolio.files.uploads import IncomingFile, UploadTooLarge


def row_count() -> int:
    return db.session.scalar(select(func.count()).select_from(StoredFile))


def test_upload_is_stored_under_its_hash_with_its_facts(local_store):
    data = pdf_bytes()
    stored, name = receive_upload(io.BytesIO(data), "../../etc/Dossier de production.pdf")
    sha = hashlib.sha256(data).hexdigest()
    assert name == "Dossier de production.pdf"
    assert (stored.backend, stored.size, stored.media_type) == ("local", len(data), "application/pdf")
    assert stored.sha256 == sha
    assert stored.key == f"sha256/{sha[:2]}/{sha[2:4]}/{sha}"
    assert stored.scan_status == "not_scanned"
    assert local_store.local_path(stored.key).read_bytes() == data
    assert incoming_files(local_store.root) == []


def test_put_is_atomic_and_never_overwrites(local_store):
    key = "sha256/aa/bb/aabb"
    local_store.put(key, io.BytesIO(b"first"), 5, "text/plain")
    local_store.put(key, io.BytesIO(b"second"), 6, "text/plain")
    assert local_store.local_path(key).read_bytes() == b"first"
    # Written beside the target under a temporary dot-name, then linked: no temporary file remains.
    assert sorted(os.listdir(local_store.local_path(key).parent)) == ["aabb"]
    assert stored_keys(local_store) == [key]


def test_a_refused_key_never_escapes_the_root(local_store):
    for key in ("../x", "/etc/passwd", "a/../../x", ".incoming/up-1", ""):
        with pytest.raises(ValueError):
            local_store.local_path(key)


def test_the_same_bytes_are_stored_once(local_store):
    data = png_bytes()
    first, _ = receive_upload(io.BytesIO(data), "a.png")
    second, name = receive_upload(io.BytesIO(data), "b.png")
    assert second.id == first.id and name == "b.png"
    assert len(stored_keys(local_store)) == 1
    assert db.session.scalar(select(func.count()).where(StoredFile.sha256 == first.sha256)) == 1


def test_a_missing_object_is_written_again_for_its_existing_row(local_store):
    data = png_bytes(color=(1, 2, 3))
    stored, _ = receive_upload(io.BytesIO(data), "a.png")
    db.session.commit()
    local_store.local_path(stored.key).unlink()
    again, _ = receive_upload(io.BytesIO(data), "a.png")
    assert again.id == stored.id
    assert local_store.local_path(stored.key).read_bytes() == data


def test_a_rolled_back_upload_leaves_no_object(local_store):
    stored, _ = receive_upload(io.BytesIO(png_bytes(color=(9, 9, 9))), "a.png")
    path = local_store.local_path(stored.key)
    assert path.exists()
    db.session.rollback()
    assert not path.exists()
    assert stored_keys(local_store) == []


def test_a_committed_upload_survives_a_later_rollback(local_store):
    stored, _ = receive_upload(io.BytesIO(png_bytes(color=(8, 8, 8))), "a.png")
    db.session.commit()
    db.session.rollback()
    assert local_store.local_path(stored.key).exists()


def test_a_session_closed_without_commit_leaves_no_object(local_store):
    stored, _ = receive_upload(io.BytesIO(png_bytes(color=(7, 7, 7))), "a.png")
    path = local_store.local_path(stored.key)
    db.session.close()  # what the request teardown does when a view aborts before its commit
    assert not path.exists()


def test_savepoints_keep_or_remove_only_their_own_objects(local_store):
    outer, _ = receive_upload(io.BytesIO(png_bytes(color=(1, 1, 1))), "outer.png")
    savepoint = db.session.begin_nested()
    inner, _ = receive_upload(io.BytesIO(png_bytes(color=(2, 2, 2))), "inner.png")
    savepoint.rollback()
    assert not local_store.local_path(inner.key).exists()
    assert local_store.local_path(outer.key).exists()  # the enclosing transaction is still alive

    with db.session.begin_nested():
        kept, _ = receive_upload(io.BytesIO(png_bytes(color=(3, 3, 3))), "kept.png")
    assert local_store.local_path(kept.key).exists()  # a released savepoint is not a commit…
    db.session.rollback()
    assert not local_store.local_path(kept.key).exists()  # …its objects die with the transaction
    assert not local_store.local_path(outer.key).exists()
    assert stored_keys(local_store) == []


def test_an_oversized_stream_is_refused_and_leaves_nothing(app, local_store, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    source = CountingStream(b"\0" * (3 * 1024 * 1024))
    with pytest.raises(FileTooLarge) as caught:
        receive_upload(source, "big.bin")
    assert caught.value.status == 413
    assert source.read_bytes <= 2 * 1024 * 1024 + 1  # stopped while streaming, not after reading it all
    assert stored_keys(local_store) == [] and incoming_files(local_store.root) == []


def test_a_renamed_executable_is_refused_and_leaves_nothing(local_store):
    before = row_count()
    with pytest.raises(RefusedFileType) as caught:
        receive_upload(io.BytesIO(ELF), "dossier.pdf")
    assert caught.value.status == 415 and "ELF" in str(caught.value)
    assert stored_keys(local_store) == [] and incoming_files(local_store.root) == []
    assert row_count() == before


def test_a_type_outside_the_allowlist_is_refused(local_store):
    with pytest.raises(RefusedFileType, match="image/png"):
        receive_upload(io.BytesIO(png_bytes()), "a.png", accepted={"application/pdf"})
    assert stored_keys(local_store) == []


def test_an_empty_file_is_refused(local_store):
    with pytest.raises(RefusedFileType, match="empty"):
        receive_upload(io.BytesIO(b""), "empty.pdf")


# --- through a request: the app's request class streams file parts into hashed temporary files ----------

class CountingStream(io.BytesIO):
    """A readable stream that counts what has been read from it."""

    read_bytes = 0

    def read(self, size=-1):
        data = super().read(size)
        self.read_bytes += len(data)
        return data

    def readinto(self, buffer):
        n = super().readinto(buffer)
        self.read_bytes += n
        return n

    def read1(self, size=-1):
        data = super().read1(size)
        self.read_bytes += len(data)
        return data


def multipart(files: list[tuple[str, bytes, str]], fields: dict | None = None):
    """(body, content type) of a multipart form."""
    builder = EnvironBuilder(method="POST", data={
        **(fields or {}), **{f"{field}": (io.BytesIO(data), name) for field, data, name in files[:1]}})
    for field, data, name in files[1:]:
        builder.files.add_file(field, io.BytesIO(data), name)
    environ = builder.get_environ()
    body = environ["wsgi.input"].read()
    return body, environ["CONTENT_TYPE"]


def test_request_files_are_hashed_while_received_and_adopted_without_a_copy(app, local_store):
    pdf, png = pdf_bytes(), png_bytes()
    body, content_type = multipart([("file", pdf, "a.pdf"), ("file", png, "b.png"), ("file", b"", "")],
                                   {"title": "x"})
    with app.test_request_context("/upload", method="POST", data=body, content_type=content_type):
        from flask import request

        uploads = uploaded_files(request, "file")
        assert [u.filename for u in uploads] == ["a.pdf", "b.png"]  # the empty part is left out
        spool = uploads[0].stream
        assert isinstance(spool, IncomingFile) and spool.is_complete
        assert spool.sha256 == hashlib.sha256(pdf).hexdigest() and spool.size == len(pdf)
        assert os.path.dirname(spool.path) == str(local_store.root / ".incoming")
        inode = os.stat(spool.path).st_ino
        stored = [receive_upload(u.stream, u.filename)[0] for u in uploads]
        # The object is the very file the parser wrote: each byte written once.
        assert os.stat(local_store.local_path(stored[0].key)).st_ino == inode
        assert local_store.local_path(stored[1].key).read_bytes() == png
        assert request.form["title"] == "x"
    assert incoming_files(local_store.root) == []  # removed when the request ended
    assert len(stored_keys(local_store)) == 2


def test_the_plain_getlist_loop_works_too(app, local_store):
    body, content_type = multipart([("file", png_bytes(), "a.png")])
    with app.test_request_context("/upload", method="POST", data=body, content_type=content_type):
        from flask import request

        for upload in request.files.getlist("file"):
            stored, name = receive_upload(upload.stream, upload.filename, {"image/png"})
            assert (stored.media_type, name) == ("image/png", "a.png")


def test_a_request_over_the_limit_stops_while_streaming_with_413(app, local_store, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    body, content_type = multipart([("file", b"\0" * (4 * 1024 * 1024), "big.bin")])
    source = CountingStream(body)
    with app.test_request_context("/upload", method="POST", input_stream=source, content_length=len(body),
                                  content_type=content_type):
        from flask import request

        with pytest.raises(UploadTooLarge) as caught:
            request.files  # noqa: B018 - parsing happens here
        assert caught.value.code == 413
        assert source.read_bytes < 2 * 1024 * 1024  # the parser stopped early, it did not read the whole body
    assert incoming_files(local_store.root) == [] and stored_keys(local_store) == []


def test_a_truncated_request_leaves_no_temporary_file(app, local_store):
    body, content_type = multipart([("file", pdf_bytes(), "a.pdf")])
    with app.test_request_context("/upload", method="POST", data=body[: len(body) // 2], content_type=content_type):
        from flask import request

        assert uploaded_files(request, "file") == []
        assert len(incoming_files(local_store.root)) == 1  # the part that was being received
    assert incoming_files(local_store.root) == []


def test_a_renamed_executable_in_a_request_leaves_nothing(app, local_store):
    body, content_type = multipart([("file", ELF, "dossier.pdf")])
    with app.test_request_context("/upload", method="POST", data=body, content_type=content_type):
        from flask import request

        (upload,) = uploaded_files(request, "file")
        with pytest.raises(RefusedFileType):
            receive_upload(upload.stream, upload.filename)
    assert incoming_files(local_store.root) == [] and stored_keys(local_store) == []


def test_a_large_part_is_hashed_while_received_and_flushed_as_it_arrives(app, local_store):
    from portfolio.files import uploads

    data = pdf_bytes() + os.urandom(uploads.WRITEBACK_AFTER + 3 * 1024 * 1024 + 17)
    body, content_type = multipart([("file", data, "big.pdf")])
    with app.test_request_context("/upload", method="POST", data=body, content_type=content_type):
        from flask import request

        (upload,) = uploaded_files(request, "file")
        assert upload.stream.sha256 == hashlib.sha256(data).hexdigest() and upload.stream.size == len(data)
        assert upload.stream.read(5) == b"%PDF-"
        stored, _ = receive_upload(upload.stream, upload.filename)
        assert local_store.local_path(stored.key).read_bytes() == data
    assert incoming_files(local_store.root) == []


def test_a_disk_failing_while_receiving_is_a_503_with_nothing_left(app, local_store, monkeypatch, caplog):
    from portfolio.files import uploads

    real_write = uploads._write_all
    calls = {"n": 0}

    def failing_write(raw, data):
        calls["n"] += 1
        if calls["n"] > 60:  # well into the file (15 MiB)
            raise OSError(28, "No space left on device")
        real_write(raw, data)

    monkeypatch.setattr(uploads, "_write_all", failing_write)
    body, content_type = multipart([("file", os.urandom(24 * 1024 * 1024), "big.bin")])
    with app.test_request_context("/upload", method="POST", data=body, content_type=content_type):
        from flask import request

        with pytest.raises(uploads.UploadStoreUnavailable) as caught:
            request.files  # noqa: B018
        assert caught.value.code == 503
    assert "No space left on device" in caplog.text  # the cause is logged for the administrators
    assert incoming_files(local_store.root) == [] and stored_keys(local_store) == []


def test_an_interrupted_upload_is_a_clear_error_with_nothing_left(app, local_store):
    from werkzeug.exceptions import ClientDisconnected

    body, content_type = multipart([("file", pdf_bytes() + os.urandom(2 * 1024 * 1024), "a.pdf")])
    cut = io.BytesIO(body[: len(body) // 2])  # the client said how long the body is, then went away
    with app.test_request_context("/upload", method="POST", input_stream=cut, content_type=content_type,
                                  environ_overrides={"CONTENT_LENGTH": str(len(body))}):
        from flask import request

        with pytest.raises(ClientDisconnected) as caught:
            request.files  # noqa: B018
        assert caught.value.code == 400
    assert incoming_files(local_store.root) == [] and stored_keys(local_store) == []
