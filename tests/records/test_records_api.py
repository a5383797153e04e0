"""API: POST and GET /enrolments/{id}/internships and /enrolments/{id}/language-certificates."""
from __future__ import annotations

import pytest

from portfolio.extensions import db
from portfolio.records.models import Internship, LanguageCertificate


def _problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


@pytest.fixture
def owner(make_user, make_enrolment):
    assessor = make_user("assessor")
    enrolment = make_enrolment(assessors=[assessor])
    return enrolment, assessor


def test_candidate_posts_an_internship_of_sixteen_weeks(client, owner, api_token, check_response):
    enrolment, _ = owner
    headers = api_token(enrolment.candidate)
    url = f"/api/v1/enrolments/{enrolment.id}/internships"
    response = check_response(client.post(url, headers=headers, json={
        "organisation": "Les Films du Lendemain", "start": "2025-03-03", "end": "2025-06-22",
        "tutor": {"name": "Anne Dupont", "email": "anne@example.org"}}), "/enrolments/{id}/internships", "post")
    assert response.status_code == 201
    body = response.get_json()
    assert isinstance(body["id"], int)
    assert body["weeks"] == 16 and body["days"] == 112 and body["meets_minimum"] is True
    assert body["tutor"] == {"name": "Anne Dupont", "email": "anne@example.org"}
    assert db.session.get(Internship, body["id"]).enrolment_id == enrolment.id
    status = client.get(f"/api/v1/enrolments/{enrolment.id}", headers=headers).get_json()["certification_status"]
    assert "internship" not in status["missing"]


def test_fifteen_weeks_six_days_does_not_meet_the_minimum(client, owner, api_token):
    enrolment, _ = owner
    headers = api_token(enrolment.candidate)
    body = client.post(f"/api/v1/enrolments/{enrolment.id}/internships", headers=headers, json={
        "organisation": "Arte", "start": "2025-03-03", "end": "2025-06-21"}).get_json()
    assert body["days"] == 111 and body["meets_minimum"] is False and body["weeks"] == pytest.approx(15.86)
    assert body["tutor"] is None
    status = client.get(f"/api/v1/enrolments/{enrolment.id}", headers=headers).get_json()["certification_status"]
    assert "internship" in status["missing"]


@pytest.mark.parametrize(("payload", "needle"), [
    ({"organisation": "X", "start": "2025-06-01", "end": "2025-05-31"}, "before"),
    ({"organisation": "X", "start": "2025-02-30", "end": "2025-05-31"}, "start"),
    ({"organisation": "X", "start": "yesterday", "end": "2025-05-31"}, "start"),
    ({"organisation": "X", "start": 20250101, "end": "2025-05-31"}, "start"),
    ({"organisation": "X", "start": "2025-01-01"}, "end"),
    ({"organisation": "  ", "start": "2025-01-01", "end": "2025-05-31"}, "organisation"),
    ({"start": "2025-01-01", "end": "2025-05-31"}, "organisation"),
    ({"organisation": ["X"], "start": "2025-01-01", "end": "2025-05-31"}, "organisation"),
    ({"organisation": "X" * 201, "start": "2025-01-01", "end": "2025-05-31"}, "organisation"),
    ({"organisation": "X", "start": "2025-01-01", "end": "2025-05-31", "tutor": 3}, "tutor"),
    ({"organisation": "X", "start": "2025-01-01", "end": "2025-05-31",
      "tutor": {"name": "A", "email": "not an email"}}, "email"),
])
def test_bad_internships_are_422_problems(client, owner, api_token, payload, needle, check_response):
    enrolment, _ = owner
    response = client.post(f"/api/v1/enrolments/{enrolment.id}/internships",
                           headers=api_token(enrolment.candidate), json=payload)
    body = _problem(response, 422)
    check_response(response, "/enrolments/{id}/internships", "post")
    assert needle in body["detail"]
    assert db.session.scalar(db.select(db.func.count(Internship.id))
                             .where(Internship.enrolment_id == enrolment.id)) == 0


def test_a_body_that_is_not_a_json_object_is_a_400_problem(client, owner, api_token):
    enrolment, _ = owner
    _problem(client.post(f"/api/v1/enrolments/{enrolment.id}/internships", headers=api_token(enrolment.candidate),
                         data="nope", content_type="text/plain"), 400)


