"""GET /api/v1/files/{id}/content: the bytes of an attachment, or a redirect to a short-lived signed URL."""
from __future__ import annotations

from ..api import api_user, bp
from ..extensions import db
from ..policy import require
from .models import Attachment
from .serving import serve_stored


@bp.get("/files/<int:file_id>/content")
def file_content(file_id: int):
    attachment = require("view", db.session.get(Attachment, file_id), user=api_user())
    return serve_stored(attachment.stored_file, attachment.name)
