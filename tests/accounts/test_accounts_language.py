"""The language switch: French by default, English on request, kept in a cookie and on the account."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from portfolio.accounts.models import User
from portfolio.extensions import db

PASSWORD = "correct-horse-battery-staple"  # tests/conftest.py's make_user password


def _html_lang(response) -> str:
    text = response.get_data(as_text=True)
    start = text.index("<html lang=\"") + len("<html lang=\"")
    return text[start:text.index('"', start)]


def test_french_is_the_default(client):
    assert _html_lang(client.get("/login")) == "fr"


def test_switching_to_english_sets_a_cookie_and_the_next_page_is_in_english(client):
    response = client.post("/language", data={"lang": "en", "next": "/login"})
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/login"
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("lang="))
    assert cookie.startswith("lang=en;")
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    page = client.get("/login")
    assert _html_lang(page) == "en"
    assert 'name="lang" value="fr"' in page.get_data(as_text=True)  # the switch now offers French
    client.post("/language", data={"lang": "fr"})
    assert _html_lang(client.get("/login")) == "fr"


def test_a_signed_in_users_choice_is_saved_on_the_account(app, make_user):
    user = make_user("candidate")
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    response = client.post("/language", data={"lang": "en", "next": "/profile"})
    assert response.status_code == 302 and urlsplit(response.location).path == "/profile"
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"
    assert _html_lang(client.get("/profile")) == "en"
    # The choice follows the account to another browser, with no cookie there.
    elsewhere = app.test_client()
    elsewhere.post("/login", data={"email": user.email, "password": PASSWORD})
    assert elsewhere.get_cookie("lang") is None
    assert _html_lang(elsewhere.get("/profile")) == "en"


def test_the_accounts_choice_wins_over_an_old_cookie(app, make_user):
    user = make_user("candidate")
    user.locale = "en"
    db.session.commit()
    client = app.test_client()
    client.set_cookie("lang", "fr", domain="localhost")
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert _html_lang(client.get("/profile")) == "en"


@pytest.mark.parametrize("data", [{"lang": "de"}, {"lang": ""}, {}])
def test_an_unknown_language_is_refused(client, data):
    response = client.post("/language", data=data)
    assert response.status_code == 400
    assert client.get_cookie("lang") is None


def test_the_language_switch_needs_post(client):
    assert client.get("/language?lang=en").status_code == 405


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example/x", "/\\evil.example"])
def test_the_language_switch_does_not_redirect_off_site(client, target):
    response = client.post("/language", data={"lang": "en", "next": target})
    assert response.status_code == 302
    assert "evil" not in response.location
    assert urlsplit(response.location).netloc in ("", "localhost")


def test_the_language_switch_keeps_the_query_string(client):
    response = client.post("/language", data={"lang": "en", "next": "/login?next=%2Fprofile"})
    assert response.location.endswith("/login?next=%2Fprofile")


def test_the_language_switch_is_csrf_protected(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post("/language", data={"lang": "en"}).status_code == 400
        assert client.get_cookie("lang") is None
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
