"""Security headers, session loading, and the error pages and problems of portfolio/errors.py."""
from __future__ import annotations

import pytest

from portfolio.extensions import db

PASSWORD = "correct-horse-battery-staple"  # tests/conftest.py's make_user password


def test_pages_carry_the_security_headers(client):
    response = client.get("/login")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["Referrer-Policy"] == "same-origin"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "object-src 'none'" in csp and "script-src 'self'" in csp


def test_api_answers_are_not_cached(client, make_user, api_token):
    response = client.get("/api/v1/me", headers=api_token(make_user("candidate")))
    assert response.headers["Cache-Control"] == "no-store"


def _client_with_session_id(app, user_id: str):
    from flask_login.utils import _create_identifier

    client = app.test_client()
    with app.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
        session["_id"] = identifier
    return client


@pytest.mark.parametrize("session_user_id", ["abc", "{id}", "{id}:", "{id}:wrong-nonce", ":", "999999:{nonce}",
                                             " {id}:{nonce}", "{id}:{nonce}:"])
def test_a_forged_or_stale_session_id_is_not_signed_in(app, make_user, session_user_id):
    user = make_user("admin")
    genuine = _client_with_session_id(app, f"{user.id}:{user.session_nonce}")
    assert genuine.get("/profile").status_code == 200
    forged = _client_with_session_id(app, session_user_id.format(id=user.id, nonce=user.session_nonce))
    response = forged.get("/profile")
    assert response.status_code == 302 and "/login" in response.location


def test_a_deactivated_users_session_ends(app, make_user):
    user = make_user("candidate")
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert client.get("/profile").status_code == 200
    user.is_active_account = False
    db.session.commit()
    assert client.get("/profile").status_code == 302


def test_a_session_moved_to_another_browser_is_dropped(app, make_user):
    """Strong session protection: a session cookie replayed with another user agent is refused."""
    user = make_user("candidate")
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD},
                headers={"User-Agent": "Firefox/140"})
    assert client.get("/profile", headers={"User-Agent": "Firefox/140"}).status_code == 200
    assert client.get("/profile", headers={"User-Agent": "curl/8"}).status_code == 302


def test_html_errors_are_pages(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "<h1>404" in response.get_data(as_text=True)


def test_api_errors_are_problems(client, make_user, api_token):
    headers = api_token(make_user("candidate"))
    missing = client.get("/api/v1/no-such-endpoint", headers=headers)
    assert missing.status_code == 404
    assert missing.mimetype == "application/problem+json"
    body = missing.get_json()
    assert body["status"] == 404 and body["title"] == "Not Found" and body["detail"]
    wrong_method = client.delete("/api/v1/me", headers=headers)
    assert wrong_method.status_code == 405
    assert wrong_method.mimetype == "application/problem+json"
    assert "GET" in wrong_method.headers["Allow"]


def _explode():
    from portfolio.accounts.models import User

    db.session.add(User(email="half-done@example.org", name="Half", session_nonce="x"))
    db.session.flush()
    raise RuntimeError("boom")


def test_an_unexpected_error_is_a_500_page_and_saves_nothing(app, client, monkeypatch, make_user, api_token):
    from sqlalchemy import select

    from portfolio.accounts.models import User

    headers = api_token(make_user("candidate"))
    monkeypatch.setitem(app.view_functions, "api.me", _explode)
    api = client.get("/api/v1/me", headers=headers)
    assert api.status_code == 500
    assert api.mimetype == "application/problem+json"
    assert api.get_json()["status"] == 500
    assert "boom" not in api.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "half-done@example.org")) is None

    monkeypatch.setitem(app.view_functions, "accounts.login", _explode)
    page = client.get("/login")
    assert page.status_code == 500
    assert page.mimetype == "text/html"
    assert "boom" not in page.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "half-done@example.org")) is None
