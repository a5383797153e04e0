"""Deliverables in API v1: the full flow, every error status, and the documented schemas."""
from __future__ import annotations

import io

import pytest
from evidence_files import pdf_bytes, png_bytes
from sqlalchemy import func, select

from portfolio.evidence import services
from portfolio.evidence.models import Deliverable
from portfolio.extensions import db
from portfolio.files.models import Attachment, StoredFile


def _problem(response, status, check_response=None, path=None, method="post"):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    if check_response is not None:
        check_response(response, path, method)
    return body


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_full_flow(student, api_token, client, check_response):
    headers = api_token(student.candidate)
    url = f"/api/v1/enrolments/{student.enrolment.id}/deliverables"
    empty = client.get(url, headers=headers)
    assert check_response(empty, "/enrolments/{id}/deliverables").get_json() == []

    response = client.post(url, headers=headers, content_type="multipart/form-data", data={
        "title": "Dossier de production", "type": "production_dossier", "assessment": str(student.assessment.id),
        "competences": ["BC05.1", "BC05.4"], "justification:BC05.4": "Le dépouillement",
        "file": [(io.BytesIO(pdf_bytes("api1")), "dossier.pdf"), (io.BytesIO(png_bytes(11)), "plan.png")],
    })
    assert response.status_code == 201, response.get_data(as_text=True)
    check_response(response, "/enrolments/{id}/deliverables", "post")
    body = response.get_json()
    assert body["version"] == 1 and [f["name"] for f in body["files"]] == ["dossier.pdf", "plan.png"]
    assert body["files"][0]["media_type"] == "application/pdf" and body["files"][1]["media_type"] == "image/png"
    assert body["files"][0]["size"] == len(pdf_bytes("api1")) and len(body["files"][0]["sha256"]) == 64
    assert db.session.get(Attachment, body["files"][0]["id"]).name == "dossier.pdf"
    deliverable_id = body["id"]
    assert response.headers["Location"].endswith(f"/api/v1/deliverables/{deliverable_id}")

    # An older one, then the list is newest first.
    second = client.post(url, headers=headers, data={"title": "Moodboard", "type": "moodboard",
                                                     "assessment": student.assessment.id})
    assert second.status_code == 201
    listing = check_response(client.get(url, headers=headers), "/enrolments/{id}/deliverables").get_json()
    assert [d["id"] for d in listing] == [second.get_json()["id"], deliverable_id]

    one = check_response(client.get(f"/api/v1/deliverables/{deliverable_id}", headers=headers), "/deliverables/{id}")
    data = one.get_json()
    assert data["tags"] == [{"competence": "BC05.1", "justification": ""},
                            {"competence": "BC05.4", "justification": "Le dépouillement"}]
    assert data["grades"] == [] and data["status"] == "draft"
    assert [v["number"] for v in data["versions"]] == [1] and data["versions"][0]["submitted_at"] is None

    submitted = client.post(f"/api/v1/deliverables/{deliverable_id}/submit", headers=headers)
    check_response(submitted, "/deliverables/{id}/submit", "post")
    data = submitted.get_json()
    assert data["status"] == "submitted" and data["versions"][0]["submitted_at"] and data["is_late"] is False

    version = client.post(f"/api/v1/deliverables/{deliverable_id}/versions", headers=headers,
                          content_type="multipart/form-data",
                          data={"file": [(io.BytesIO(pdf_bytes("api2")), "dossier-v2.pdf")]})
    check_response(version, "/deliverables/{id}/versions", "post")
    assert version.status_code == 201 and version.get_json()["version"] == 2
    assert [f["name"] for f in version.get_json()["files"]] == ["dossier-v2.pdf"]

    data = client.get(f"/api/v1/deliverables/{deliverable_id}", headers=headers).get_json()
    assert [(v["number"], bool(v["submitted_at"]), [f["name"] for f in v["files"]]) for v in data["versions"]] == [
        (1, True, ["dossier.pdf", "plan.png"]), (2, False, ["dossier-v2.pdf"])]
    assert data["status"] == "revising"

    # Assessors read it too.
    seen = client.get(f"/api/v1/deliverables/{deliverable_id}", headers=api_token(student.assessor))
    assert seen.status_code == 200 and seen.get_json()["id"] == deliverable_id


