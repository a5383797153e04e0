"""The S3 backend against a real S3-protocol server over HTTP (moto's server mode), with real boto3 calls."""
from __future__ import annotations

import hashlib
import io
import os
import socket
import threading
import urllib.request
from urllib.parse import quote

import pytest
from file_samples import HTML, pdf_bytes, png_bytes
from files_support import free_port
from sqlalchemy import func, select

from portfolio.extensions import db
from portfolio.files.models import StoredFile
from portfolio.files.services import StorageUnavailable, attach, receive_upload
from portfolio.storage import StorageError
from portfolio.storage.s3 import S3Storage

MiB = 1024 * 1024


def keys_in(client, bucket) -> list[str]:
    return [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]


def big_pdf(size: int) -> bytes:
    head = pdf_bytes()
    block = hashlib.sha256(b"seed").digest() * (MiB // 32)
    return head + (block * (size // MiB + 1))[: size - len(head)]


def test_upload_is_encrypted_typed_and_content_addressed(s3_store, s3_bucket):
    client, bucket = s3_bucket
    data = png_bytes()
    stored, _ = receive_upload(io.BytesIO(data), "moodboard.png")
    assert stored.backend == "s3" and stored.key.endswith(hashlib.sha256(data).hexdigest())
    head = client.head_object(Bucket=bucket, Key=stored.key)
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ContentType"] == "image/png" and head["ContentLength"] == len(data)
    assert client.get_object(Bucket=bucket, Key=stored.key)["Body"].read() == data
    assert s3_store.size(stored.key) == len(data) and s3_store.exists(stored.key)
    assert s3_store.size("sha256/00/00/missing") is None


def test_put_never_overwrites(s3_store, s3_bucket):
    client, bucket = s3_bucket
    s3_store.put("sha256/aa/bb/x", io.BytesIO(b"first"), 5, "text/plain")
    s3_store.put("sha256/aa/bb/x", io.BytesIO(b"second"), 6, "text/plain")
    assert client.get_object(Bucket=bucket, Key="sha256/aa/bb/x")["Body"].read() == b"first"


def test_a_large_file_goes_up_in_parts(s3_store, s3_bucket):
    client, bucket = s3_bucket
    data = big_pdf(12 * MiB)  # threshold and parts of 5 MiB: three parts
    stored, _ = receive_upload(io.BytesIO(data), "dossier.pdf")
    head = client.head_object(Bucket=bucket, Key=stored.key)
    assert head["ETag"].strip('"').endswith("-3"), head["ETag"]  # a multipart object's ETag counts its parts
    assert head["ServerSideEncryption"] == "AES256"
    body = client.get_object(Bucket=bucket, Key=stored.key)["Body"].read()
    assert hashlib.sha256(body).hexdigest() == stored.sha256


def test_the_same_bytes_are_stored_once(s3_store, s3_bucket):
    client, bucket = s3_bucket
    data = png_bytes(color=(5, 6, 7))
    first, _ = receive_upload(io.BytesIO(data), "a.png")
    second, _ = receive_upload(io.BytesIO(data), "b.png")
    assert first.id == second.id and keys_in(client, bucket) == [first.key]


def test_a_rolled_back_upload_leaves_no_object(s3_store, s3_bucket):
    client, bucket = s3_bucket
    receive_upload(io.BytesIO(png_bytes(color=(1, 6, 7))), "a.png")
    assert len(keys_in(client, bucket)) == 1
    db.session.rollback()
    assert keys_in(client, bucket) == []


def test_download_by_presigned_url_with_disposition(s3_store, app, make_enrolment, make_attachment, api_token):
    enrolment = make_enrolment()
    name = "Scénario final.pdf"
    data = pdf_bytes()
    attachment = make_attachment(enrolment, data, name)
    headers = api_token(enrolment.candidate)
    response = app.test_client().get(f"/api/v1/files/{attachment.id}/content", headers=headers)
    assert response.status_code == 302
    url = response.headers["Location"]
    assert "X-Amz-Expires=300" in url and "X-Amz-Signature=" in url
    with urllib.request.urlopen(url, timeout=10) as fetched:
        assert fetched.read() == data
        assert fetched.headers["Content-Type"] == "application/pdf"
        disposition = fetched.headers["Content-Disposition"]
    assert disposition.startswith("inline;")
    assert f"filename*=UTF-8''{quote(name, safe='')}" in disposition


def test_html_is_sent_as_an_attachment(s3_store, app, make_enrolment, make_attachment, client_for):
    enrolment = make_enrolment()
    attachment = make_attachment(enrolment, HTML, "page.html")
    response = client_for(enrolment.candidate).get(f"/files/{attachment.id}")
    assert response.status_code == 302
    with urllib.request.urlopen(response.headers["Location"], timeout=10) as fetched:
        assert fetched.headers["Content-Disposition"].startswith("attachment;")
        assert fetched.read() == HTML


def test_an_unreachable_store_is_a_503_with_nothing_left(app, moto_endpoint, tmp_path, monkeypatch):
    store = S3Storage("portfolio-nowhere", endpoint_url=f"http://127.0.0.1:{free_port()}", region="eu-west-3",
                      max_attempts=1, connect_timeout=2)
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.extensions, "portfolio_storage", store)
    before = db.session.scalar(select(func.count()).select_from(StoredFile))
    with pytest.raises(StorageUnavailable) as caught:
        receive_upload(io.BytesIO(png_bytes()), "a.png")
    assert caught.value.status == 503
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == before
    assert os.listdir(tmp_path / "uploads" / ".incoming") == []


class CuttingProxy:
    """A TCP proxy to the S3 server that cuts every connection once ``budget`` bytes went upstream,
    then refuses new ones: the store fails midway through an upload."""

    def __init__(self, upstream_port: int, budget: int):
        self.upstream_port = upstream_port
        self.budget = budget
        self.sent = 0
        self.cut = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.cut.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.cut.is_set():
                client.close()
                return
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            threading.Thread(target=self._pipe, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, False), daemon=True).start()

    def _pipe(self, source, target, counting):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if counting:
                    with self.lock:
                        self.sent += len(data)
                        if self.sent > self.budget:
                            self.stop()
                            break
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()

    def stop(self):
        self.cut.set()
        try:
            self.listener.close()
        except OSError:
            pass


def test_a_store_failing_midway_is_a_503_with_no_row_and_no_object(app, s3_bucket, moto_endpoint, tmp_path,
                                                                     monkeypatch):
    client, bucket = s3_bucket
    proxy = CuttingProxy(int(moto_endpoint.rsplit(":", 1)[1]), budget=7 * MiB)
    store = S3Storage(bucket, endpoint_url=f"http://127.0.0.1:{proxy.port}", region="eu-west-3",
                      multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB, max_attempts=2, connect_timeout=2,
                      read_timeout=10)
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.extensions, "portfolio_storage", store)
    before = db.session.scalar(select(func.count()).select_from(StoredFile))
    try:
        with pytest.raises(StorageUnavailable) as caught:
            receive_upload(io.BytesIO(big_pdf(16 * MiB)), "film-dossier.pdf")
    finally:
        proxy.stop()
    assert caught.value.status == 503
    assert proxy.sent > 5 * MiB  # it did fail midway: parts had gone up
    assert db.session.scalar(select(func.count()).select_from(StoredFile)) == before
    assert keys_in(client, bucket) == []  # no object, whole or partial
    assert os.listdir(tmp_path / "uploads" / ".incoming") == []


