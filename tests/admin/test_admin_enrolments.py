"""Cohorts and enrolments pages: create, closed routes refused with the service's message, assessors."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portfolio.enrolments.models import Assignment, Cohort, Enrolment
from portfolio.enrolments.services import get_or_create_cohort


@pytest.fixture(autouse=True)
def english(client):
    """The assertions read the English texts, whatever the default locale's catalog says."""
    client.set_cookie("lang", "en")



def test_create_cohort_and_duplicate_name(make_user, login_as, certification, db_session):
    client = login_as(make_user("admin"))
    response = client.post("/admin/cohorts/new", data={
        "name": "DHEC 2025-2027", "certification": certification.id, "academic_year": "2025-2026"})
    assert response.status_code == 302
    cohort = db_session.scalar(select(Cohort).where(Cohort.name == "DHEC 2025-2027"))
    assert cohort.certification_id == certification.id and cohort.academic_year == "2025-2026"
    assert response.location.endswith(f"/admin/cohorts/{cohort.id}")
    page = client.post("/admin/cohorts/new", data={
        "name": "DHEC 2025-2027", "certification": certification.id}).get_data(as_text=True)
    assert 'id="name-error"' in page and "A cohort with this name already exists." in page
    page = client.post("/admin/cohorts/new", data={
        "name": "Other", "certification": certification.id, "academic_year": "2025-2027"}).get_data(as_text=True)
    assert 'id="academic_year-error"' in page
    assert db_session.scalar(select(func.count(Cohort.id))) == 1
    listing = client.get("/admin/cohorts").get_data(as_text=True)
    assert "DHEC 2025-2027" in listing