def test_who_may_post_and_read(client, owner, make_user, make_enrolment, api_token, check_response):
    enrolment, assessor = owner
    payload = {"organisation": "X", "start": "2025-01-01", "end": "2025-05-31"}
    internships = f"/api/v1/enrolments/{enrolment.id}/internships"
    certificates = f"/api/v1/enrolments/{enrolment.id}/language-certificates"
    cert_payload = {"framework": "CEFR", "level": "B2", "test": "TOEIC", "date": "2025-01-10"}
    # The assigned assessor sees the enrolment but may not record for it.
    _problem(client.post(internships, headers=api_token(assessor), json=payload), 403)
    _problem(client.post(certificates, headers=api_token(assessor), json=cert_payload), 403)
    # Others do not see it at all.
    for stranger in (make_user("candidate"), make_user("assessor"), make_user("jury"), make_user("referent")):
        headers = api_token(stranger)
        _problem(client.post(internships, headers=headers, json=payload), 404)
        _problem(client.get(internships, headers=headers), 404)
        _problem(client.post(certificates, headers=headers, json=cert_payload), 404)
        _problem(client.get(certificates, headers=headers), 404)
    _problem(client.post(internships, json=payload), 401)
    _problem(client.post("/api/v1/enrolments/999999/internships", headers=api_token(enrolment.candidate),
                         json=payload), 404)
    # Admins record for anyone.
    admin = api_token(make_user("admin"))
    assert client.post(internships, headers=admin, json=payload).status_code == 201
    assert client.post(certificates, headers=admin, json=cert_payload).status_code == 201
    # Readers list them.
    listed = check_response(client.get(internships, headers=api_token(assessor)), "/enrolments/{id}/internships")
    assert [row["organisation"] for row in listed.get_json()] == ["X"]
    listed = check_response(client.get(certificates, headers=api_token(assessor)),
                            "/enrolments/{id}/language-certificates")
    assert [row["level"] for row in listed.get_json()] == ["B2"]


def test_candidate_posts_a_language_certificate(client, owner, api_token, check_response):
    enrolment, _ = owner
    headers = api_token(enrolment.candidate)
    url = f"/api/v1/enrolments/{enrolment.id}/language-certificates"
    response = check_response(client.post(url, headers=headers, json={
        "framework": "CEFR", "level": "C1", "test": "Cambridge C1 Advanced", "date": "2024-12-01"}),
        "/enrolments/{id}/language-certificates", "post")
    assert response.status_code == 201
    body = response.get_json()
    assert body["level"] == "C1" and body["framework"] == "CEFR" and body["language"] == "en"
    row = db.session.get(LanguageCertificate, body["id"])
    assert (row.enrolment_id, row.test, row.date.isoformat()) == (enrolment.id, "Cambridge C1 Advanced",
                                                                  "2024-12-01")
    listed = client.get(url, headers=headers).get_json()
    assert [c["id"] for c in listed] == [body["id"]]


@pytest.mark.parametrize(("payload", "needle"), [
    ({"framework": "CEFR", "level": "B3", "test": "TOEIC", "date": "2025-01-10"}, "level"),
    ({"framework": "CEFR", "level": None, "test": "TOEIC", "date": "2025-01-10"}, "level"),
    ({"framework": "ACTFL", "level": "B2", "test": "TOEIC", "date": "2025-01-10"}, "CEFR"),
    ({"framework": "CEFR", "level": "B2", "test": "TOEIC", "date": "10/01/2025"}, "date"),
    ({"framework": "CEFR", "level": "B2", "test": "TOEIC"}, "date"),
    ({"framework": "CEFR", "level": "B2", "test": "", "date": "2025-01-10"}, "test"),
    ({"framework": "CEFR", "level": "B2", "test": "TOEIC", "date": "2025-01-10", "language": "English"},
     "language"),
])
def test_bad_language_certificates_are_422_problems(client, owner, api_token, payload, needle):
    enrolment, _ = owner
    body = _problem(client.post(f"/api/v1/enrolments/{enrolment.id}/language-certificates",
                                headers=api_token(enrolment.candidate), json=payload), 422)
    assert needle in body["detail"]
    assert db.session.scalar(db.select(db.func.count(LanguageCertificate.id))
                             .where(LanguageCertificate.enrolment_id == enrolment.id)) == 0
