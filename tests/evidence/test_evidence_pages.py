"""Evidence pages: the candidate's flow, read-only views for assessors and admins, 404 for the others."""
from __future__ import annotations

import io
import re

from evidence_files import pdf_bytes, png_bytes
from sqlalchemy import func, select

from portfolio.evidence.models import Deliverable
from portfolio.extensions import db
from portfolio.files.models import StoredFile


def _page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _deliverables(enrolment):
    return db.session.scalars(select(Deliverable).where(Deliverable.enrolment_id == enrolment.id)).all()


def test_candidate_creates_uploads_tags_submits_and_revises(student, english_client, read_flashes):
    client = english_client(student.candidate)
    listing = _page(client.get(f"/enrolments/{student.enrolment.id}/evidence"))
    assert "My evidence" in listing and student.assessment.title in listing
    assert f"/enrolments/{student.enrolment.id}/evidence/new?assessment={student.assessment.id}" in listing

    chooser = _page(client.get(f"/enrolments/{student.enrolment.id}/evidence/new"))
    assert '<select id="assessment" name="assessment"' in chooser and f'value="{student.assessment.id}"' in chooser
    form = _page(client.get(f"/enrolments/{student.enrolment.id}/evidence/new?assessment={student.assessment.id}"))
    types = re.findall(r'<option[^>]*value="([a-z_]+)"', form)
    assert types == ["moodboard", "production_dossier"]

    # A type the assessment does not expect is refused with a form error.
    refused = client.post(f"/enrolments/{student.enrolment.id}/evidence/new",
                          data={"assessment": student.assessment.id, "type": "thesis", "title": "Mémoire"})
    assert refused.status_code == 200 and 'id="type-error"' in refused.get_data(as_text=True)
    assert _deliverables(student.enrolment) == []

    response = client.post(f"/enrolments/{student.enrolment.id}/evidence/new",
                           data={"assessment": student.assessment.id, "type": "moodboard", "title": "Moodboard"})
    assert response.status_code == 302
    (deliverable,) = _deliverables(student.enrolment)
    assert response.location.endswith(f"/deliverables/{deliverable.id}")

    page = _page(client.get(f"/deliverables/{deliverable.id}"))
    assert 'enctype="multipart/form-data"' in page and "data-upload" in page and "<progress" in page
    assert 'aria-live="polite"' in page and "js/upload.js" in page and 'multiple' in page
    assert f'name="lock_version" value="{deliverable.lock_version}"' in page

    upload = client.post(f"/deliverables/{deliverable.id}/files", data={
        "lock_version": deliverable.lock_version,
        "files": [(io.BytesIO(pdf_bytes("p1")), "planche.pdf"), (io.BytesIO(png_bytes(7)), "image.png")]},
        content_type="multipart/form-data")
    assert upload.status_code == 302
    after = client.get(upload.location)
    assert ("success", "2 files added.") in read_flashes(after)
    page = _page(after)
    db.session.expire_all()
    deliverable = db.session.get(Deliverable, deliverable.id)
    files = deliverable.latest.files
    assert [f.name for f in files] == ["planche.pdf", "image.png"]
    assert f'href="/files/{files[0].id}"' in page

    tags_page = _page(client.get(f"/deliverables/{deliverable.id}/tags"))
    assert 'name="competences" value="BC05.1"' in tags_page and 'name="justification-BC05.1"' in tags_page
    assert "BC07.1" in tags_page and "BC08.1" not in tags_page  # the chosen option's bloc only
    response = client.post(f"/deliverables/{deliverable.id}/tags", data={
        "lock_version": deliverable.lock_version, "competences": ["BC05.1", "BC05.3"],
        "justification-BC05.1": "The moodboard states the artistic intentions.", "justification-BC05.3": ""})
    assert response.status_code == 302
    db.session.expire_all()
    deliverable = db.session.get(Deliverable, deliverable.id)
    assert {t.competence.code: t.justification for t in deliverable.tags} == {
        "BC05.1": "The moodboard states the artistic intentions.", "BC05.3": ""}

    response = client.post(f"/deliverables/{deliverable.id}/submit", data={"lock_version": deliverable.lock_version})
    assert response.status_code == 302
    page = client.get(response.location)
    assert any(cat == "success" and "has been submitted" in text for cat, text in read_flashes(page))
    db.session.expire_all()
    deliverable = db.session.get(Deliverable, deliverable.id)
    assert deliverable.status == "submitted"
    page = _page(client.get(f"/deliverables/{deliverable.id}"))
    assert "data-upload" not in page and "Open a new version" in page and "frozen" in page

    response = client.post(f"/deliverables/{deliverable.id}/versions", data={"lock_version": deliverable.lock_version})
    assert response.status_code == 302
    db.session.expire_all()
    deliverable = db.session.get(Deliverable, deliverable.id)
    assert [v.number for v in deliverable.versions] == [1, 2] and deliverable.status == "revising"
    page = _page(client.get(f"/deliverables/{deliverable.id}"))
    assert "Version 2" in page and "Version 1" in page and "planche.pdf" in page

    listing = _page(client.get(f"/enrolments/{student.enrolment.id}/evidence"))
    assert "Moodboard" in listing and "new version in progress" in listing


