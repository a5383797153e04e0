# ruff: noqa: F821
"""Access-matrix rows of the file routes (see tests/test_access_matrix.py, which loads this module and
gives it Case, everyone, only, LOGIN, UNAUTH, SIGNED_IN and ENROLMENT_VIEWERS).

The world gets a deliverable of the owner's enrolment with one version holding a PNG file.
"""
from __future__ import annotations

import io


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (12, 34, 56)).save(buffer, "PNG")
    return buffer.getvalue()


def extend_world(users, objects, ids):
    from portfolio.evidence.models import Deliverable, DeliverableVersion
    from portfolio.extensions import db
    from portfolio.files.services import attach, receive_upload

    deliverable = Deliverable(enrolment_id=objects["enrolment"].id, title="Matrix moodboard", type="moodboard")
    version = DeliverableVersion(deliverable=deliverable, number=1)
    db.session.add_all([deliverable, version])
    db.session.flush()
    stored, name = receive_upload(io.BytesIO(_png()), "matrix.png")
    attachment = attach(stored, name, actor=users["owner"], version=version)
    objects["file_attachment"] = attachment
    ids["file_attachment"] = attachment.id


CASES: dict = {
    "files.content": [
        Case("GET", "/files/{file_attachment}", only(ENROLMENT_VIEWERS, 404)),
        Case("GET", "/files/999999999", only({}, 404)),
    ],
    "files.preview": [
        Case("GET", "/files/{file_attachment}/preview/thumbnail/0", only(ENROLMENT_VIEWERS, 404)),
        Case("GET", "/files/{file_attachment}/preview/page/1", only({}, 404)),  # an image has no pages
    ],
    "api.file_content": [
        Case("GET", "/api/v1/files/{file_attachment}/content", only(ENROLMENT_VIEWERS, 404, anonymous=UNAUTH)),
        Case("GET", "/api/v1/files/999999999/content", only({}, 404, anonymous=UNAUTH)),
    ],
}
