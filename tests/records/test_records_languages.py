"""The language certificates page: recorded with a proof file by the candidate, read by their readers."""
from __future__ import annotations

import io

from portfolio.extensions import db
from portfolio.records.models import LanguageCertificate

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _certificates(enrolment):
    return db.session.scalars(db.select(LanguageCertificate)
                              .where(LanguageCertificate.enrolment_id == enrolment.id)).all()


def test_candidate_records_a_certificate_with_its_proof(make_enrolment, make_user, client_for):
    assessor = make_user("assessor")
    enrolment = make_enrolment(assessors=[assessor])
    client = client_for(enrolment.candidate)
    response = client.post(f"/enrolments/{enrolment.id}/languages", data={
        "language": "en", "level": "B2", "test": "TOEIC", "date": "2025-01-10",
        "proof": (io.BytesIO(PDF), "toeic.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 302
    (row,) = _certificates(enrolment)
    assert (row.framework, row.level, row.test, row.language) == ("CEFR", "B2", "TOEIC", "en")
    assert [a.name for a in row.proof] == ["toeic.pdf"]

    reader = client_for(assessor)
    reader.set_cookie("lang", "en", domain="localhost")
    page = reader.get(f"/enrolments/{enrolment.id}/languages")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "TOEIC" in text and "CEFR B2" in text and "toeic.pdf" in text
    assert 'name="level"' not in text
    assert reader.post(f"/enrolments/{enrolment.id}/languages/{row.id}/delete").status_code == 403
    assert client_for(make_user("candidate")).get(f"/enrolments/{enrolment.id}/languages").status_code == 404

    assert client.post(f"/enrolments/{enrolment.id}/languages/{row.id}/delete").status_code == 302
    assert _certificates(enrolment) == []


def test_bad_input_is_a_form_error(make_enrolment, client_for):
    enrolment = make_enrolment()
    client = client_for(enrolment.candidate)
    client.set_cookie("lang", "en", domain="localhost")
    response = client.post(f"/enrolments/{enrolment.id}/languages", data={
        "language": "en", "level": "B3", "test": "", "date": "tomorrow"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Not a valid choice" in text and "Please correct the following" in text
    assert _certificates(enrolment) == []


def test_a_refused_proof_leaves_no_certificate(make_enrolment, client_for):
    enrolment = make_enrolment()
    client = client_for(enrolment.candidate)
    response = client.post(f"/enrolments/{enrolment.id}/languages", data={
        "language": "en", "level": "C1", "test": "IELTS", "date": "2025-01-10",
        "proof": (io.BytesIO(b"#!/bin/sh\nrm -rf /\n"), "ielts.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 415
    assert _certificates(enrolment) == []
