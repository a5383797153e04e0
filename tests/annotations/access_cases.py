# ruff: noqa: F821
"""Access-matrix rows of the annotation viewer, its exports and the annotation API (see
tests/test_access_matrix.py, which loads this module and gives it Case, everyone, only, LOGIN, UNAUTH,
SIGNED_IN and ENROLMENT_VIEWERS).

The world gets a submitted deliverable of the owner's enrolment holding a 2-page PDF and a short MP4, and
one annotation on the PDF by the assigned assessor (a draft marking: seen by its author and admins only).
Viewers of the enrolment read the viewer and the exports; only the assigned assessor annotates (the
candidate and admins: 403); only the author edits and deletes.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location("annotation_samples_matrix",
                                               Path(__file__).parent / "annotation_samples.py")
samples = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(samples)

ANNOTATORS = {"assigned_assessor": 200, "owner": 403, "admin": 403}
CREATE_FORM = {"annotation-selection": "region", "annotation-page": "1", "annotation-x": "10",
               "annotation-y": "10", "annotation-w": "50", "annotation-h": "20", "annotation-comment": "Matrix"}
# Filled by extend_world with the world's ids (Case data is not formatted with the ids).
DELETE_FORM: dict = {}
CREATE_JSON: dict = {"body": {"type": "TextualBody", "value": "Matrix"},
                     "target": {"source": "", "selector": samples.pdf_region(1)}}


def extend_world(users, objects, ids):
    import io
    from datetime import UTC, datetime

    from portfolio.annotations.services import create_annotation
    from portfolio.evidence.models import Deliverable, DeliverableVersion
    from portfolio.extensions import db
    from portfolio.files.services import attach, receive_upload

    deliverable = Deliverable(enrolment_id=objects["enrolment"].id, title="Matrix film dossier", type="film")
    version = DeliverableVersion(deliverable=deliverable, number=1, submitted_at=datetime.now(UTC))
    db.session.add_all([deliverable, version])
    db.session.flush()
    files = []
    for position, (data, name) in enumerate([(samples.pdf_with_text([["Matrix page one"], ["Page two"]]),
                                              "matrix-dossier.pdf"), (samples.mp4_bytes(4.0, 25), "matrix.mp4")]):
        stored, clean = receive_upload(io.BytesIO(data), name)
        files.append(attach(stored, clean, actor=users["owner"], position=position, version=version))
    db.session.refresh(deliverable)
    annotation = create_annotation(deliverable, files[0], author=users["assigned_assessor"],
                                   selector=samples.pdf_region(1), body="Matrix annotation")
    CREATE_JSON["target"]["source"] = f"/api/v1/files/{files[0].id}/content"
    DELETE_FORM.clear()
    DELETE_FORM[f"delete-{annotation.id}-lock_version"] = "999"
    ids.update(ann_deliverable=deliverable.id, ann_pdf=files[0].id, ann_film=files[1].id,
               ann_annotation=annotation.id)
    objects.update(ann_deliverable=deliverable, ann_annotation_id=annotation.id)


def _drop_new_annotations(objects):
    from sqlalchemy import delete

    from portfolio.annotations.models import Annotation
    from portfolio.extensions import db

    db.session.execute(delete(Annotation).where(Annotation.deliverable_id == objects["ann_deliverable"].id,
                                                Annotation.id != objects["ann_annotation_id"]))


FILE = "/deliverables/{ann_deliverable}/files/{ann_pdf}"
FILM = "/deliverables/{ann_deliverable}/files/{ann_film}"
VIEWERS = only(ENROLMENT_VIEWERS, 404)
AUTHOR_ONLY = {"assigned_assessor": 200, "admin": 403}

CASES: dict = {
    "annotations.view": [
        Case("GET", FILE + "/annotations", VIEWERS),
        Case("GET", FILM + "/annotations", VIEWERS),
        Case("GET", "/deliverables/{ann_deliverable}/files/999999999/annotations", only({}, 404)),
    ],
    "annotations.annotate": [
        Case("GET", FILE + "/annotate", only(ANNOTATORS, 404)),
        Case("POST", FILE + "/annotate", only({**ANNOTATORS, "assigned_assessor": 302}, 404), data=CREATE_FORM,
             reset=_drop_new_annotations),
    ],
    "annotations.page_image": [
        Case("GET", FILE + "/pages/1.png", VIEWERS),
        Case("GET", FILE + "/pages/3.png", only({}, 404)),
    ],
    "annotations.page_text": [Case("GET", FILE + "/pages/2/text", VIEWERS)],
    "annotations.edit": [Case("GET", "/annotations/{ann_annotation}/edit", only(AUTHOR_ONLY, 404))],
    "annotations.delete": [
        # A stale lock version: the author's request passes the policy and is refused, nothing is deleted.
        Case("POST", "/annotations/{ann_annotation}/delete", only({**AUTHOR_ONLY, "assigned_assessor": 302}, 404),
             data=DELETE_FORM),
    ],
    "annotations.export_jsonld": [Case("GET", "/deliverables/{ann_deliverable}/annotations.jsonld", VIEWERS)],
    "annotations.notes_csv": [
        Case("GET", FILM + "/notes.csv", VIEWERS),
        Case("GET", FILE + "/notes.csv", only({}, 404)),
    ],
    "annotations.notes_edl": [Case("GET", FILM + "/notes.edl", VIEWERS)],
    "api.list_annotations": [
        Case("GET", "/api/v1/deliverables/{ann_deliverable}/annotations",
             only(ENROLMENT_VIEWERS, 404, anonymous=UNAUTH)),
    ],
    "api.create_annotation": [
        Case("POST", "/api/v1/deliverables/{ann_deliverable}/annotations",
             only({**ANNOTATORS, "assigned_assessor": 201}, 404, anonymous=UNAUTH), json=CREATE_JSON,
             reset=_drop_new_annotations),
    ],
    "api.get_annotation": [
        Case("GET", "/api/v1/annotations/{ann_annotation}", only({"assigned_assessor": 200, "admin": 200}, 404,
                                                                 anonymous=UNAUTH)),
        Case("GET", "/api/v1/annotations/999999999", only({}, 404, anonymous=UNAUTH)),
    ],
    "api.update_annotation": [
        Case("PATCH", "/api/v1/annotations/{ann_annotation}", only(AUTHOR_ONLY, 404, anonymous=UNAUTH),
             json={"body": "Matrix change"}),
    ],
    "api.delete_annotation": [
        Case("DELETE", "/api/v1/annotations/{ann_annotation}",
             only({**AUTHOR_ONLY, "assigned_assessor": 409}, 404, anonymous=UNAUTH), json={"lock_version": 999}),
    ],
}
