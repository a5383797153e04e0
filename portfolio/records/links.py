"""Links to attached files, shared by the records, VAE and accommodation pages.

The files feature serves an attachment at ``/files/<id>`` (endpoint ``files.content``, or
``files.download``); until such an endpoint exists the link is built by hand to the same address.
"""
from __future__ import annotations

from flask import current_app, url_for


def attachment_url(attachment) -> str:
    """The page address that serves ``attachment`` (an Attachment row) to those allowed to see it."""
    for endpoint in ("files.download", "files.content"):
        if endpoint in current_app.view_functions:
            return url_for(endpoint, file_id=attachment.id)
    return f"/files/{attachment.id}"


def attachment_json(attachment) -> dict:
    """An attached file as the API shows it (the same fields as a deliverable's files)."""
    return {"id": attachment.id, "name": attachment.name, "size": attachment.size, "sha256": attachment.sha256,
            "media_type": attachment.media_type}
