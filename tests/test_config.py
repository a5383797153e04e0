"""Configuration from the environment: the contract's table."""
from __future__ import annotations

import stat

import pytest

from portfolio import create_app
from portfolio.config import ConfigError, load_config

CONFIG_VARIABLES = (
    "PORTFOLIO_ENV", "SECRET_KEY", "DATABASE_URL", "STORAGE_BACKEND", "UPLOAD_DIR", "S3_BUCKET",
    "S3_ENDPOINT_URL", "S3_REGION", "MAX_UPLOAD_MB", "MAIL_PORT", "PORT",
)


@pytest.fixture
def clean_env(monkeypatch):
    for name in CONFIG_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_production_without_a_secret_key_refuses_to_start(clean_env, tmp_path):
    clean_env.setenv("PORTFOLIO_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()
    with pytest.raises(ConfigError):
        load_config(tmp_path / "instance")
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_production_with_a_secret_key_uses_it_and_secures_cookies(clean_env, tmp_path):
    clean_env.setenv("PORTFOLIO_ENV", "production")
    clean_env.setenv("SECRET_KEY", "a-production-secret")
    config = load_config(tmp_path / "instance")
    assert config["SECRET_KEY"] == "a-production-secret"
    assert config["ENV_NAME"] == "production"
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_development_generates_a_key_once_into_the_instance_folder(clean_env, tmp_path):
    instance = tmp_path / "instance"
    first = load_config(instance)["SECRET_KEY"]
    key_file = instance / "secret_key"
    assert key_file.read_text().strip() == first
    assert len(first) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_config(instance)["SECRET_KEY"] == first  # kept across restarts
    assert load_config(tmp_path / "other")["SECRET_KEY"] != first  # random, not a constant
    config = load_config(instance)
    assert config["ENV_NAME"] == "development"
    assert config["SESSION_COOKIE_SECURE"] is False


def test_an_empty_key_file_is_replaced(clean_env, tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "secret_key").write_text("\n")
    key = load_config(instance)["SECRET_KEY"]
    assert len(key) >= 32
    assert load_config(instance)["SECRET_KEY"] == key


def test_secret_key_from_the_environment_wins_in_development(clean_env, tmp_path):
    clean_env.setenv("SECRET_KEY", "from-the-environment")
    assert load_config(tmp_path)["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("given, expected", [
    ("postgres://u:p@db.example:5432/portfolio", "postgresql+psycopg://u:p@db.example:5432/portfolio"),
    ("postgresql://u:p@db.example/portfolio", "postgresql+psycopg://u:p@db.example/portfolio"),
    ("postgresql+psycopg://u@db.example/portfolio", "postgresql+psycopg://u@db.example/portfolio"),
    ("sqlite:////var/lib/portfolio.db", "sqlite:////var/lib/portfolio.db"),
])
def test_database_url_is_normalised_for_psycopg_3(clean_env, tmp_path, given, expected):
    clean_env.setenv("DATABASE_URL", given)
    assert load_config(tmp_path)["SQLALCHEMY_DATABASE_URI"] == expected


def test_defaults(clean_env, tmp_path):
    config = load_config(tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'portfolio.db'}"
    assert config["STORAGE_BACKEND"] == "local"
    assert config["UPLOAD_DIR"].endswith("uploads")
    assert config["MAX_UPLOAD_MB"] == 2048
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_environment_values_are_read(clean_env, tmp_path):
    clean_env.setenv("STORAGE_BACKEND", "s3")
    clean_env.setenv("S3_BUCKET", "films")
    clean_env.setenv("S3_ENDPOINT_URL", "http://127.0.0.1:9000")
    clean_env.setenv("S3_REGION", "eu-west-3")
    clean_env.setenv("UPLOAD_DIR", str(tmp_path / "files"))
    clean_env.setenv("MAX_UPLOAD_MB", "10")
    config = load_config(tmp_path)
    assert (config["STORAGE_BACKEND"], config["S3_BUCKET"], config["S3_ENDPOINT_URL"], config["S3_REGION"]) == (
        "s3", "films", "http://127.0.0.1:9000", "eu-west-3")
    assert config["UPLOAD_DIR"] == str(tmp_path / "files")
    assert config["MAX_UPLOAD_MB"] == 10


@pytest.mark.parametrize("name, value", [
    ("MAX_UPLOAD_MB", "lots"), ("MAX_UPLOAD_MB", "0"), ("STORAGE_BACKEND", "ftp"), ("MAIL_PORT", "smtp"),
])
def test_bad_values_are_named_in_a_config_error(clean_env, tmp_path, name, value):
    clean_env.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        load_config(tmp_path)