def test_upload_through_xmlhttprequest_answers_json(student, english_client, make_deliverable):
    deliverable = make_deliverable(student, type_code="moodboard")
    client = english_client(student.candidate)
    headers = {"X-Requested-With": "XMLHttpRequest"}
    ok = client.post(f"/deliverables/{deliverable.id}/files", headers=headers, content_type="multipart/form-data",
                     data={"lock_version": deliverable.lock_version, "files": [(io.BytesIO(png_bytes(3)), "a.png")]})
    assert ok.status_code == 200 and ok.get_json() == {"redirect": f"/deliverables/{deliverable.id}"}
    refused = client.post(f"/deliverables/{deliverable.id}/files", headers=headers,
                          content_type="multipart/form-data",
                          data={"files": [(io.BytesIO(b"MZ\x90\x00rest of a program"), "innocent.pdf")]})
    assert refused.status_code == 415 and "never accepted" in refused.get_json()["error"]
    db.session.expire_all()
    assert [a.name for a in db.session.get(Deliverable, deliverable.id).latest.files] == ["a.png"]


def test_refused_file_and_stale_form_are_flashed_and_change_nothing(student, english_client, make_deliverable,
                                                                    read_flashes):
    deliverable = make_deliverable(student, type_code="moodboard", files=[(png_bytes(9), "first.png")])
    stale = deliverable.lock_version
    client = english_client(student.candidate)
    stored_before = db.session.scalar(select(func.count(StoredFile.id)))
    response = client.post(f"/deliverables/{deliverable.id}/files", content_type="multipart/form-data",
                           data={"lock_version": stale, "files": [(io.BytesIO(b"plain notes\n"), "notes.txt")]})
    assert response.status_code == 302
    messages = read_flashes(client.get(response.location))
    assert any(cat == "error" and "notes.txt" in text and "not accepted" in text for cat, text in messages)
    assert db.session.scalar(select(func.count(StoredFile.id))) == stored_before

    # Another window changes the deliverable: the old page's submit is refused.
    client.post(f"/deliverables/{deliverable.id}/tags", data={"lock_version": stale, "competences": ["BC05.1"]})
    response = client.post(f"/deliverables/{deliverable.id}/submit", data={"lock_version": stale})
    messages = read_flashes(client.get(response.location))
    assert any(cat == "error" and "changed in the meantime" in text for cat, text in messages)
    db.session.expire_all()
    assert db.session.get(Deliverable, deliverable.id).latest.submitted_at is None

    response = client.post(f"/deliverables/{deliverable.id}/tags", data={"lock_version": stale,
                                                                         "competences": ["BC05.2"]})
    assert response.status_code == 302 and response.location.endswith(f"/deliverables/{deliverable.id}/tags")
    db.session.expire_all()
    assert [t.competence.code for t in db.session.get(Deliverable, deliverable.id).tags] == ["BC05.1"]

    page = client.post(f"/deliverables/{deliverable.id}/tags", data={"competences": ["BC99.1"]})
    assert page.status_code == 200 and "BC99.1" in page.get_data(as_text=True) and 'role="alert"' in \
        page.get_data(as_text=True)


