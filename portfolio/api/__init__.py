"""JSON API v1: bearer-token authentication, RFC 9457 problems, and the OpenAPI description.

Each feature adds its endpoints in its own ``api.py`` on this blueprint.
"""
from __future__ import annotations

from flask import Blueprint, abort, g, request

from ..extensions import db

bp = Blueprint("api", __name__, url_prefix="/api/v1")

PUBLIC_ENDPOINTS = {"api.openapi"}


@bp.before_request
def authenticate():
    from ..accounts.services import user_for_api_token

    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        abort(401, description="An 'Authorization: Bearer TOKEN' header is required.")
    user = user_for_api_token(token.strip())
    if user is None:
        abort(401, description="The token is invalid or has been revoked.")
    g.api_user = user
    db.session.commit()  # keep last_used_at


def api_user():
    return g.api_user


def parse_id(value, field: str) -> int:
    """An id given as a JSON integer or as its decimal string; 422 otherwise."""
    if isinstance(value, bool):
        abort(422, description=f"'{field}' must be an integer id")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    abort(422, description=f"'{field}' must be an integer id")


def json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, description="The request body must be a JSON object.")
    return body


from ..accounts import api as _accounts_api  # noqa: E402,F401
from ..annotations import api as _annotations_api  # noqa: E402,F401
from ..enrolments import api as _enrolments_api  # noqa: E402,F401
from ..evidence import api as _evidence_api  # noqa: E402,F401
from ..files import api as _files_api  # noqa: E402,F401
from ..grading import api as _grading_api  # noqa: E402,F401
from ..juries import api as _juries_api  # noqa: E402,F401
from ..juries import documents_api as _jury_documents_api  # noqa: E402,F401
from ..records import api as _records_api  # noqa: E402,F401
from ..referential import api as _referential_api  # noqa: E402,F401
from . import openapi  # noqa: E402,F401  (registers /openapi.json)
