"""API: POST /deliverables/{id}/grades and GET /enrolments/{id}/blocs, every status checked against OpenAPI."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from portfolio.extensions import db
from portfolio.grading.models import Grade, Marking

GRADES = "/deliverables/{id}/grades"
BLOCS = "/enrolments/{id}/blocs"


@pytest.fixture
def client(app):
    """A client reading the English texts (the messages' language follows the request)."""
    client = app.test_client()
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def deliverable(people, make_assessment, make_deliverable):
    return make_deliverable(people.enrolment, make_assessment("BC05", ranks=(1, 2)))


def post(client, headers, deliverable_id, body):
    return client.post(f"/api/v1/deliverables/{deliverable_id}/grades", json=body, headers=headers)


def test_grade_then_update_then_release(client, api_token, people, deliverable, check_response):
    headers = api_token(people.a1)
    response = post(client, headers, deliverable.id, {
        "grades": [{"competence": "BC05.1", "level": "acquired", "comment": "Clear budget"}],
        "mark": 13.5, "feedback": "Good start", "release": False})
    assert response.status_code == 201, response.get_json()
    check_response(response, GRADES, "post")
    body = response.get_json()
    assert (body["role"], body["released"], body["mark"], body["version"]) == ("first", False, 13.5, 1)
    assert body["grades"] == [{"competence": "BC05.1", "level": "acquired", "comment": "Clear budget"}]

    response = post(client, headers, deliverable.id, {
        "grades": [{"competence": "RNCP41241BC05.2", "level": "mastered", "comment": ""}],
        "release": True, "lock_version": str(body["lock_version"])})
    assert response.status_code == 200, response.get_json()
    check_response(response, GRADES, "post")
    released = response.get_json()
    assert released["released"] is True and released["released_at"]
    assert {g["competence"]: g["level"] for g in released["grades"]} == {"BC05.1": "acquired", "BC05.2": "mastered"}
    assert released["lock_version"] > body["lock_version"]

    # Released: final.
    response = post(client, headers, deliverable.id, {"grades": [{"competence": "BC05.1", "level": "mastered"}]})
    assert response.status_code == 409
    check_response(response, GRADES, "post")


def test_bad_input_is_422(client, api_token, people, deliverable, check_response):
    headers = api_token(people.a1)
    for body, words in [
        ({"grades": [{"competence": "BC05.1", "level": "excellent"}]}, "excellent"),
        ({"grades": [{"competence": "BC99.9", "level": "acquired"}]}, "not a competence of RNCP41241"),
        ({"grades": [{"competence": "BC01.1", "level": "acquired"}]}, "neither claimed"),
        ({"grades": [{"level": "acquired"}]}, "competence"),
        ({"grades": "BC05.1"}, "array"),
        ({"grades": [], "release": "yes"}, "release"),
        ({"grades": [], "mark": 25}, "mark"),
        ({"grades": [{"competence": "BC05.1", "level": "acquired"}], "release": True}, "BC05.2"),
    ]:
        response = post(client, headers, deliverable.id, body)
        assert response.status_code == 422, (body, response.get_json())
        check_response(response, GRADES, "post")
        assert words in response.get_json()["detail"], (body, response.get_json())
    assert db.session.scalar(select(Grade.id)) is None  # nothing kept from any refused request


def test_not_json_is_400(client, api_token, people, deliverable, check_response):
    response = client.post(f"/api/v1/deliverables/{deliverable.id}/grades", data="grades",
                           headers={**api_token(people.a1), "Content-Type": "text/plain"})
    assert response.status_code == 400
    check_response(response, GRADES, "post")


def test_who_may_grade(client, api_token, people, deliverable, check_response):
    body = {"grades": [{"competence": "BC05.1", "level": "acquired"}]}
    expected = [(people.candidate, 403), (people.admin, 403), (people.outsider, 404)]
    for user, status in expected:
        response = post(client, api_token(user), deliverable.id, body)
        assert response.status_code == status, (user.email, response.get_json())
        check_response(response, GRADES, "post")
    response = client.post(f"/api/v1/deliverables/{deliverable.id}/grades", json=body)
    assert response.status_code == 401
    check_response(response, GRADES, "post")
    response = post(client, api_token(people.a1), 999_999_999, body)
    assert response.status_code == 404
    assert db.session.scalar(select(Marking.id)) is None


def test_a_draft_version_is_409(client, api_token, people, make_assessment, make_deliverable, check_response):
    draft = make_deliverable(people.enrolment, make_assessment("BC05"), submitted=False)
    response = post(client, api_token(people.a1), draft.id, {"grades": [{"competence": "BC05.1",
                                                                          "level": "acquired"}]})
    assert response.status_code == 409
    check_response(response, GRADES, "post")
    assert "draft" in response.get_json()["detail"]


def test_two_clients_based_on_the_same_lock_version(app, client, api_token, people, deliverable, check_response):
    headers = api_token(people.a1)
    other = app.test_client()
    other.set_cookie("lang", "en")
    created = post(client, headers, deliverable.id,
                   {"grades": [{"competence": "BC05.1", "level": "in_progress", "comment": "v1"}]}).get_json()
    base = created["lock_version"]
    first = post(client, headers, deliverable.id, {
        "grades": [{"competence": "BC05.1", "level": "acquired", "comment": "first"}], "lock_version": base})
    second = post(other, {**headers, "If-Match": str(base)}, deliverable.id, {
        "grades": [{"competence": "BC05.1", "level": "not_acquired", "comment": "second"}]})
    assert first.status_code == 200 and second.status_code == 409
    check_response(second, GRADES, "post")
    assert "Nothing was saved" in second.get_json()["detail"]
    db.session.expire_all()
    grade = db.session.scalar(select(Grade))
    assert (grade.level, grade.comment) == ("acquired", "first")


def test_blocs_endpoint(client, api_token, people, deliverable, grade_as, check_response):
    grade_as(people.a1, deliverable, {"BC05.1": "acquired", "BC05.2": "acquired"})
    response = client.get(f"/api/v1/enrolments/{people.enrolment.id}/blocs", headers=api_token(people.candidate))
    assert response.status_code == 200
    check_response(response, BLOCS)
    blocs = {b["bloc"]: b for b in response.get_json()}
    assert list(blocs) == ["BC01", "BC02", "BC03", "BC04", "BC05", "BC06", "BC07"]
    assert blocs["BC05"]["status"] == "in_progress"
    assert (blocs["BC05"]["acquired"], blocs["BC05"]["total"]) == (2, 5)
    assert [r["competence"] for r in blocs["BC05"]["reasons"]] == ["BC05.3", "BC05.4", "BC05.5"]
    assert blocs["BC03"]["status"] == "not_started"
    assert {r["code"] for r in blocs["BC03"]["reasons"]} == {"competence_not_graded", "prerequisite_missing"}
    for user, status in [(people.a2, 200), (people.admin, 200), (people.outsider, 404)]:
        response = client.get(f"/api/v1/enrolments/{people.enrolment.id}/blocs", headers=api_token(user))
        assert response.status_code == status
        check_response(response, BLOCS)
    response = client.get(f"/api/v1/enrolments/{people.enrolment.id}/blocs")
    assert response.status_code == 401
    check_response(response, BLOCS)


def test_grades_json_for_the_deliverable_endpoint(people, deliverable, grade_as):
    from portfolio.grading.services import grades_json

    grade_as(people.a1, deliverable, {"BC05.1": "acquired"}, release=False)
    assert grades_json(deliverable, people.candidate) == []
    assert [g["level"] for g in grades_json(deliverable, people.a1)] == ["acquired"]
    marking = grade_as(people.a1, deliverable, {"BC05.2": "mastered"})
    items = grades_json(deliverable, people.candidate)
    assert {(g["competence"], g["level"], g["released"]) for g in items} == {
        ("BC05.1", "acquired", True), ("BC05.2", "mastered", True)}
    assert all(g["marking"] == marking.id and g["comment"].startswith("Comment on") for g in items)
