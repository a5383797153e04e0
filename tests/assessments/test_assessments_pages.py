"""Administration of assessments: list, create with competences grouped by bloc, edit, load the fiche's."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from portfolio.assessments.models import Assessment
from portfolio.enrolments.services import get_or_create_cohort
from portfolio.extensions import db


@pytest.fixture
def cohort(certification):
    cohort = get_or_create_cohort("Pages 2025-2027", certification, academic_year="2025-2026")
    db.session.commit()
    return cohort


@pytest.fixture
def admin_client(client_for, make_user):
    client = client_for(make_user("admin"))
    client.set_cookie("lang", "en")
    return client


def _competence_ids(certification, *codes):
    return [c.id for b in certification.blocs for c in b.competences if c.code in codes]


def test_create_edit_and_list(admin_client, cohort, certification):
    page = admin_client.get(f"/assessments/cohorts/{cohort.id}/new")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count('<fieldset class="competence-group">') == 8 and 'name="competences"' in html
    assert 'name="deliverable_types" type="checkbox" value="moodboard"' in html
    bc05 = next(b for b in certification.blocs if b.code == "BC05")
    data = {
        "scope": "cohort", "bloc": bc05.id, "code": "BC05-1", "title": "Dossier de production", "kind": "written_oral",
        "deliverable_types": ["moodboard", "production_dossier"],
        "competences": _competence_ids(certification, "BC05.1", "BC05.2"),
        "opens_at": "2025-10-06T09:00", "due_at": "2026-01-30T23:59", "markers": "2", "is_individual": "y",
    }
    response = admin_client.post(f"/assessments/cohorts/{cohort.id}/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    assessment = db.session.scalar(select(Assessment).where(Assessment.cohort_id == cohort.id))
    assert assessment.code == "BC05-1" and assessment.markers == 2 and assessment.is_double_marked
    assert [c.code for c in assessment.competences] == ["BC05.1", "BC05.2"]
    assert assessment.deliverable_types == ["moodboard", "production_dossier"]
    # The form's times are in the display time zone (Europe/Paris by default).
    assert assessment.due_at == datetime(2026, 1, 30, 22, 59, tzinfo=UTC)  # 23:59 in Paris (UTC+1)

    listing = admin_client.get(f"/assessments/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Dossier de production" in listing and "BC05.1, BC05.2" in listing and "double marking" in listing

    edit = admin_client.get(f"/assessments/{assessment.id}/edit").get_data(as_text=True)
    assert 'value="2026-01-30T23:59"' in edit and 'value="Dossier de production"' in edit
    assert f'id="competence-{_competence_ids(certification, "BC05.1")[0]}" name="competences"' in edit
    response = admin_client.post(f"/assessments/{assessment.id}/edit", data={
        **data, "title": "Dossier de production (révisé)", "scope": "all",
        "competences": _competence_ids(certification, "BC05.1", "BC05.2", "BC05.3")})
    assert response.status_code == 302
    db.session.expire_all()
    assessment = db.session.get(Assessment, assessment.id)
    assert assessment.title.endswith("(révisé)") and assessment.cohort_id is None
    assert len(assessment.competences) == 3
    index = admin_client.get("/assessments/").get_data(as_text=True)
    assert cohort.name in index


def test_bad_input_is_a_form_error(admin_client, cohort, certification):
    bc05 = next(b for b in certification.blocs if b.code == "BC05")
    data = {"scope": "cohort", "bloc": bc05.id, "code": "BC05-1", "title": "T", "kind": "written",
            "deliverable_types": ["moodboard"], "competences": _competence_ids(certification, "BC05.1"),
            "opens_at": "2026-02-01T09:00", "due_at": "2026-01-01T09:00", "markers": "1"}
    for change, error_id in (
        ({}, "due_at-error"),
        ({"due_at": "not a date"}, "due_at-error"),
        ({"due_at": "", "deliverable_types": []}, "deliverable_types-error"),
        ({"due_at": "", "competences": []}, "competences-error"),
        ({"due_at": "", "competences": ["999999"]}, "competences-error"),
        ({"due_at": "", "bloc": "abc"}, "bloc-error"),
        ({"due_at": "", "code": "with space"}, "code-error"),
    ):
        response = admin_client.post(f"/assessments/cohorts/{cohort.id}/new", data={**data, **change})
        assert response.status_code == 200 and f'id="{error_id}"' in response.get_data(as_text=True), change
    assert db.session.scalar(select(func.count(Assessment.id))) == 0
    assert admin_client.get("/assessments/999999/edit").status_code == 404


def test_load_the_fiche_assessments(admin_client, cohort):
    response = admin_client.post(f"/assessments/cohorts/{cohort.id}/seed")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Assessment.id)).where(Assessment.cohort_id == cohort.id)) == 11
    admin_client.post(f"/assessments/cohorts/{cohort.id}/seed")
    assert db.session.scalar(select(func.count(Assessment.id)).where(Assessment.cohort_id == cohort.id)) == 11
    listing = admin_client.get(f"/assessments/cohorts/{cohort.id}").get_data(as_text=True)
    assert "BC08-2" in listing and "Dossier de distribution et oral" in listing


def test_only_admins(client_for, make_user, cohort):
    for role in ("candidate", "assessor", "jury", "referent"):
        client = client_for(make_user(role))
        assert client.get("/assessments/").status_code == 403
        assert client.post(f"/assessments/cohorts/{cohort.id}/seed").status_code == 403
    assert db.session.scalar(select(func.count(Assessment.id))) == 0
