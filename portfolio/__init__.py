"""portfolio: evidence portfolios, online assessment and jury validation for RNCP41241 (DHEC)."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from .config import PROJECT_ROOT, load_config


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )

    # Configuration: the environment, then what the caller passes (tests).
    app.config.from_mapping(load_config(Path(app.instance_path)))
    if config:
        app.config.update(config)
    app.config["MAX_CONTENT_LENGTH"] = None  # uploads enforce MAX_UPLOAD_MB per file while streaming

    # Extensions.
    from . import i18n, labels, security
    from .extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    with app.app_context():
        from .db import configure_sqlite

        configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    labels.init_app(app)
    login_manager.init_app(app)
    security.init_app(app)

    # Models and access rules (imported for their registration).
    from . import models  # noqa: F401
    from .permissions import register_all

    register_all()
    from .files.services import register_cleanup

    register_cleanup(app)
    from .files.uploads import UploadRequest

    app.request_class = UploadRequest  # file parts stream into hashed temporary files, each byte written once

    # Blueprints.
    from .accommodations.views import bp as accommodations_bp
    from .accounts.views import bp as accounts_bp
    from .admin.views import bp as admin_bp
    from .annotations.views import bp as annotations_bp
    from .api import bp as api_bp
    from .assessments.views import bp as assessments_bp
    from .dashboard.views import bp as dashboard_bp
    from .enrolments.views import bp as enrolments_bp
    from .evidence.views import bp as evidence_bp
    from .files.views import bp as files_bp
    from .grading.views import bp as grading_bp
    from .juries.credentials_views import bp as credentials_bp
    from .juries.documents_views import bp as jury_documents_bp
    from .juries.stats_views import bp as jury_stats_bp
    from .juries.views import bp as juries_bp
    from .records.views import bp as records_bp
    from .referential.views import bp as referential_bp
    from .vae.views import bp as vae_bp

    for blueprint in (dashboard_bp, accounts_bp, referential_bp, enrolments_bp, admin_bp, api_bp,
                      records_bp, vae_bp, accommodations_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(files_bp)
    app.register_blueprint(evidence_bp)
    app.register_blueprint(assessments_bp)
    app.register_blueprint(juries_bp)
    app.register_blueprint(jury_documents_bp)
    app.register_blueprint(jury_stats_bp)
    app.register_blueprint(credentials_bp)
    app.register_blueprint(grading_bp)
    app.register_blueprint(annotations_bp)
    csrf.exempt(api_bp)  # the API authenticates by bearer token, never by cookie

    # Error pages and RFC 9457 problems.
    from .errors import register_error_handlers

    register_error_handlers(app)

    # Command line.
    from .cli import register_cli

    register_cli(app)
    return app
