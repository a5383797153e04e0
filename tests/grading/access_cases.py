# ruff: noqa: F821
"""Access-matrix rows of the grading pages and endpoints (see tests/test_access_matrix.py, which loads this
module and gives it Case, everyone, only, LOGIN, UNAUTH, SIGNED_IN and ENROLMENT_VIEWERS).

The world gets a BC05 assessment and two deliverables of the owner's enrolment, made as rows: one
submitted (graded by the assigned assessor only: admins and the candidate 403, others 404) and one
still a draft (409). Queues and the assessors' progress page are for assessors (403 for other roles).
"""
from __future__ import annotations

GRADE_FORM = {"action": "save", "lock_version": "0", "version": "1"}
GRADES_JSON = {"grades": [{"competence": "BC05.1", "level": "acquired", "comment": "matrix"}]}
GRADERS_PAGE = {"assigned_assessor": 302, "admin": 403, "owner": 403}
ASSESSORS = {"assigned_assessor": 200, "other_assessor": 200}


def extend_world(users, objects, ids):
    import hashlib
    from datetime import UTC, datetime

    from portfolio.assessments.models import Assessment
    from portfolio.evidence.models import CompetenceTag, Deliverable, DeliverableVersion
    from portfolio.extensions import db
    from portfolio.files.models import Attachment, StoredFile

    enrolment = objects["enrolment"]
    bc05 = next(b for b in enrolment.certification.blocs if b.code == "BC05")
    assessment = Assessment(certification=enrolment.certification, bloc=bc05, code="GRADING-MATRIX",
                            title="Grading matrix", kind="written", deliverable_types=["production_dossier"],
                            competences=list(bc05.competences[:2]), markers=1)
    made = {}
    for name, submitted in (("submitted", True), ("draft", False)):
        deliverable = Deliverable(enrolment=enrolment, assessment=assessment, type="production_dossier",
                                  title=f"Grading matrix {name}")
        version = DeliverableVersion(number=1, submitted_at=datetime.now(UTC) if submitted else None)
        deliverable.versions.append(version)
        deliverable.tags.append(CompetenceTag(competence=bc05.competences[0], justification="matrix"))
        db.session.add(deliverable)
        db.session.flush()
        digest = hashlib.sha256(f"grading-matrix-{name}".encode()).hexdigest()
        db.session.add(Attachment(stored_file=StoredFile(backend="local", key=f"matrix/{digest}", size=10,
                                                         media_type="application/pdf", sha256=digest),
                                  name=f"{name}.pdf", version_id=version.id))
        made[name] = deliverable
    db.session.flush()
    objects.update(grading_submitted=made["submitted"])
    ids.update(grading_submitted=made["submitted"].id, grading_draft=made["draft"].id)


def _drop_markings(objects):
    from sqlalchemy import delete

    from portfolio.extensions import db
    from portfolio.grading.models import Marking

    version = objects["grading_submitted"].versions[0]
    db.session.execute(delete(Marking).where(Marking.version_id == version.id))


CASES = {
    "grading.page": [
        Case("GET", "/deliverables/{grading_submitted}/grading",
             only({"admin": 200, "assigned_assessor": 200, "owner": 403}, 404)),
        Case("GET", "/deliverables/999999999/grading", only({}, 404)),
    ],
    "grading.save": [
        Case("POST", "/deliverables/{grading_submitted}/grading", only(GRADERS_PAGE, 404), data=GRADE_FORM,
             reset=_drop_markings),
        Case("POST", "/deliverables/{grading_draft}/grading", only({**GRADERS_PAGE, "assigned_assessor": 409}, 404),
             data=GRADE_FORM),
    ],
    "grading.agree": [
        # Only one of the two assessors of a double marking (or an admin) settles; here nothing diverges.
        Case("POST", "/deliverables/{grading_submitted}/grading/agreed",
             only({"admin": 302, "assigned_assessor": 403, "owner": 403}, 404),
             data={"version": "1", "competence": "BC05.1", "level": "acquired"}),
    ],
    "grading.feedback": [
        Case("GET", "/deliverables/{grading_submitted}/feedback.docx", only(ENROLMENT_VIEWERS, 404)),
    ],
    "grading.queue": [Case("GET", "/assessor/queue", only(ASSESSORS, 403))],
    "grading.assessor_progress": [Case("GET", "/assessor/progress", only(ASSESSORS, 403))],
    "grading.progress": [Case("GET", "/enrolments/{enrolment}/progress", only(ENROLMENT_VIEWERS, 404))],
    "api.grade_deliverable": [
        Case("POST", "/api/v1/deliverables/{grading_submitted}/grades",
             only({"assigned_assessor": 201, "admin": 403, "owner": 403}, 404, anonymous=UNAUTH), json=GRADES_JSON,
             reset=_drop_markings),
        Case("POST", "/api/v1/deliverables/{grading_draft}/grades",
             only({"assigned_assessor": 409, "admin": 403, "owner": 403}, 404, anonymous=UNAUTH), json=GRADES_JSON),
        Case("POST", "/api/v1/deliverables/999999999/grades", only({}, 404, anonymous=UNAUTH), json=GRADES_JSON),
    ],
    "api.enrolment_blocs": [
        Case("GET", "/api/v1/enrolments/{enrolment}/blocs", only(ENROLMENT_VIEWERS, 404, anonymous=UNAUTH)),
    ],
}