def test_cohort_page_lists_its_enrolments(make_user, make_enrolment, login_as, certification):
    cohort = get_or_create_cohort("Promo Lumière", certification)
    inside = make_enrolment(candidate=make_user("candidate", name="Inès Dedans"), cohort=cohort)
    make_enrolment(candidate=make_user("candidate", name="Oscar Dehors"))
    client = login_as(make_user("admin"))
    page = client.get(f"/admin/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Inès Dedans" in page and "Oscar Dehors" not in page
    assert f"/admin/enrolments/{inside.id}" in page
    assert 'enctype="multipart/form-data"' in page


def test_create_enrolment(make_user, login_as, certification, db_session):
    candidate = make_user("candidate", email="eve@school.example.org", name="Ève Candidate")
    cohort = get_or_create_cohort("Promo 2026", certification)
    db_session.commit()
    client = login_as(make_user("admin"))
    page = client.get("/admin/enrolments/new").get_data(as_text=True)
    for route in ("training", "apprenticeship", "continuing", "professionalisation", "vae"):
        assert f'value="{route}"' in page
    response = client.post("/admin/enrolments/new", data={
        "email": "EVE@school.example.org", "certification": certification.id, "route": "apprenticeship",
        "option": "production-distribution", "cohort": str(cohort.id)})
    assert response.status_code == 302
    enrolment = db_session.scalar(select(Enrolment).where(Enrolment.user_id == candidate.id))
    assert (enrolment.route, enrolment.option, enrolment.cohort_id) == (
        "apprenticeship", "production-distribution", cohort.id)
    assert response.location.endswith(f"/admin/enrolments/{enrolment.id}")
    listing = client.get(f"/admin/enrolments?cohort={cohort.id}&route=apprenticeship").get_data(as_text=True)
    assert "Ève Candidate" in listing
    assert "Ève Candidate" not in client.get("/admin/enrolments?route=vae").get_data(as_text=True)


def test_create_enrolment_without_option_or_cohort(make_user, login_as, certification, db_session):
    candidate = make_user("candidate")
    client = login_as(make_user("admin"))
    response = client.post("/admin/enrolments/new", data={
        "email": candidate.email, "certification": certification.id, "route": "vae", "option": "", "cohort": ""})
    assert response.status_code == 302
    enrolment = db_session.scalar(select(Enrolment).where(Enrolment.user_id == candidate.id))
    assert (enrolment.route, enrolment.option, enrolment.cohort_id) == ("vae", None, None)


def test_closed_route_is_refused_with_the_service_message(make_user, login_as, certification, db_session):
    candidate = make_user("candidate")
    client = login_as(make_user("admin"))
    response = client.post("/admin/enrolments/new", data={
        "email": candidate.email, "certification": certification.id, "route": "individual", "option": ""})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="route-error"' in page
    assert "the route &#39;individual&#39; is not open for RNCP41241" in page
    # a contract route the fiche closes is refused the same way
    certification.route("continuing").is_open = False
    db_session.flush()
    page = client.post("/admin/enrolments/new", data={
        "email": candidate.email, "certification": certification.id, "route": "continuing"}).get_data(as_text=True)
    assert "the route &#39;continuing&#39; is not open for RNCP41241" in page
    assert db_session.scalar(select(func.count(Enrolment.id)).where(Enrolment.user_id == candidate.id)) == 0


def test_unknown_candidate_is_a_form_error(make_user, login_as, certification):
    client = login_as(make_user("admin"))
    page = client.post("/admin/enrolments/new", data={
        "email": "nobody@school.example.org", "certification": certification.id, "route": "training"}
    ).get_data(as_text=True)
    assert 'id="email-error"' in page and "No user has this email address." in page


def test_edit_enrolment_clears_option_and_cohort(make_user, make_enrolment, login_as, certification, db_session):
    cohort = get_or_create_cohort("Promo edit", certification)
    enrolment = make_enrolment(option="scenario-realisation", cohort=cohort)
    client = login_as(make_user("admin"))
    page = client.get(f"/admin/enrolments/{enrolment.id}").get_data(as_text=True)
    assert '<option selected value="scenario-realisation">' in page
    response = client.post(f"/admin/enrolments/{enrolment.id}", data={"route": "continuing", "option": "",
                                                                       "cohort": ""})
    assert response.status_code == 302
    db_session.refresh(enrolment)
    assert (enrolment.route, enrolment.option, enrolment.cohort_id) == ("continuing", None, None)
    page = client.post(f"/admin/enrolments/{enrolment.id}", data={"route": "individual"}).get_data(as_text=True)
    assert 'id="route-error"' in page
    db_session.refresh(enrolment)
    assert enrolment.route == "continuing"


def test_assign_and_unassign_an_assessor(make_user, make_enrolment, login_as, db_session):
    assessor = make_user("assessor", name="Alice Assessor")
    make_user("jury", name="Julien Jury")
    enrolment = make_enrolment()
    client = login_as(make_user("admin"))
    page = client.get(f"/admin/enrolments/{enrolment.id}").get_data(as_text=True)
    assert "Alice Assessor" in page and "Julien Jury" not in page  # only assessors are offered
    response = client.post(f"/admin/enrolments/{enrolment.id}/assessors", data={"assessor": assessor.id})
    assert response.status_code == 302
    assignment = db_session.scalar(select(Assignment).where(Assignment.enrolment_id == enrolment.id))
    assert assignment.assessor_id == assessor.id
    page = client.get(f"/admin/enrolments/{enrolment.id}").get_data(as_text=True)
    assert f"/assessors/{assignment.id}/remove" in page
    response = client.post(f"/admin/enrolments/{enrolment.id}/assessors/{assignment.id}/remove")
    assert response.status_code == 302
    assert db_session.scalar(select(func.count(Assignment.id)).where(Assignment.enrolment_id == enrolment.id)) == 0


def test_assign_refuses_a_non_assessor(make_user, make_enrolment, login_as, db_session):
    jury = make_user("jury")
    make_user("assessor")
    enrolment = make_enrolment()
    client = login_as(make_user("admin"))
    response = client.post(f"/admin/enrolments/{enrolment.id}/assessors", data={"assessor": jury.id})
    assert response.status_code == 200 and 'id="assessor-error"' in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count(Assignment.id))) == 0


def test_unassign_checks_the_assignment_belongs_to_the_enrolment(make_user, make_enrolment, login_as, db_session):
    assessor = make_user("assessor")
    first = make_enrolment(assessors=[assessor])
    second = make_enrolment()
    client = login_as(make_user("admin"))
    response = client.post(f"/admin/enrolments/{second.id}/assessors/{first.assignments[0].id}/remove")
    assert response.status_code == 404
    assert db_session.scalar(select(func.count(Assignment.id))) == 1
