"""Test fixtures: one application for the session, one rolled-back transaction per test.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set. With CI=true
a database that cannot be reached is a failure, never a skip.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g, has_app_context
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession

from portfolio import create_app
from portfolio.extensions import db

IN_CI = os.environ.get("CI", "").lower() == "true"
DEMO_PASSWORD = "correct-horse-battery-staple"


def _prepare_postgres(url: str) -> None:
    """Create the test database when missing and empty its public schema."""
    engine_url = sa.engine.make_url(url)
    admin = sa.create_engine(engine_url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                 {"n": engine_url.database})
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{engine_url.database}"'))
    except sa.exc.OperationalError as exc:
        message = f"PostgreSQL is not reachable at {engine_url.render_as_string(hide_password=True)}: {exc}"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    finally:
        admin.dispose()
    engine = sa.create_engine(engine_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def database_url(tmp_dir: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        _prepare_postgres(url)
        return url
    return f"sqlite:///{tmp_dir / 'test.db'}"


@pytest.fixture(scope="session")
def tmp_root():
    with tempfile.TemporaryDirectory(prefix="portfolio-tests-") as d:
        yield Path(d)


class _IsolatedClient(FlaskClient):
    """A test client that does not leak ``g`` between requests.

    Tests keep an application context pushed; Flask reuses it for each request, so the signed-in
    user that Flask-Login caches on ``g`` would otherwise survive from one request to the next.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            for name in list(g):
                g.pop(name, None)
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_root):
    from flask_migrate import upgrade

    url = database_url(tmp_root)
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SECRET_KEY": "test-secret",
        "UPLOAD_DIR": str(tmp_root / "uploads"),
        "SERVER_NAME": "localhost",
        "PASSWORD_HASH_PROFILE": "fast",
    })
    app.test_client_class = _IsolatedClient
    with app.app_context():
        upgrade()
        from portfolio.referential.services import load_builtin

        load_builtin()
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


class _BoundSession(FlaskSession):
    """Flask-SQLAlchemy's session, but bound to the test's connection."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return self.bind if self.bind is not None else super().get_bind(mapper, clause, bind, **kwargs)


@pytest.fixture(autouse=True)
def db_session(app):
    """Each test runs inside a transaction that is rolled back; commits become savepoints."""
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {"class_": _BoundSession, "bind": connection, "join_transaction_mode": "create_savepoint"}
        )
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            if transaction.is_active:
                transaction.rollback()
            connection.close()


@pytest.fixture(autouse=True)
def english_outside_requests(app):
    """Service calls made by the test itself (outside any request) speak English, so tests can match
    messages; each request still chooses its own language (French by default for pages)."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield


@pytest.fixture
def client(app):
    return app.test_client()


# --- factories --------------------------------------------------------------------------------------

@pytest.fixture
def certification(app):
    from portfolio.referential.services import current_certification

    return current_certification("RNCP41241")


@pytest.fixture
def make_user(app):
    counter = {"n": 0}

    def make(*roles: str, email: str | None = None, name: str | None = None, password: str = DEMO_PASSWORD):
        from portfolio.accounts.services import create_user

        counter["n"] += 1
        email = email or f"user{counter['n']}-{'-'.join(roles) or 'none'}@dhec.example.org"
        user = create_user(email, name or f"User {counter['n']}", list(roles), password=password)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_enrolment(app, make_user, certification):
    def make(candidate=None, route="training", option="scenario-realisation", cohort=None, assessors=()):
        from portfolio.enrolments.services import assign, enrol

        candidate = candidate or make_user("candidate")
        enrolment = enrol(candidate, certification, route, option=option, cohort=cohort)
        for assessor in assessors:
            assign(assessor, enrolment)
        db.session.commit()
        return enrolment

    return make


def signed_in_client(app, user):
    """A test client whose session is signed in as ``user`` (no password check: fast)."""
    from flask_login.utils import _create_identifier

    client = app.test_client()
    with app.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True
        sess["_id"] = identifier
    return client


def login(client, user, password: str = DEMO_PASSWORD):
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


@pytest.fixture
def client_for(app):
    """``client_for(user)``: a test client signed in as ``user`` (None: anonymous)."""
    return lambda user: signed_in_client(app, user) if user is not None else app.test_client()


@pytest.fixture
def login_as(client):
    def do(user, password: str = DEMO_PASSWORD):
        login(client, user, password)
        return client

    return do


@pytest.fixture
def api_token(app):
    def make(user) -> dict:
        from portfolio.accounts.services import create_api_token

        _, token = create_api_token(user, "test")
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture(scope="session")
def openapi_document(app):
    from portfolio.api.openapi import document

    return document()


@pytest.fixture
def check_response(openapi_document):
    """``check_response(response, "/enrolments/{id}", "get")``: the body matches the documented schema."""
    from jsonschema import Draft202012Validator

    def check(response, path: str, method: str = "get"):
        operation = openapi_document["paths"][path][method.lower()]
        documented = operation["responses"].get(str(response.status_code))
        assert documented is not None, f"{method.upper()} {path} answered {response.status_code}, not documented"
        if "$ref" in documented:
            name = documented["$ref"].rsplit("/", 1)[-1]
            documented = openapi_document["components"]["responses"][name]
        content = documented.get("content", {})
        media = response.mimetype
        assert media in content, f"{method.upper()} {path}: {media} not documented ({list(content)})"
        schema = dict(content[media]["schema"])
        schema["components"] = openapi_document["components"]
        if "json" in media:
            Draft202012Validator(schema).validate(response.get_json())
        return response

    return check
