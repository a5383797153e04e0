"""Configuration from the environment (see the contract's table in README.md)."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    pass


def _secret_key(instance_path: Path, production: bool) -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if production:
        raise ConfigError("SECRET_KEY must be set in production (PORTFOLIO_ENV=production)")
    # Development: generated once, kept in instance/ so sessions survive restarts.
    path = instance_path / "secret_key"
    key = path.read_text().strip() if path.exists() else ""
    if not key:
        instance_path.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        # Created readable by its owner only, never world-readable even for a moment.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        path.chmod(0o600)
    return key


def _int(env, name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {value}")
    return value


def load_config(instance_path: Path) -> dict:
    """Build the configuration mapping from the environment."""
    env = os.environ
    production = env.get("PORTFOLIO_ENV", "development") == "production"
    instance_path.mkdir(parents=True, exist_ok=True)
    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'portfolio.db'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://"):]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    storage_backend = env.get("STORAGE_BACKEND", "local")
    if storage_backend not in ("local", "s3"):
        raise ConfigError(f"STORAGE_BACKEND must be 'local' or 's3', not {storage_backend!r}")
    return {
        "ENV_NAME": "production" if production else "development",
        "SECRET_KEY": _secret_key(instance_path, production),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "STORAGE_BACKEND": storage_backend,
        "UPLOAD_DIR": env.get("UPLOAD_DIR", str(PROJECT_ROOT / "uploads")),
        "S3_BUCKET": env.get("S3_BUCKET"),
        "S3_ENDPOINT_URL": env.get("S3_ENDPOINT_URL"),
        "S3_REGION": env.get("S3_REGION"),
        "MAX_UPLOAD_MB": _int(env, "MAX_UPLOAD_MB", 2048, minimum=1),
        "S3_MULTIPART_MB": _int(env, "S3_MULTIPART_MB", 64, minimum=5),
        # ClamAV: a clamd socket, or host and port; unset, files are not scanned.
        "CLAMD_SOCKET": env.get("CLAMD_SOCKET"),
        "CLAMD_HOST": env.get("CLAMD_HOST"),
        "CLAMD_PORT": _int(env, "CLAMD_PORT", 3310, minimum=1),
        "PREVIEW_MAX_PAGES": _int(env, "PREVIEW_MAX_PAGES", 50, minimum=1),
        # Mail: printed to the console unless an SMTP server is configured.
        "MAIL_SERVER": env.get("MAIL_SERVER"),
        "MAIL_PORT": _int(env, "MAIL_PORT", 587, minimum=1),
        "MAIL_USERNAME": env.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD"),
        "MAIL_USE_TLS": env.get("MAIL_USE_TLS", "true").lower() == "true",
        "MAIL_FROM": env.get("MAIL_FROM", "portfolio@localhost"),
        # Sessions and cookies.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "WTF_CSRF_TIME_LIMIT": None,
        "PASSWORD_RESET_MAX_AGE": 3600,
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": env.get("TIMEZONE", "Europe/Paris"),
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "LANGUAGES": ["fr", "en"],
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "EXTERNAL_URL": env.get("EXTERNAL_URL", "http://127.0.0.1:" + env.get("PORT", "5000")),
        # Verifiable credentials: the PEM private key (Ed25519 or P-256); in development, generated into instance/.
        "CREDENTIAL_SIGNING_KEY_PATH": env.get("CREDENTIAL_SIGNING_KEY_PATH"),
    }
