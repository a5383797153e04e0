"""ClamAV's INSTREAM protocol, against a small fake clamd that speaks it over TCP and over a Unix socket."""
from __future__ import annotations

import io
import os
import socket
import struct
import tempfile
import threading

import pytest
from file_samples import EICAR, pdf_bytes
from files_support import free_port, incoming_files, stored_keys
from sqlalchemy import func, select

from portfolio.extensions import db
from portfolio.files import scan
from portfolio.files.models import StoredFile
from portfolio.files.services import InfectedFile, RefusedFileType, receive_upload


class FakeClamd:
    """Answers INSTREAM like clamd: ``stream: OK``, or ``stream: Eicar-Test-Signature FOUND`` for EICAR."""

    def __init__(self, family=socket.AF_INET, path: str | None = None):
        self.listener = socket.socket(family, socket.SOCK_STREAM)
        if family == socket.AF_INET:
            self.listener.bind(("127.0.0.1", 0))
            self.port = self.listener.getsockname()[1]
        else:
            self.listener.bind(path)
        self.listener.listen(4)
        self.received: list[bytes] = []
        self.chunk_sizes: list[int] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _read_exactly(self, conn, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = conn.recv(n - len(data))
            if not chunk:
                raise ConnectionError("short read")
            data += chunk
        return data

    def _serve(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with conn:
                command = self._read_exactly(conn, len(b"zINSTREAM\0"))
                assert command == b"zINSTREAM\0", command
                content = b""
                while True:
                    (length,) = struct.unpack("!I", self._read_exactly(conn, 4))
                    if length == 0:
                        break
                    self.chunk_sizes.append(length)
                    content += self._read_exactly(conn, length)
                self.received.append(content)
                verdict = b"Eicar-Test-Signature FOUND" if EICAR in content else b"OK"
                conn.sendall(b"stream: " + verdict + b"\0")

    def close(self):
        self.listener.close()


@pytest.fixture
def clamd(app, monkeypatch):
    server = FakeClamd()
    monkeypatch.setitem(app.config, "CLAMD_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "CLAMD_PORT", server.port)
    monkeypatch.setitem(app.config, "CLAMD_SOCKET", None)
    yield server
    server.close()


def test_a_clean_file_is_scanned_whole_and_marked_clean(local_store, clamd):
    data = pdf_bytes() + os.urandom(600 * 1024)  # several INSTREAM chunks
    stored, _ = receive_upload(io.BytesIO(data), "dossier.pdf")
    assert stored.scan_status == "clean" and stored.is_available
    assert clamd.received == [data]
    assert len(clamd.chunk_sizes) > 1 and max(clamd.chunk_sizes) <= scan.CHUNK


def test_an_infected_file_is_refused_and_nothing_is_kept(local_store, clamd):
    before = db.session.scalar(select(func.count()).select_from(StoredFile))
    with pytest.raises(InfectedFile) as caught:
        receive_upload(io.BytesIO(EICAR), "eicar.txt")
    assert caught.value.status == 422 and isinstance(caught.value, RefusedFileType)
    assert "Eicar-Test-Signature" in str(caught.value)
    assert stored_keys(local_store) == [] and incoming_files(local_store.root) == []
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == before


def test_the_unix_socket_is_supported(app, local_store, monkeypatch):
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "clamd.sock")
        server = FakeClamd(socket.AF_UNIX, path)
        monkeypatch.setitem(app.config, "CLAMD_SOCKET", path)
        try:
            assert scan.scan_stream(io.BytesIO(b"hello")) == ("clean", None)
            assert scan.scan_stream(io.BytesIO(b"x" + EICAR)) == ("infected", "Eicar-Test-Signature")
        finally:
            server.close()


def test_without_configuration_files_are_not_scanned(app, local_store, monkeypatch):
    monkeypatch.setitem(app.config, "CLAMD_HOST", None)
    monkeypatch.setitem(app.config, "CLAMD_SOCKET", None)
    stored, _ = receive_upload(io.BytesIO(pdf_bytes()), "dossier.pdf")
    assert stored.scan_status == "not_scanned"


def test_an_unreachable_clamd_holds_the_file_back_until_scanned(app, local_store, monkeypatch):
    monkeypatch.setitem(app.config, "CLAMD_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "CLAMD_PORT", free_port())
    stored, _ = receive_upload(io.BytesIO(pdf_bytes()), "dossier.pdf")
    assert stored.scan_status == "pending" and not stored.is_available
    db.session.commit()

    server = FakeClamd()
    monkeypatch.setitem(app.config, "CLAMD_PORT", server.port)
    try:
        result = app.test_cli_runner().invoke(args=["storage", "scan"])
    finally:
        server.close()
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "scanned: 1 clean, 0 infected, 0 still pending"
    db.session.refresh(stored)
    assert stored.scan_status == "clean"


def test_an_error_answer_is_not_a_verdict(app, monkeypatch):
    listener = socket.create_server(("127.0.0.1", 0))
    monkeypatch.setitem(app.config, "CLAMD_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "CLAMD_PORT", listener.getsockname()[1])

    def answer():
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"INSTREAM size limit exceeded. ERROR\0")

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        with pytest.raises(scan.ScanUnavailable, match="size limit"):
            scan.scan_stream(io.BytesIO(b"small"))
    finally:
        thread.join(5)
        listener.close()
