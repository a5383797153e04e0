"""Serving files: who may fetch them, what headers keep them from running on our origin, Range for video."""
from __future__ import annotations

import pytest
from file_samples import FOUNTAIN, HTML, SVG, docx_bytes, mp4_bytes, pdf_bytes, png_bytes

from portfolio.extensions import db

SANDBOX = "sandbox; default-src 'none'"


@pytest.fixture
def owner_and_enrolment(make_user, make_enrolment):
    assessor = make_user("assessor")
    enrolment = make_enrolment(assessors=[assessor])
    return enrolment.candidate, assessor, enrolment


@pytest.mark.parametrize("data, name, content_type, disposition", [
    (pdf_bytes(), "dossier.pdf", "application/pdf", "inline"),
    (png_bytes(), "affiche.png", "image/png", "inline"),
    (FOUNTAIN, "scenario.fountain", "text/plain; charset=utf-8", "inline"),
    (HTML, "page.html", "text/html; charset=utf-8", "attachment"),
    (SVG, "logo.svg", "image/svg+xml; charset=utf-8", "attachment"),
    (docx_bytes(), "note.docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "attachment"),
])
def test_headers_keep_content_from_running(local_store, owner_and_enrolment, make_attachment, client_for,
                                           data, name, content_type, disposition):
    owner, _assessor, enrolment = owner_and_enrolment
    attachment = make_attachment(enrolment, data, name)
    response = client_for(owner).get(f"/files/{attachment.id}")
    assert response.status_code == 200
    assert response.get_data() == data
    assert response.headers["Content-Type"] == content_type
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == SANDBOX
    assert response.headers["Content-Disposition"].split(";")[0] == disposition
    assert response.headers["Content-Length"] == str(len(data))


def test_a_non_ascii_name_is_kept_in_the_disposition(local_store, owner_and_enrolment, make_attachment, client_for):
    owner, _assessor, enrolment = owner_and_enrolment
    attachment = make_attachment(enrolment, HTML, "Découpage é.html")
    disposition = client_for(owner).get(f"/files/{attachment.id}").headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''D%C3%A9coupage%20%C3%A9.html" in disposition


def test_range_requests_on_a_video(local_store, owner_and_enrolment, make_attachment, client_for):
    owner, _assessor, enrolment = owner_and_enrolment
    data = mp4_bytes(payload=100_000)
    attachment = make_attachment(enrolment, data, "film.mp4")
    client = client_for(owner)
    response = client.get(f"/files/{attachment.id}", headers={"Range": "bytes=1000-1999"})
    assert response.status_code == 206
    assert response.headers["Content-Range"] == f"bytes 1000-1999/{len(data)}"
    assert response.get_data() == data[1000:2000]
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["Content-Type"] == "video/mp4"
    tail = client.get(f"/files/{attachment.id}", headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.get_data() == data[-10:]
    assert client.get(f"/files/{attachment.id}", headers={"Range": f"bytes={len(data) + 5}-"}).status_code == 416


def test_api_content_with_a_token(local_store, owner_and_enrolment, make_attachment, app, api_token):
    owner, assessor, enrolment = owner_and_enrolment
    data = pdf_bytes()
    attachment = make_attachment(enrolment, data, "dossier.pdf")
    client = app.test_client()
    for user in (owner, assessor):
        response = client.get(f"/api/v1/files/{attachment.id}/content", headers=api_token(user))
        assert response.status_code == 200 and response.get_data() == data
        assert response.headers["Content-Security-Policy"] == SANDBOX
    assert client.get(f"/api/v1/files/{attachment.id}/content").status_code == 401


def test_someone_who_may_not_see_the_enrolment_gets_404(local_store, owner_and_enrolment, make_attachment, make_user,
                                                         client_for, app, api_token):
    _owner, _assessor, enrolment = owner_and_enrolment
    attachment = make_attachment(enrolment, pdf_bytes(), "dossier.pdf")
    for stranger in (make_user("candidate"), make_user("assessor"), make_user("jury"), make_user("referent")):
        assert client_for(stranger).get(f"/files/{attachment.id}").status_code == 404
        api = app.test_client().get(f"/api/v1/files/{attachment.id}/content", headers=api_token(stranger))
        assert api.status_code == 404 and api.mimetype == "application/problem+json"
        preview = client_for(stranger).get(f"/files/{attachment.id}/preview/thumbnail/0")
        assert preview.status_code == 404
    assert client_for(make_user("candidate")).get("/files/999999").status_code == 404


@pytest.mark.parametrize("status", ["pending", "infected"])
def test_a_file_held_back_by_the_antivirus_is_not_served(local_store, owner_and_enrolment, make_attachment,
                                                         client_for, app, api_token, status):
    owner, _assessor, enrolment = owner_and_enrolment
    attachment = make_attachment(enrolment, pdf_bytes(), "dossier.pdf")
    attachment.stored_file.scan_status = status
    db.session.commit()
    page = client_for(owner).get(f"/files/{attachment.id}")
    assert page.status_code == 409 and b"antivirus" in page.get_data()
    api = app.test_client().get(f"/api/v1/files/{attachment.id}/content", headers=api_token(owner))
    assert api.status_code == 409 and api.mimetype == "application/problem+json"
    assert "antivirus" in api.get_json()["detail"]
    assert client_for(owner).get(f"/files/{attachment.id}/preview/thumbnail/0").status_code == 409


def test_a_missing_object_is_a_503_not_a_500(local_store, owner_and_enrolment, make_attachment, client_for):
    owner, _assessor, enrolment = owner_and_enrolment
    attachment = make_attachment(enrolment, pdf_bytes(), "dossier.pdf")
    local_store.local_path(attachment.stored_file.key).unlink()
    assert client_for(owner).get(f"/files/{attachment.id}").status_code == 503


def test_previews_are_built_once_and_served_as_images(local_store, owner_and_enrolment, make_attachment,
                                                       client_for):
    from sqlalchemy import func, select

    from portfolio.files.models import Preview

    owner, assessor, enrolment = owner_and_enrolment
    attachment = make_attachment(enrolment, pdf_bytes(pages=2), "dossier.pdf")
    client = client_for(owner)
    first = client.get(f"/files/{attachment.id}/preview/page/1")
    assert first.status_code == 200 and first.headers["Content-Type"] == "image/png"
    assert first.get_data().startswith(b"\x89PNG")
    assert "immutable" in first.headers["Cache-Control"]
    again = client_for(assessor).get(f"/files/{attachment.id}/preview/page/1")
    assert again.get_data() == first.get_data()
    count = db.session.scalar(select(func.count()).select_from(Preview).where(
        Preview.source_id == attachment.stored_file_id, Preview.kind == "page", Preview.page == 1))
    assert count == 1
    assert client.get(f"/files/{attachment.id}/preview/page/2").status_code == 200
    assert client.get(f"/files/{attachment.id}/preview/page/3").status_code == 404
    assert client.get(f"/files/{attachment.id}/preview/page/0").status_code == 404
    assert client.get(f"/files/{attachment.id}/preview/nonsense/0").status_code == 404
    thumbnail = client.get(f"/files/{attachment.id}/preview/thumbnail/0")
    assert thumbnail.status_code == 200 and thumbnail.headers["Content-Type"] == "image/jpeg"
