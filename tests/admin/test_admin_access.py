"""Every administration page answers for admins and is refused to every other role."""
from __future__ import annotations

import pytest

from portfolio.enrolments.services import get_or_create_cohort

NON_ADMIN_ROLES = ("candidate", "assessor", "jury", "referent")

@pytest.fixture(autouse=True)
def english(client):
    """The assertions read the English texts, whatever the default locale's catalog says."""
    client.set_cookie("lang", "en")



@pytest.fixture
def objects(make_user, make_enrolment, certification, db_session):
    assessor = make_user("assessor", name="Ada Assessor")
    cohort = get_or_create_cohort("Promo access", certification, "2025-2026")
    enrolment = make_enrolment(cohort=cohort, assessors=[assessor])
    db_session.commit()
    return {"user": enrolment.candidate.id, "cohort": cohort.id, "enrolment": enrolment.id,
            "assignment": enrolment.assignments[0].id}


def get_pages(o):
    return [
        "/admin/", "/admin/users", "/admin/users?q=user&role=candidate&page=2", "/admin/users/new",
        f"/admin/users/{o['user']}", "/admin/cohorts", "/admin/cohorts/new", f"/admin/cohorts/{o['cohort']}",
        "/admin/enrolments", f"/admin/enrolments?route=training&cohort={o['cohort']}", "/admin/enrolments/new",
        f"/admin/enrolments/{o['enrolment']}",
    ]


def post_pages(o):
    return [
        "/admin/users/new", f"/admin/users/{o['user']}", f"/admin/users/{o['user']}/password-mail",
        "/admin/cohorts/new", f"/admin/cohorts/{o['cohort']}/roster", "/admin/enrolments/new",
        f"/admin/enrolments/{o['enrolment']}", f"/admin/enrolments/{o['enrolment']}/assessors",
        f"/admin/enrolments/{o['enrolment']}/assessors/{o['assignment']}/remove",
    ]


def test_admin_sees_every_page(objects, make_user, login_as):
    client = login_as(make_user("admin"))
    for url in get_pages(objects):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "<h1>" in response.get_data(as_text=True), url


def test_index_links_to_each_section_with_counts(objects, make_user, login_as):
    client = login_as(make_user("admin"))
    page = client.get("/admin/").get_data(as_text=True)
    assert '<html lang="en">' in page
    for url in ("/admin/users", "/admin/cohorts", "/admin/enrolments"):
        assert f'href="{url}"' in page
    assert 'class="stat-number">3<' in page  # candidate, assessor, admin
    assert 'class="stat-number">1<' in page  # one cohort, one enrolment


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_other_roles_are_refused(role, objects, make_user, login_as):
    client = login_as(make_user(role))
    for url in get_pages(objects):
        assert client.get(url).status_code == 403, url
    for url in post_pages(objects):
        assert client.post(url, data={}).status_code == 403, url


def test_anonymous_is_sent_to_login(objects, client):
    for url in get_pages(objects):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location, url
    response = client.post("/admin/users/new", data={"email": "x@y.org", "name": "X", "roles": ["admin"]})
    assert response.status_code == 302 and "/login" in response.location


def test_unknown_objects_are_404(make_user, login_as):
    client = login_as(make_user("admin"))
    for url in ("/admin/users/999999", "/admin/cohorts/999999", "/admin/enrolments/999999"):
        assert client.get(url).status_code == 404, url
    assert client.post("/admin/enrolments/999999/assessors/999999/remove").status_code == 404
