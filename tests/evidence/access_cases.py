# ruff: noqa: F821
"""Access-matrix rows of the evidence pages, the assessment administration and the deliverable API
(see tests/test_access_matrix.py, which loads this module and gives it Case, everyone, only, LOGIN,
UNAUTH, SIGNED_IN and ENROLMENT_VIEWERS).

The world gets an assessment for every cohort (BC05), a cohort of its own, and two deliverables of the
owner's enrolment: a draft with one PDF file and a submitted one. Viewers of the enrolment read the
evidence; only its candidate acts on it (admins and assessors: 403); everyone else gets 404.
"""
from __future__ import annotations

import io

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

CANDIDATE_ACTS = {"owner": 302, "admin": 403, "assigned_assessor": 403}
ADMIN_ONLY = only({"admin": 200}, 403)
# Filled by extend_world with the world's assessment id (Case data is not formatted with the ids).
CREATE_FIELDS: dict = {"title": "Matrix deliverable", "type": "moodboard"}


def extend_world(users, objects, ids):
    from portfolio.assessments.services import AssessmentData, save_assessment
    from portfolio.enrolments.services import get_or_create_cohort
    from portfolio.evidence import services

    enrolment = objects["enrolment"]
    certification = enrolment.certification
    bc05 = next(b for b in certification.blocs if b.code == "BC05")
    assessment = save_assessment(
        AssessmentData(bloc=bc05, code="MATRIX-BC05", title="Matrix assessment", kind="written",
                       deliverable_types=["moodboard", "production_dossier"], competences=list(bc05.competences)),
        certification=certification, cohort=None)
    cohort = get_or_create_cohort("Evidence matrix cohort", certification)
    draft = services.create_deliverable(enrolment, title="Matrix draft", type_code="moodboard",
                                        assessment=assessment, actor=users["owner"])
    (attachment,) = services.add_files(draft, [(io.BytesIO(PDF), "matrix.pdf")], actor=users["owner"])
    submitted = services.create_deliverable(enrolment, title="Matrix submitted", type_code="moodboard",
                                            assessment=assessment, actor=users["owner"])
    services.add_files(submitted, [(io.BytesIO(PDF + b"%v1\n"), "v1.pdf")], actor=users["owner"])
    services.submit(submitted, actor=users["owner"])
    CREATE_FIELDS["assessment"] = str(assessment.id)
    objects.update(evidence_draft=draft, evidence_submitted=submitted)
    ids.update(evidence_assessment=assessment.id, evidence_cohort=cohort.id, evidence_draft=draft.id,
               evidence_submitted=submitted.id, evidence_file=attachment.id)


def _unsubmit(objects):
    for version in objects["evidence_draft"].versions:
        version.submitted_at, version.due_at, version.is_late = None, None, False


def _drop_new_versions(objects):
    deliverable = objects["evidence_submitted"]
    for version in list(deliverable.versions)[1:]:
        deliverable.versions.remove(version)


CASES: dict = {
    # Pages.
    "evidence.index": [Case("GET", "/enrolments/{enrolment}/evidence", only(ENROLMENT_VIEWERS, 404))],
    "evidence.create": [
        Case("GET", "/enrolments/{enrolment}/evidence/new", only({**CANDIDATE_ACTS, "owner": 200}, 404)),
        Case("POST", "/enrolments/{enrolment}/evidence/new", only(CANDIDATE_ACTS, 404), data=CREATE_FIELDS),
    ],
    "evidence.coverage": [Case("GET", "/enrolments/{enrolment}/coverage", only(ENROLMENT_VIEWERS, 404))],
    "evidence.deliverable": [
        Case("GET", "/deliverables/{evidence_draft}", only(ENROLMENT_VIEWERS, 404)),
        Case("GET", "/deliverables/999999999", only({}, 404)),
    ],
    "evidence.upload": [Case("POST", "/deliverables/{evidence_draft}/files", only(CANDIDATE_ACTS, 404))],
    "evidence.remove_file": [
        Case("POST", "/deliverables/{evidence_draft}/files/{evidence_file}/remove", only(CANDIDATE_ACTS, 404)),
        Case("POST", "/deliverables/{evidence_submitted}/files/{evidence_file}/remove",
             only({**CANDIDATE_ACTS, "owner": 404}, 404)),
    ],
    "evidence.tags": [
        Case("GET", "/deliverables/{evidence_draft}/tags", only({**CANDIDATE_ACTS, "owner": 200}, 404)),
        Case("POST", "/deliverables/{evidence_draft}/tags", only(CANDIDATE_ACTS, 404), data={"competences": "BC05.1"}),
    ],
    "evidence.submit": [
        Case("POST", "/deliverables/{evidence_draft}/submit", only(CANDIDATE_ACTS, 404), reset=_unsubmit),
    ],
    "evidence.new_version": [
        Case("POST", "/deliverables/{evidence_submitted}/versions", only(CANDIDATE_ACTS, 404),
             reset=_drop_new_versions),
    ],
    # Assessment administration.
    "assessments.index": [Case("GET", "/assessments/", ADMIN_ONLY)],
    "assessments.cohort": [
        Case("GET", "/assessments/cohorts/{evidence_cohort}", ADMIN_ONLY),
        Case("GET", "/assessments/cohorts/999999999", only({"admin": 404}, 403)),
    ],
    "assessments.create": [Case("GET", "/assessments/cohorts/{evidence_cohort}/new", ADMIN_ONLY)],
    "assessments.edit": [Case("GET", "/assessments/{evidence_assessment}/edit", ADMIN_ONLY)],
    "assessments.seed": [Case("POST", "/assessments/cohorts/{evidence_cohort}/seed", only({"admin": 302}, 403))],
    # API.
    "api.list_deliverables": [
        Case("GET", "/api/v1/enrolments/{enrolment}/deliverables", only(ENROLMENT_VIEWERS, 404, anonymous=UNAUTH)),
    ],
    "api.create_deliverable": [
        Case("POST", "/api/v1/enrolments/{enrolment}/deliverables",
             only({**CANDIDATE_ACTS, "owner": 201}, 404, anonymous=UNAUTH), data=CREATE_FIELDS),
    ],
    "api.get_deliverable": [
        Case("GET", "/api/v1/deliverables/{evidence_draft}", only(ENROLMENT_VIEWERS, 404, anonymous=UNAUTH)),
        Case("GET", "/api/v1/deliverables/999999999", only({}, 404, anonymous=UNAUTH)),
    ],
    "api.create_version": [
        Case("POST", "/api/v1/deliverables/{evidence_submitted}/versions",
             only({**CANDIDATE_ACTS, "owner": 201}, 404, anonymous=UNAUTH), reset=_drop_new_versions),
    ],
    "api.submit_deliverable": [
        Case("POST", "/api/v1/deliverables/{evidence_draft}/submit",
             only({**CANDIDATE_ACTS, "owner": 200}, 404, anonymous=UNAUTH), reset=_unsubmit),
    ],
}