def test_iter_keys_walks_every_page(s3_store, s3_bucket):
    client, bucket = s3_bucket
    keys = [f"sha256/0{i}/00/k{i}" for i in range(5)]
    for key in keys:
        client.put_object(Bucket=bucket, Key=key, Body=b"x")
    s3_store.page_size = 2
    assert sorted(s3_store.iter_keys()) == keys


def test_errors_of_the_server_are_storage_errors(moto_endpoint):
    store = S3Storage("no-such-bucket-here", endpoint_url=moto_endpoint, region="eu-west-3", max_attempts=1)
    with pytest.raises(StorageError):
        list(store.iter_keys())
    with pytest.raises(StorageError):
        store.put("k", io.BytesIO(b"x"), 1, "text/plain")


def test_attach_keeps_the_user_name(s3_store, make_enrolment):
    from portfolio.evidence.models import Deliverable, DeliverableVersion

    enrolment = make_enrolment()
    deliverable = Deliverable(enrolment_id=enrolment.id, title="t", type="other")
    version = DeliverableVersion(deliverable=deliverable, number=1)
    db.session.add_all([deliverable, version])
    db.session.flush()
    stored, name = receive_upload(io.BytesIO(png_bytes()), "Affiche.png")
    attachment = attach(stored, name, version=version)
    assert (attachment.name, attachment.size, attachment.media_type) == ("Affiche.png", stored.size, "image/png")
