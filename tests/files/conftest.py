"""Fixtures of the file tests: real sample files, a fresh local store, a real S3-protocol server (moto)."""
from __future__ import annotations

import io
import os

import pytest

from portfolio.extensions import db

IN_CI = os.environ.get("CI", "").lower() == "true"


# --- a fresh store per test --------------------------------------------------------------------------

@pytest.fixture
def local_store(app, tmp_path, monkeypatch):
    """A fresh local store (and .incoming) for this test, so that "nothing left behind" can be checked."""
    from portfolio.storage.local import LocalStorage

    root = tmp_path / "uploads"
    store = LocalStorage(root)
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(root))
    monkeypatch.setitem(app.config, "STORAGE_BACKEND", "local")
    monkeypatch.setitem(app.extensions, "portfolio_storage", store)
    return store


@pytest.fixture
def make_attachment(app):
    """``make_attachment(enrolment, data, name)``: a deliverable with a version holding that file."""
    from portfolio.evidence.models import Deliverable, DeliverableVersion
    from portfolio.files.services import attach, receive_upload

    def make(enrolment, data: bytes, name: str, *, type_code: str = "other"):
        deliverable = Deliverable(enrolment_id=enrolment.id, title=f"Evidence {name}", type=type_code)
        version = DeliverableVersion(deliverable=deliverable, number=1)
        db.session.add_all([deliverable, version])
        db.session.flush()
        stored, clean_name = receive_upload(io.BytesIO(data), name)
        attachment = attach(stored, clean_name, version=version)
        db.session.commit()
        return attachment

    return make


# --- S3: a real S3-protocol server over HTTP ---------------------------------------------------------------

@pytest.fixture(scope="session")
def moto_endpoint():
    """A moto server (S3 protocol over HTTP) for the session; with CI=true, failing to start is a failure."""
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                                            "AWS_DEFAULT_REGION", "AWS_PROFILE")}
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="eu-west-3")
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ.pop("AWS_PROFILE", None)
    try:
        from moto.server import ThreadedMotoServer

        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
    except Exception as exc:  # noqa: BLE001
        message = f"cannot start a moto S3 server: {exc!r}"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture
def s3_bucket(moto_endpoint):
    import uuid

    import boto3

    name = f"portfolio-test-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=moto_endpoint, region_name="eu-west-3")
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
    return client, name


@pytest.fixture
def s3_store(app, s3_bucket, moto_endpoint, tmp_path, monkeypatch):
    """The app's storage is S3 on the moto server, with a 5 MiB multipart threshold."""
    from portfolio.storage.s3 import S3Storage

    _client, bucket = s3_bucket
    store = S3Storage(bucket, endpoint_url=moto_endpoint, region="eu-west-3",
                      multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024)
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    monkeypatch.setitem(app.config, "STORAGE_BACKEND", "s3")
    monkeypatch.setitem(app.extensions, "portfolio_storage", store)
    return store
