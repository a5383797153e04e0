# ruff: noqa: F821
"""Access-matrix rows for the internship and language pages and endpoints.

On the owner's enrolment: the owner and admins record; the assigned assessor reads (403 on changes);
everyone else gets 404. Deleting rows are put back after each actor by ``reset``.
"""
from datetime import date

INTERNSHIP = {"organisation": "Matrix Films", "start": "2025-03-03", "end": "2025-06-22"}
CERTIFICATE = {"language": "en", "level": "B2", "test": "TOEIC", "date": "2025-01-10"}
RECORDERS_PAGE = {"admin": 302, "owner": 302, "assigned_assessor": 403}
RECORDERS_API = {"admin": 201, "owner": 201, "assigned_assessor": 403}
EDITORS_PAGE = {"admin": 200, "owner": 200, "assigned_assessor": 403}


def extend_world(users, objects, ids):
    from portfolio.extensions import db
    from portfolio.records.models import Internship, LanguageCertificate

    enrolment = objects["enrolment"]
    internship = Internship(enrolment_id=enrolment.id, organisation="Matrix Films", start_date=date(2025, 3, 3),
                            end_date=date(2025, 6, 22))
    certificate = LanguageCertificate(enrolment_id=enrolment.id, level="C1", test="IELTS", date=date(2025, 1, 10))
    db.session.add_all([internship, certificate])
    db.session.flush()
    ids["records_internship"] = objects["records_internship_id"] = internship.id
    ids["records_certificate"] = objects["records_certificate_id"] = certificate.id


def _restore_internship(objects):
    from portfolio.extensions import db
    from portfolio.records.models import Internship

    row_id = objects["records_internship_id"]
    if db.session.get(Internship, row_id) is None:
        db.session.add(Internship(id=row_id, enrolment_id=objects["enrolment"].id, organisation="Matrix Films",
                                  start_date=date(2025, 3, 3), end_date=date(2025, 6, 22)))


def _restore_certificate(objects):
    from portfolio.extensions import db
    from portfolio.records.models import LanguageCertificate

    row_id = objects["records_certificate_id"]
    if db.session.get(LanguageCertificate, row_id) is None:
        db.session.add(LanguageCertificate(id=row_id, enrolment_id=objects["enrolment"].id, level="C1",
                                           test="IELTS", date=date(2025, 1, 10)))


CASES = {
    "records.internships": [
        Case("GET", "/enrolments/{enrolment}/internship", only(ENROLMENT_VIEWERS, 404)),
        Case("POST", "/enrolments/{enrolment}/internship", only(RECORDERS_PAGE, 404), data=INTERNSHIP),
        Case("POST", "/enrolments/{enrolment}/internship", only({**RECORDERS_PAGE, "admin": 422, "owner": 422}, 404),
             data={"organisation": "X", "start": "2025-06-01", "end": "2025-05-01"}),
    ],
    "records.internship_edit": [
        Case("GET", "/enrolments/{enrolment}/internship/{records_internship}/edit", only(EDITORS_PAGE, 404)),
        Case("POST", "/enrolments/{enrolment}/internship/{records_internship}/edit", only(RECORDERS_PAGE, 404),
             data=INTERNSHIP),
        Case("GET", "/enrolments/999999/internship/{records_internship}/edit", only({}, 404)),
    ],
    "records.internship_delete": [
        Case("POST", "/enrolments/{enrolment}/internship/{records_internship}/delete", only(RECORDERS_PAGE, 404),
             reset=_restore_internship),
    ],
    "records.languages": [
        Case("GET", "/enrolments/{enrolment}/languages", only(ENROLMENT_VIEWERS, 404)),
        Case("POST", "/enrolments/{enrolment}/languages", only(RECORDERS_PAGE, 404), data=CERTIFICATE),
    ],
    "records.language_delete": [
        Case("POST", "/enrolments/{enrolment}/languages/{records_certificate}/delete", only(RECORDERS_PAGE, 404),
             reset=_restore_certificate),
    ],
    "api.list_internships": [
        Case("GET", "/api/v1/enrolments/{enrolment}/internships", only(ENROLMENT_VIEWERS, 404, anonymous=UNAUTH)),
    ],
    "api.create_internship": [
        Case("POST", "/api/v1/enrolments/{enrolment}/internships", only(RECORDERS_API, 404, anonymous=UNAUTH),
             json=INTERNSHIP),
        Case("POST", "/api/v1/enrolments/{enrolment}/internships",
             only({**RECORDERS_API, "admin": 422, "owner": 422}, 404, anonymous=UNAUTH),
             json={"organisation": "X", "start": "2025-06-01", "end": "2025-05-01"}),
    ],
    "api.list_language_certificates": [
        Case("GET", "/api/v1/enrolments/{enrolment}/language-certificates",
             only(ENROLMENT_VIEWERS, 404, anonymous=UNAUTH)),
    ],
    "api.create_language_certificate": [
        Case("POST", "/api/v1/enrolments/{enrolment}/language-certificates",
             only(RECORDERS_API, 404, anonymous=UNAUTH), json={"framework": "CEFR", **CERTIFICATE}),
        Case("POST", "/api/v1/enrolments/{enrolment}/language-certificates",
             only({**RECORDERS_API, "admin": 422, "owner": 422}, 404, anonymous=UNAUTH),
             json={"framework": "CEFR", "level": "D1", "test": "TOEIC", "date": "2025-01-10"}),
    ],
}
