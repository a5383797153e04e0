"""Errors: an HTML page for people, an RFC 9457 problem for the API. Never a bare 500."""
from __future__ import annotations

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from .extensions import db


def wants_problem() -> bool:
    return request.path.startswith("/api/")


def problem(status: int, title: str, detail: str, **extra):
    """An ``application/problem+json`` response."""
    body = {"type": "about:blank", "status": status, "title": title, "detail": detail, **extra}
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def register_error_handlers(app) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if wants_problem():
            detail = exc.description or exc.name
            response = problem(exc.code or 500, exc.name, detail)
        else:
            response = app.response_class(
                render_template("error.html", code=exc.code, name=exc.name, description=exc.description),
                status=exc.code,
            )
        if exc.code == 401 and wants_problem():
            response.headers["WWW-Authenticate"] = 'Bearer realm="portfolio"'
        if exc.code == 405 and hasattr(exc, "valid_methods") and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        app.logger.exception("unhandled error")
        db.session.rollback()
        if wants_problem():
            return problem(500, "Internal Server Error", "An unexpected error occurred; nothing was saved.")
        return render_template("error.html", code=500, name=_("Server error"),
                               description=_("An unexpected error occurred; nothing was saved.")), 500
