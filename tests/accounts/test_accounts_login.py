"""Logging in and out: one message for every failure, throttling, Argon2, safe redirects, cookies, CSRF."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from portfolio.accounts import services
from portfolio.accounts.models import LoginAttempt
from portfolio.extensions import db

PASSWORD = "correct-horse-battery-staple"  # tests/conftest.py's make_user password
FAILURE = "Invalid email or password."


def _post_login(client, email, password, query="", **kwargs):
    return client.post(f"/login{query}", data={"email": email, "password": password}, **kwargs)


def _is_logged_in(client) -> bool:
    """Whether the client's session is signed in (the "please log in" flash is consumed on the way)."""
    response = client.get("/profile", follow_redirects=True)
    return response.request.path == "/profile"


def test_login_with_the_right_password(client, make_user):
    user = make_user("candidate")
    response = _post_login(client, user.email, PASSWORD)
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/"
    assert _is_logged_in(client)


def test_login_ignores_email_case_and_spaces(client, make_user):
    user = make_user("candidate")
    assert _post_login(client, f"  {user.email.upper()} ", PASSWORD).status_code == 302


def test_failures_give_one_message_for_unknown_email_and_wrong_password(client, make_user, read_flashes):
    user = make_user("candidate")
    wrong_password = _post_login(client, user.email, "not-the-password")
    unknown_email = _post_login(client, "nobody@dhec.example.org", PASSWORD)
    assert wrong_password.status_code == unknown_email.status_code == 200
    assert read_flashes(wrong_password) == read_flashes(unknown_email) == [("error", FAILURE)]
    assert not _is_logged_in(client)
    # The password field is not echoed back.
    assert "not-the-password" not in wrong_password.get_data(as_text=True)


def test_a_deactivated_account_gets_the_same_message(client, make_user, read_flashes):
    user = make_user("candidate")
    user.is_active_account = False
    db.session.commit()
    response = _post_login(client, user.email, PASSWORD)
    assert read_flashes(response) == [("error", FAILURE)]
    assert not _is_logged_in(client)


def test_passwords_are_hashed_with_argon2id(make_user):
    user = make_user("candidate")
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def _last_attempt_at():
    return db.session.scalar(select(func.max(LoginAttempt.at)))


def test_after_five_failures_even_the_right_password_is_refused_for_a_while(client, make_user, read_flashes,
                                                                             monkeypatch):
    user = make_user("candidate")
    for _ in range(services.THROTTLE_FREE_FAILURES):
        assert read_flashes(_post_login(client, user.email, "guess")) == [("error", FAILURE)]
    last = _last_attempt_at()
    # Freeze the clock one second after the fifth failure: the account is being slowed down.
    monkeypatch.setattr(services, "utcnow", lambda: last + timedelta(seconds=1))
    refused = _post_login(client, user.email, PASSWORD)
    assert refused.status_code == 200
    assert read_flashes(refused) == [("error", FAILURE)]
    assert not _is_logged_in(client)
    # The refused attempt counts too: the wait has grown beyond the first two seconds.
    last = _last_attempt_at()
    monkeypatch.setattr(services, "utcnow", lambda: last + timedelta(seconds=3))
    assert read_flashes(_post_login(client, user.email, PASSWORD)) == [("error", FAILURE)]
    # Once the delay has passed, the right password works again.
    last = _last_attempt_at()
    monkeypatch.setattr(services, "utcnow", lambda: last + services.THROTTLE_MAX_DELAY + timedelta(seconds=1))
    assert _post_login(client, user.email, PASSWORD).status_code == 302


def test_throttling_applies_per_address_across_accounts(app, make_user, read_flashes, monkeypatch):
    victim = make_user("candidate")
    attacker = app.test_client()
    for n in range(services.THROTTLE_FREE_FAILURES):
        _post_login(attacker, f"guess{n}@dhec.example.org", "guess", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    last = _last_attempt_at()
    monkeypatch.setattr(services, "utcnow", lambda: last + timedelta(seconds=1))
    refused = _post_login(attacker, victim.email, PASSWORD, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert read_flashes(refused) == [("error", FAILURE)]
    # Someone else, from another address, is not held up by those failures.
    other = app.test_client()
    assert _post_login(other, victim.email, PASSWORD, environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 302


def test_throttling_applies_per_account_across_addresses(app, make_user, read_flashes, monkeypatch):
    user = make_user("candidate")
    for n in range(services.THROTTLE_FREE_FAILURES):
        _post_login(app.test_client(), user.email, "guess", environ_base={"REMOTE_ADDR": f"203.0.113.{n + 1}"})
    last = _last_attempt_at()
    monkeypatch.setattr(services, "utcnow", lambda: last + timedelta(seconds=1))
    refused = _post_login(app.test_client(), user.email, PASSWORD, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert read_flashes(refused) == [("error", FAILURE)]


def test_logout_requires_post(client, make_user):
    user = make_user("candidate")
    _post_login(client, user.email, PASSWORD)
    assert client.get("/logout").status_code == 405
    assert _is_logged_in(client)
    response = client.post("/logout")
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/login"
    profile = client.get("/profile")
    assert profile.status_code == 302 and urlsplit(profile.location).path == "/login"


@pytest.mark.parametrize("target", [
    "//evil.example", "//evil.example/login", "https://evil.example/", "/\\evil.example", "\\\\evil.example",
    "/\t/evil.example", "http:/evil.example", "javascript:alert(1)",
])
def test_login_refuses_to_redirect_off_site(client, make_user, target):
    user = make_user("candidate")
    response = client.post("/login", query_string={"next": target}, data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    location = urlsplit(response.location)
    assert location.netloc in ("", "localhost")
    assert location.path == "/"
    assert "evil" not in response.location


def test_login_follows_a_local_next(client, make_user):
    user = make_user("candidate")
    page = client.get("/profile")
    assert page.status_code == 302
    login_url = urlsplit(page.location)
    response = client.post(f"{login_url.path}?{login_url.query}", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/profile"


def test_session_cookie_is_http_only_and_same_site_lax(client, make_user):
    user = make_user("candidate")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    for name in ("session", "remember_token"):
        assert name in cookies, cookies
        attributes = [a.strip().lower() for a in cookies[name].split(";")]
        assert "httponly" in attributes
        assert "samesite=lax" in attributes


@pytest.fixture
def csrf_enabled(app):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def _csrf_token(page) -> str:
    import re

    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"',
                      page.get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def test_csrf_protects_the_login_form(client, make_user, csrf_enabled):
    user = make_user("candidate")
    refused = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert refused.status_code == 400
    assert not _is_logged_in(client)
    token = _csrf_token(client.get("/login"))
    accepted = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert accepted.status_code == 302
    # Logging out is a state change too.
    assert client.post("/logout").status_code == 400
    assert _is_logged_in(client)
    token = _csrf_token(client.get("/profile"))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert not _is_logged_in(client)


def test_csrf_does_not_apply_to_the_bearer_api(client, make_user, api_token, csrf_enabled):
    user = make_user("candidate")
    response = client.post("/api/v1/me", headers=api_token(user))
    assert response.status_code == 405  # reaches the API's routing, not refused as a missing CSRF token
