"""The Alembic migrations build exactly the schema the models describe, and go down and up again.

Each check runs on a database of its own (never the suite's): a fresh SQLite file everywhere, and a
fresh PostgreSQL database, created and dropped here, when TEST_DATABASE_URL names a PostgreSQL server.
"""
from __future__ import annotations

import logging
import os
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from portfolio import create_app
from portfolio.config import PROJECT_ROOT
from portfolio.extensions import db

MIGRATIONS = str(PROJECT_ROOT / "migrations")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _migration_app(url: str, tmp_path):
    return create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "SECRET_KEY": "migrations-test",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "RATELIMIT_ENABLED": False,
    })


def _schema_differences(app) -> list:
    """What autogenerate would still write: the differences between the database and the models."""
    configure_args = app.extensions["migrate"].configure_args
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": configure_args.get("compare_type", True),
                        "compare_server_default": False},
        )
        return compare_metadata(context, db.metadata)


def _tables(app) -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def _check_round_trip(app) -> None:
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        model_tables = set(db.metadata.tables)
        assert model_tables <= _tables(app), f"tables missing after upgrade: {model_tables - _tables(app)}"
        differences = _schema_differences(app)
        assert differences == [], "the migrations do not build the models' schema:\n" + "\n".join(
            repr(d) for d in differences
        )

        downgrade(directory=MIGRATIONS, revision="base")
        assert _tables(app) == {"alembic_version"}

        upgrade(directory=MIGRATIONS)
        assert model_tables <= _tables(app)
        assert _schema_differences(app) == []
        with db.engine.connect() as conn:
            heads = MigrationContext.configure(conn).get_current_heads()
        assert len(heads) == 1
        db.engine.dispose()


def test_migrations_match_the_models_on_sqlite(tmp_path):
    app = _migration_app(f"sqlite:///{tmp_path / 'migrations.db'}", tmp_path)
    _check_round_trip(app)


def test_the_compare_hook_keeps_real_type_changes(tmp_path):
    """The UTCDateTime allowance in env.py must not hide a genuine type difference."""
    app = _migration_app(f"sqlite:///{tmp_path / 'types.db'}", tmp_path)
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        metadata = sa.MetaData()
        sa.Table("login_attempt", metadata, sa.Column("id", sa.Integer, primary_key=True),
                 sa.Column("email", sa.Integer), sa.Column("ip", sa.String(45)),
                 sa.Column("at", sa.Date))
        compare_type = app.extensions["migrate"].configure_args.get("compare_type", True)
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": compare_type})
            changed = {d[0][3] for d in compare_metadata(context, metadata)
                       if isinstance(d, list) and d[0][0] == "modify_type"}
        db.engine.dispose()
    assert changed == {"email", "at"}


def test_running_the_migrations_leaves_the_application_loggers_working(tmp_path):
    """env.py configures logging from alembic.ini; it must not disable loggers that already exist."""
    app = _migration_app(f"sqlite:///{tmp_path / 'logging.db'}", tmp_path)
    app_logger = app.logger
    feature_logger = logging.getLogger("portfolio.some_feature")
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        db.engine.dispose()
    assert not app_logger.disabled
    assert not feature_logger.disabled


# --- PostgreSQL ----------------------------------------------------------------------------------------

def _postgres_url() -> sa.engine.URL | None:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        return None
    return sa.engine.make_url(url)


@contextmanager
def _fresh_postgres_database(base: sa.engine.URL):
    """A new, empty database next to the test database, dropped afterwards."""
    name = f"{base.database}_migrations"[:63]
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        message = f"PostgreSQL is not reachable: {exc}"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
def test_migrations_match_the_models_on_postgres(tmp_path):
    base = _postgres_url()
    if base is None:  # `make test` runs the suite a second time with a PostgreSQL TEST_DATABASE_URL
        pytest.skip("TEST_DATABASE_URL does not name a PostgreSQL database")
    with _fresh_postgres_database(base) as url:
        app = _migration_app(url, tmp_path)
        _check_round_trip(app)
