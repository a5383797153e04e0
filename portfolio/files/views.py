"""Files for the browser (session login): the content of an attachment and its previews.

``/files/<id>`` is an attachment id, as in the API. Whoever may see the owning enrolment may see the
file (404 otherwise); a file held back by the antivirus answers 409 with a message.
"""
from __future__ import annotations

from flask import Blueprint, abort
from flask_babel import gettext as _
from flask_login import login_required

from ..extensions import db
from ..policy import require
from .models import Attachment
from .previews import KINDS, get_or_build_preview
from .services import StorageUnavailable
from .serving import ensure_available, serve_stored

bp = Blueprint("files", __name__, url_prefix="/files")


@bp.route("/<int:file_id>")
@login_required
def content(file_id: int):
    attachment = require("view", db.session.get(Attachment, file_id))
    return serve_stored(attachment.stored_file, attachment.name)


@bp.route("/<int:file_id>/preview/<kind>/<int:page>")
@login_required
def preview(file_id: int, kind: str, page: int):
    attachment = require("view", db.session.get(Attachment, file_id))
    if kind not in KINDS:
        abort(404)
    ensure_available(attachment.stored_file)
    try:
        built = get_or_build_preview(attachment.stored_file, kind, page)
    except StorageUnavailable:
        db.session.rollback()
        abort(503, description=_("The file store is unavailable; try again later."))
    if built is None:
        abort(404, description=_("There is no such preview of this file."))
    db.session.commit()
    stem = attachment.name.rsplit(".", 1)[0]
    extension = "png" if built.image.media_type == "image/png" else "jpg"
    return serve_stored(built.image, f"{stem}-{kind}-{page}.{extension}", immutable=True)
