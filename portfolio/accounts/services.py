"""Accounts: creating users, passwords, login throttling, password reset links and API tokens."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from .. import audit
from ..db import utcnow
from ..extensions import db
from .models import ROLES, ApiToken, LoginAttempt, User, UserRole

_HASHERS = {
    "default": PasswordHasher(),  # Argon2id, RFC 9106 low-memory profile
    # For the test suite only (PASSWORD_HASH_PROFILE = "fast"): same algorithm, minimal cost.
    "fast": PasswordHasher.from_parameters(profiles.CHEAPEST),
}
_DUMMY_HASHES: dict[str, str] = {}


def _hasher() -> PasswordHasher:
    return _HASHERS[current_app.config.get("PASSWORD_HASH_PROFILE", "default")]


def _dummy_hash() -> str:
    """A hash of a random password: verifying against it costs the same time as a real account,
    so response times do not reveal whether an email exists."""
    profile = current_app.config.get("PASSWORD_HASH_PROFILE", "default")
    if profile not in _DUMMY_HASHES:
        _DUMMY_HASHES[profile] = _hasher().hash(secrets.token_hex(16))
    return _DUMMY_HASHES[profile]

MIN_PASSWORD_LENGTH = 12
THROTTLE_WINDOW = timedelta(minutes=15)
THROTTLE_FREE_FAILURES = 5
THROTTLE_MAX_DELAY = timedelta(minutes=15)


class AccountError(ValueError):
    """A request on accounts that breaks a rule; the message is safe to show."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(email: str, name: str, roles: list[str] | tuple[str, ...], password: str | None = None,
                actor=None) -> User:
    """Create a user with the given roles. Raises AccountError on a duplicate email or unknown role."""
    email = normalise_email(email)
    if not email or "@" not in email:
        raise AccountError("invalid email address")
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise AccountError(f"unknown role: {', '.join(sorted(unknown))}")
    if get_user_by_email(email) is not None:
        raise AccountError("a user with this email already exists")
    user = User(email=email, name=name.strip(), session_nonce=secrets.token_hex(8))
    for role in sorted(set(roles)):
        user.role_rows.append(UserRole(role=role))
    if password:
        set_password(user, password)
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", "user", user.id, after={"email": email, "roles": sorted(set(roles))})
    return user


def set_roles(user: User, roles, actor=None) -> None:
    before = user.roles
    wanted = set(roles)
    if wanted - set(ROLES):
        raise AccountError("unknown role")
    user.role_rows[:] = [r for r in user.role_rows if r.role in wanted]
    for role in sorted(wanted - set(before)):
        user.role_rows.append(UserRole(role=role))
    if before != user.roles:
        audit.record(actor, "user.roles", "user", user.id, before={"roles": before}, after={"roles": user.roles})


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")


def set_password(user: User, password: str) -> None:
    """Hash and store a new password (Argon2id); other sessions and reset links become invalid."""
    check_password_strength(password)
    user.password_hash = _hasher().hash(password)
    user.session_nonce = secrets.token_hex(8)


def _throttle_delay(email: str, ip: str) -> timedelta | None:
    """How long the caller must still wait before another attempt, or None."""
    since = utcnow() - THROTTLE_WINDOW
    rows = db.session.execute(
        select(func.count(LoginAttempt.id), func.max(LoginAttempt.at)).where(
            LoginAttempt.at >= since, (LoginAttempt.email == email) | (LoginAttempt.ip == ip)
        )
    ).one()
    failures, last = rows
    if failures < THROTTLE_FREE_FAILURES or last is None:
        return None
    delay = min(timedelta(seconds=2 ** (failures - THROTTLE_FREE_FAILURES + 1)), THROTTLE_MAX_DELAY)
    remaining = last + delay - utcnow()
    return remaining if remaining > timedelta(0) else None


def authenticate(email: str, password: str, ip: str) -> User | None:
    """Return the user for valid credentials, else None.

    Failures are recorded per email and per address; after a few, attempts are refused until an
    exponentially growing delay has passed. The caller shows one message for every failure, so an
    unknown email, a wrong password and a throttled attempt cannot be told apart.
    """
    email = normalise_email(email)
    if _throttle_delay(email, ip) is not None:
        try:
            _hasher().verify(_dummy_hash(), password)
        except VerificationError:
            pass
        db.session.add(LoginAttempt(email=email, ip=ip))
        return None
    user = get_user_by_email(email)
    ok = False
    try:
        ok = _hasher().verify(user.password_hash if user and user.password_hash else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None or not user.password_hash or not user.is_active:
        db.session.add(LoginAttempt(email=email, ip=ip))
        return None
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = _hasher().hash(password)
    return user


# --- password reset -------------------------------------------------------------------------------

def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def make_reset_token(user: User) -> str:
    """A signed token naming the user and their current session nonce: single use, expiring."""
    return _reset_serializer().dumps({"u": user.id, "n": user.session_nonce})


def reset_link(user: User) -> str:
    """The emailed link to choose a new password, on the configured public address.

    Never built from the request's Host header: whoever asks for the mail chooses that header.
    """
    from flask import url_for

    path = url_for("accounts.reset_password", token=make_reset_token(user))
    return current_app.config["EXTERNAL_URL"].rstrip("/") + path


def user_for_reset_token(token: str) -> User | None:
    """The user a valid, unexpired, unused reset token names, else None."""
    try:
        data = _reset_serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except (SignatureExpired, BadSignature):
        return None
    user = db.session.get(User, data.get("u"))
    if user is None or user.session_nonce != data.get("n") or not user.is_active:
        return None
    return user


# --- API tokens -----------------------------------------------------------------------------------

def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(user: User, name: str = "token") -> tuple[ApiToken, str]:
    """Create a token; returns the row and the token text, which is not stored and shown once."""
    token = "pf_" + secrets.token_urlsafe(32)
    row = ApiToken(user=user, name=name.strip() or "token", token_hash=_token_digest(token), prefix=token[:10])
    db.session.add(row)
    db.session.flush()
    audit.record(user, "token.create", "api_token", row.id, after={"name": row.name, "prefix": row.prefix})
    return row, token


def revoke_api_token(row: ApiToken, actor=None) -> None:
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(actor, "token.revoke", "api_token", row.id)


def user_for_api_token(token: str) -> User | None:
    """The active user a valid, unrevoked token belongs to, else None."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_digest(token)))
    if row is None or row.revoked_at is not None or not row.user.is_active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
        row.last_used_at = now
    return row.user