def test_assessors_and_admins_read_only_others_not_found(student, english_client, make_user, make_deliverable,
                                                         make_enrolment):
    deliverable = make_deliverable(student, files=[(pdf_bytes("ro"), "dossier.pdf")], tags=["BC05.4"])
    for reader in (student.assessor, make_user("admin")):
        client = english_client(reader)
        listing = _page(client.get(f"/enrolments/{student.enrolment.id}/evidence"))
        assert "Dossier de production" in listing and "read-only" in listing and "Add a deliverable" not in listing
        page = _page(client.get(f"/deliverables/{deliverable.id}"))
        assert "dossier.pdf" in page and "read-only" in page
        assert "data-upload" not in page and "/submit" not in page and "/tags" not in page
        assert client.post(f"/deliverables/{deliverable.id}/submit").status_code == 403
        assert client.get(f"/deliverables/{deliverable.id}/tags").status_code == 403
        assert client.get(f"/enrolments/{student.enrolment.id}/evidence/new").status_code == 403
        assert client.get(f"/enrolments/{student.enrolment.id}/coverage").status_code == 200
    for outsider in (make_user("candidate"), make_user("assessor"), make_user("jury"), make_user("referent")):
        client = english_client(outsider)
        assert client.get(f"/deliverables/{deliverable.id}").status_code == 404
        assert client.get(f"/enrolments/{student.enrolment.id}/evidence").status_code == 404
        assert client.get(f"/enrolments/{student.enrolment.id}/coverage").status_code == 404
        assert client.post(f"/deliverables/{deliverable.id}/submit").status_code == 404
    db.session.expire_all()
    assert db.session.get(Deliverable, deliverable.id).latest.submitted_at is None


def test_vae_candidate_adds_free_evidence(make_user, make_enrolment, english_client):
    enrolment = make_enrolment(candidate=make_user("candidate"), route="vae", option="production-distribution")
    client = english_client(enrolment.candidate)
    chooser = _page(client.get(f"/enrolments/{enrolment.id}/evidence/new"))
    assert 'value="none"' in chooser
    form = _page(client.get(f"/enrolments/{enrolment.id}/evidence/new?assessment=none"))
    assert 'value="proof"' in form
    response = client.post(f"/enrolments/{enrolment.id}/evidence/new",
                           data={"assessment": "none", "type": "proof", "title": "Attestation"})
    assert response.status_code == 302
    (deliverable,) = _deliverables(enrolment)
    assert deliverable.assessment is None
    listing = _page(client.get(f"/enrolments/{enrolment.id}/evidence"))
    assert "Free evidence" in listing and "Attestation" in listing


def test_training_candidate_cannot_skip_the_assessment(student, english_client, read_flashes):
    client = english_client(student.candidate)
    page = client.get(f"/enrolments/{student.enrolment.id}/evidence/new?assessment=none")
    assert 'value="none"' not in _page(page)
    response = client.post(f"/enrolments/{student.enrolment.id}/evidence/new",
                           data={"assessment": "999999", "type": "moodboard", "title": "x"})
    assert response.status_code == 200 and "Choose one of your assessments." in response.get_data(as_text=True)
    assert _deliverables(student.enrolment) == []


def test_enrolment_page_and_dashboard_link_to_the_evidence(student, english_client):
    client = english_client(student.candidate)
    for url in (f"/enrolments/{student.enrolment.id}", "/"):
        page = _page(client.get(url))
        assert f"/enrolments/{student.enrolment.id}/evidence" in page
        assert f"/enrolments/{student.enrolment.id}/coverage" in page