def test_vae_free_evidence_and_json_body(make_user, make_enrolment, api_token, client, check_response):
    enrolment = make_enrolment(candidate=make_user("candidate"), route="vae", option="production-distribution")
    response = client.post(f"/api/v1/enrolments/{enrolment.id}/deliverables", headers=api_token(enrolment.candidate),
                           json={"title": "Générique", "type": "proof", "competences": ["BC08.1"]})
    check_response(response, "/enrolments/{id}/deliverables", "post")
    assert response.status_code == 201 and response.get_json()["tags"][0]["competence"] == "BC08.1"
    assert db.session.get(Deliverable, response.get_json()["id"]).assessment_id is None


def test_upload_errors_store_nothing(student, api_token, client, check_response, app, monkeypatch):
    headers = api_token(student.candidate)
    url = f"/api/v1/enrolments/{student.enrolment.id}/deliverables"
    path = "/enrolments/{id}/deliverables"
    fields = {"title": "Moodboard", "type": "moodboard", "assessment": student.assessment.id}
    before = (_count(Deliverable), _count(StoredFile), _count(Attachment))

    # 415: a refused type, with the reason; the good file sent first is not kept either.
    response = client.post(url, headers=headers, content_type="multipart/form-data", data={
        **fields, "file": [(io.BytesIO(png_bytes(21)), "ok.png"), (io.BytesIO(b"some notes\n"), "notes.txt")]})
    body = _problem(response, 415, check_response, path)
    assert "notes.txt" in body["detail"] and "text/plain" in body["detail"]
    response = client.post(url, headers=headers, content_type="multipart/form-data", data={
        **fields, "file": [(io.BytesIO(b"\x7fELF\x02\x01\x01" + b"\x00" * 64), "photo.png")]})
    assert "never accepted" in _problem(response, 415, check_response, path)["detail"]
    assert (_count(Deliverable), _count(StoredFile), _count(Attachment)) == before

    # 413: one file over MAX_UPLOAD_MB.
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 1)
    response = client.post(url, headers=headers, content_type="multipart/form-data", data={
        **fields, "file": [(io.BytesIO(pdf_bytes() + b"0" * (1024 * 1024 + 10)), "big.pdf")]})
    _problem(response, 413, check_response, path)
    monkeypatch.setitem(app.config, "MAX_UPLOAD_MB", 2048)
    assert (_count(Deliverable), _count(StoredFile), _count(Attachment)) == before

    # 503: the store fails.
    from portfolio.files import services as file_services
    from portfolio.storage import StorageError

    class Unreachable:
        name = "local"

        def exists(self, key):
            raise StorageError("connection refused")

        def __getattr__(self, name):
            raise StorageError("connection refused")

    monkeypatch.setattr(file_services, "get_storage", lambda app=None: Unreachable())
    response = client.post(url, headers=headers, content_type="multipart/form-data", data={
        **fields, "file": [(io.BytesIO(png_bytes(22)), "mood.png")]})
    _problem(response, 503, check_response, path)
    assert (_count(Deliverable), _count(StoredFile), _count(Attachment)) == before


@pytest.mark.parametrize("fields, needle", [
    ({"type": "thesis"}, "does not expect"),
    ({"type": "podcast"}, "Unknown deliverable type"),
    ({"competences": ["BC05.9"]}, "BC05.9"),
    ({"competences": ["RNCP99999BC05.1"]}, "RNCP99999BC05.1"),
    ({"competences": ["BC08.2"]}, "BC08.2"),
    ({"assessment": "abc"}, "assessment"),
    ({"assessment": "999999"}, "assessment"),
    ({"title": ""}, "title"),
])
def test_bad_input_is_422(student, api_token, client, check_response, fields, needle):
    data = {"title": "Moodboard", "type": "moodboard", "assessment": student.assessment.id, **fields}
    response = client.post(f"/api/v1/enrolments/{student.enrolment.id}/deliverables",
                           headers=api_token(student.candidate), data=data)
    assert needle in _problem(response, 422, check_response, "/enrolments/{id}/deliverables")["detail"]
    assert _count(Deliverable) == 0


