"""API tokens from the profile page: shown once, stored as a SHA-256, revocable by their owner only."""
from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select

from portfolio.accounts.models import ApiToken
from portfolio.extensions import db

PASSWORD = "correct-horse-battery-staple"  # tests/conftest.py's make_user password


def _signed_in(app, user):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _create_token(client, name="export script") -> tuple[str, object]:
    response = client.post("/profile/tokens", data={"name": name})
    assert response.status_code == 200
    match = re.search(r'<code class="token" id="new-token">([^<]+)</code>', response.get_data(as_text=True))
    assert match, "the new token is not shown"
    return match.group(1), response


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_profile_creates_a_token_shown_once_and_stored_hashed(app, make_user):
    user = make_user("candidate")
    client = _signed_in(app, user)
    token, response = _create_token(client)
    assert response.headers["Cache-Control"] == "no-store"
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert row.name == "export script"
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(getattr(row, c.key)) for c in ApiToken.__table__.columns]
    assert not any(token in value for value in stored), "the token itself is stored"
    assert len(row.prefix) < len(token) // 2
    # Shown once: the profile page lists the token by name and prefix, never the token again.
    page = client.get("/profile").get_data(as_text=True)
    assert "export script" in page and row.prefix in page
    assert token not in page
    # It works on the API.
    me = client.get("/api/v1/me", headers=_bearer(token))
    assert me.status_code == 200 and me.get_json()["id"] == user.id


def test_a_token_needs_a_name(app, make_user, read_flashes):
    user = make_user("candidate")
    client = _signed_in(app, user)
    response = client.post("/profile/tokens", data={"name": ""}, follow_redirects=True)
    assert ("error", "Give the token a name.") in read_flashes(response)
    assert db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id)) is None


def test_revoked_tokens_get_401_problems(app, make_user):
    user = make_user("candidate")
    client = _signed_in(app, user)
    token, _ = _create_token(client)
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    response = client.post(f"/profile/tokens/{row.id}/revoke")
    assert response.status_code == 302
    api = client.get("/api/v1/me", headers=_bearer(token))
    assert api.status_code == 401
    assert api.mimetype == "application/problem+json"
    body = api.get_json()
    assert body["status"] == 401 and body["title"] and body["detail"]
    assert api.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Revoked" in client.get("/profile").get_data(as_text=True)


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer "}, {"Authorization": "Basic dXNlcjpwYXNz"},
                                     {"Authorization": "Bearer pf_not-a-real-token"}])
def test_missing_or_unknown_tokens_get_401_problems(client, headers):
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 401


def test_a_deactivated_users_token_stops_working(client, make_user, api_token):
    user = make_user("candidate")
    headers = api_token(user)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    user.is_active_account = False
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


@pytest.mark.parametrize("other_roles", [("candidate",), ("admin",)])
def test_only_the_owner_can_revoke_a_token(app, make_user, other_roles):
    owner = make_user("candidate")
    token, _ = _create_token(_signed_in(app, owner))
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == owner.id))
    other = _signed_in(app, make_user(*other_roles))
    assert other.post(f"/profile/tokens/{row.id}/revoke").status_code == 404
    assert other.post("/profile/tokens/999999/revoke").status_code == 404
    db.session.refresh(row)
    assert row.revoked_at is None
    assert app.test_client().get("/api/v1/me", headers=_bearer(token)).status_code == 200
    # Nor does another user see it on their profile.
    assert row.prefix not in other.get("/profile").get_data(as_text=True)


def test_revoking_needs_a_signed_in_post(app, make_user):
    owner = make_user("candidate")
    client = _signed_in(app, owner)
    _create_token(client)
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == owner.id))
    assert client.get(f"/profile/tokens/{row.id}/revoke").status_code == 405
    anonymous = app.test_client().post(f"/profile/tokens/{row.id}/revoke")
    assert anonymous.status_code == 302 and "/login" in anonymous.location
    db.session.refresh(row)
    assert row.revoked_at is None
