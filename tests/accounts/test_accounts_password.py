"""Password reset by mail, and password changes logging other sessions out."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from portfolio.accounts import services
from portfolio.extensions import db

PASSWORD = "correct-horse-battery-staple"  # tests/conftest.py's make_user password
NEW_PASSWORD = "a-brand-new-passphrase"
SENT = "If an account exists for this address, a reset link has been sent to it."
INVALID = "This reset link is invalid or has expired. Ask for a new one."


def _login(client, email, password):
    return client.post("/login", data={"email": email, "password": password})


def _is_logged_in(client) -> bool:
    return client.get("/profile", follow_redirects=True).request.path == "/profile"


def _reset_path(message) -> str:
    match = re.search(r"https?://\S+/password/reset/\S+", message.get_content())
    assert match, message.get_content()
    return urlsplit(match.group(0)).path


def test_forgot_answers_the_same_for_known_and_unknown_emails(app, make_user, outbox, read_flashes):
    user = make_user("candidate")
    known = app.test_client().post("/password/forgot", data={"email": user.email})
    unknown = app.test_client().post("/password/forgot", data={"email": "nobody@dhec.example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.location == unknown.location
    assert urlsplit(known.location).path == "/login"
    # The flashed message is the same too (each is shown on the page the redirect leads to).
    first = app.test_client().post("/password/forgot", data={"email": user.email}, follow_redirects=True)
    second = app.test_client().post("/password/forgot", data={"email": "nobody@dhec.example.org"},
                                    follow_redirects=True)
    assert read_flashes(first) == read_flashes(second) == [("info", SENT)]
    # Only the known address received mail.
    assert [m["To"] for m in outbox] == [user.email, user.email]


def test_forgot_sends_nothing_to_a_deactivated_account(client, make_user, outbox):
    user = make_user("candidate")
    user.is_active_account = False
    db.session.commit()
    assert client.post("/password/forgot", data={"email": user.email}).status_code == 302
    assert outbox == []


def test_the_reset_link_is_built_on_the_configured_external_url(client, make_user, outbox, monkeypatch, app):
    """Never on the request's Host header, which a stranger asking for the mail controls."""
    monkeypatch.setitem(app.config, "EXTERNAL_URL", "https://portfolio.example.org")
    user = make_user("candidate")
    client.post("/password/forgot", data={"email": user.email})
    (message,) = outbox
    links = re.findall(r"https?://\S+", message.get_content())
    assert len(links) == 1
    assert links[0].startswith("https://portfolio.example.org/password/reset/")


def test_reset_link_works_once(client, make_user, outbox, read_flashes):
    user = make_user("candidate")
    client.post("/password/forgot", data={"email": user.email})
    path = _reset_path(outbox[-1])
    assert client.get(path).status_code == 200
    done = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and urlsplit(done.location).path == "/login"
    # The new password works, the old one no longer does.
    assert _login(app_client := client.application.test_client(), user.email, PASSWORD).status_code == 200
    assert _login(app_client, user.email, NEW_PASSWORD).status_code == 302
    # A second use of the same link is refused, for reading and for writing.
    again = client.get(path)
    assert again.status_code == 302 and urlsplit(again.location).path == "/password/forgot"
    reuse = client.post(path, data={"password": "yet-another-passphrase", "confirm": "yet-another-passphrase"},
                        follow_redirects=True)
    assert ("error", INVALID) in read_flashes(reuse)
    assert _login(client.application.test_client(), user.email, NEW_PASSWORD).status_code == 302


def test_reset_form_checks_the_new_password(client, make_user, outbox):
    user = make_user("candidate")
    client.post("/password/forgot", data={"email": user.email})
    path = _reset_path(outbox[-1])
    short = client.post(path, data={"password": "short", "confirm": "short"})
    assert short.status_code == 200 and "At least 12 characters." in short.get_data(as_text=True)
    differ = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert differ.status_code == 200 and "The two passwords differ." in differ.get_data(as_text=True)
    # Nothing changed: the link still works and the old password too.
    assert client.get(path).status_code == 200
    assert _login(client.application.test_client(), user.email, PASSWORD).status_code == 302


def test_an_expired_reset_link_is_refused(client, make_user, outbox, monkeypatch, app, read_flashes):
    user = make_user("candidate")
    client.post("/password/forgot", data={"email": user.email})
    path = _reset_path(outbox[-1])
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", -1)
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, follow_redirects=True)
    assert response.request.path == "/password/forgot"
    assert ("error", INVALID) in read_flashes(response)
    assert _login(client.application.test_client(), user.email, PASSWORD).status_code == 302


@pytest.mark.parametrize("mangle", [
    lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # forged signature
    lambda token: "not-a-token",
])
def test_a_tampered_reset_link_is_refused(client, make_user, app, mangle):
    user = make_user("candidate")
    with app.test_request_context():
        token = services.make_reset_token(user)
    response = client.get(f"/password/reset/{mangle(token)}")
    assert response.status_code == 302 and urlsplit(response.location).path == "/password/forgot"


def test_a_reset_link_signed_for_another_purpose_is_refused(client, make_user, app):
    from itsdangerous import URLSafeTimedSerializer

    user = make_user("candidate")
    token = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="something-else").dumps(
        {"u": user.id, "n": user.session_nonce})
    response = client.get(f"/password/reset/{token}")
    assert urlsplit(response.location).path == "/password/forgot"


def test_changing_the_password_logs_out_other_sessions(app, make_user):
    user = make_user("candidate")
    laptop, phone = app.test_client(), app.test_client()
    assert _login(laptop, user.email, PASSWORD).status_code == 302
    assert _login(phone, user.email, PASSWORD).status_code == 302
    response = laptop.post("/profile/password", data={
        "current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and urlsplit(response.location).path == "/profile"
    assert _is_logged_in(laptop)  # the session that changed it stays signed in
    assert not _is_logged_in(phone)
    assert _login(app.test_client(), user.email, NEW_PASSWORD).status_code == 302


def test_changing_the_password_needs_the_current_one(app, make_user):
    user = make_user("candidate")
    client = app.test_client()
    _login(client, user.email, PASSWORD)
    response = client.post("/profile/password", data={
        "current": "wrong-current-password", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    assert "The current password is not correct." in response.get_data(as_text=True)
    assert _login(app.test_client(), user.email, PASSWORD).status_code == 302


def test_resetting_the_password_logs_out_existing_sessions(app, make_user, outbox):
    user = make_user("candidate")
    signed_in = app.test_client()
    _login(signed_in, user.email, PASSWORD)
    assert _is_logged_in(signed_in)
    stranger = app.test_client()
    stranger.post("/password/forgot", data={"email": user.email})
    path = _reset_path(outbox[-1])
    stranger.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert not _is_logged_in(signed_in)


def test_a_remember_me_cookie_dies_with_a_password_change(app, make_user):
    user = make_user("candidate")
    old = app.test_client()
    old.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    remember = old.get_cookie("remember_token")
    assert remember is not None
    # A fresh browser holding only the remember-me cookie is signed in...
    browser = app.test_client()
    browser.set_cookie("remember_token", remember.value, domain=remember.domain)
    assert _is_logged_in(browser)
    # ...until the password changes.
    other = app.test_client()
    _login(other, user.email, PASSWORD)
    other.post("/profile/password", data={"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    browser = app.test_client()
    browser.set_cookie("remember_token", remember.value, domain=remember.domain)
    assert not _is_logged_in(browser)