def test_assessment_of_another_cohort_is_422(student, api_token, client, make_assessment, certification):
    from portfolio.enrolments.services import get_or_create_cohort

    foreign = make_assessment(cohort=get_or_create_cohort("Other cohort", certification))
    response = client.post(f"/api/v1/enrolments/{student.enrolment.id}/deliverables",
                           headers=api_token(student.candidate),
                           data={"title": "x", "type": "moodboard", "assessment": foreign.id})
    assert "not one of the candidate's" in _problem(response, 422)["detail"]
    # On the training route an assessment is required.
    response = client.post(f"/api/v1/enrolments/{student.enrolment.id}/deliverables",
                           headers=api_token(student.candidate), data={"title": "x", "type": "moodboard"})
    _problem(response, 422)


def test_conflicts_are_409(student, api_token, client, check_response, make_deliverable):
    headers = api_token(student.candidate)
    deliverable = make_deliverable(student)
    base = f"/api/v1/deliverables/{deliverable.id}"
    # Nothing to submit yet; a new version while the latest is a draft.
    assert "at least one file" in _problem(client.post(f"{base}/submit", headers=headers), 409, check_response,
                                           "/deliverables/{id}/submit")["detail"]
    body = _problem(client.post(f"{base}/versions", headers=headers), 409, check_response,
                    "/deliverables/{id}/versions")
    assert "still a draft" in body["detail"]
    etag = client.get(base, headers=headers).headers["ETag"]
    version = client.post(f"{base}/versions", headers=headers, data={"file": [(io.BytesIO(pdf_bytes("x")), "a.pdf")]},
                          content_type="multipart/form-data")
    assert version.status_code == 409
    # Files added elsewhere: the client's copy is stale.
    services.add_files(deliverable, [(io.BytesIO(pdf_bytes("y")), "b.pdf")])
    db.session.commit()
    stale = client.post(f"{base}/submit", headers={**headers, "If-Match": etag})
    assert "changed in the meantime" in _problem(stale, 409, check_response, "/deliverables/{id}/submit")["detail"]
    stale = client.post(f"{base}/submit", headers=headers, json={"lock_version": 1})
    _problem(stale, 409)
    fresh = client.get(base, headers=headers).headers["ETag"]
    assert client.post(f"{base}/submit", headers={**headers, "If-Match": fresh}).status_code == 200
    # Submitted: submitting again, or tagging through a new draft only.
    _problem(client.post(f"{base}/submit", headers=headers), 409)
    db.session.expire_all()
    assert db.session.get(Deliverable, deliverable.id).latest.is_frozen


def test_access_errors(student, api_token, client, make_user, make_deliverable, check_response):
    deliverable = make_deliverable(student, files=[(pdf_bytes("acc"), "a.pdf")])
    base = f"/api/v1/deliverables/{deliverable.id}"
    create = f"/api/v1/enrolments/{student.enrolment.id}/deliverables"
    fields = {"title": "x", "type": "moodboard", "assessment": student.assessment.id}
    for reader in (student.assessor, make_user("admin")):
        headers = api_token(reader)
        _problem(client.post(create, headers=headers, data=fields), 403, check_response,
                 "/enrolments/{id}/deliverables")
        _problem(client.post(f"{base}/submit", headers=headers), 403, check_response, "/deliverables/{id}/submit")
        _problem(client.post(f"{base}/versions", headers=headers), 403)
    outsider = api_token(make_user("candidate"))
    _problem(client.get(base, headers=outsider), 404, check_response, "/deliverables/{id}", "get")
    _problem(client.get(create, headers=outsider), 404, check_response, "/enrolments/{id}/deliverables", "get")
    _problem(client.post(create, headers=outsider, data=fields), 404)
    _problem(client.post(f"{base}/submit", headers=outsider), 404)
    _problem(client.get("/api/v1/deliverables/999999", headers=outsider), 404)
    _problem(client.get(base), 401, check_response, "/deliverables/{id}", "get")
    db.session.expire_all()
    assert db.session.get(Deliverable, deliverable.id).latest.submitted_at is None
