"""API v1 foundation: tokens, problems, the referential, /me, enrolments, and the OpenAPI document."""
from __future__ import annotations

import re

from openapi_spec_validator import validate as validate_spec

from portfolio.extensions import db


def _problem(response, status):
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def test_openapi_is_public_valid_and_matches_the_routes(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.1")
    validate_spec(doc)
    implemented = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.openapi":
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule[len("/api/v1"):])
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            implemented.add((path, method.lower()))
    documented = {(path, method) for path, item in doc["paths"].items() for method in item}
    # Path parameter names may differ ({id} in the document, {enrolment_id} in Flask): compare shapes.
    shape = lambda pairs: {(re.sub(r"\{[^}]+\}", "{}", p), m) for p, m in pairs}  # noqa: E731
    assert shape(implemented) == shape(documented)


def test_no_token_is_a_401_problem(client):
    body = _problem(client.get("/api/v1/me"), 401)
    assert "Bearer" in body["detail"]
    _problem(client.get("/api/v1/me", headers={"Authorization": "Bearer nope"}), 401)
    _problem(client.get("/api/v1/me", headers={"Authorization": "Basic abc"}), 401)


def test_revoked_token_is_refused(client, make_user, api_token):
    from portfolio.accounts.models import ApiToken
    from portfolio.accounts.services import revoke_api_token

    user = make_user("candidate")
    headers = api_token(user)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    for row in db.session.scalars(db.select(ApiToken).where(ApiToken.user_id == user.id)):
        revoke_api_token(row)
    db.session.commit()
    _problem(client.get("/api/v1/me", headers=headers), 401)


def test_tokens_are_stored_hashed(make_user, api_token):
    from portfolio.accounts.models import ApiToken

    user = make_user("candidate")
    token = api_token(user)["Authorization"].split()[1]
    row = db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == user.id))
    assert token not in (row.token_hash, row.prefix) and len(row.token_hash) == 64


def test_certification_referential(client, make_user, api_token, check_response):
    headers = api_token(make_user("candidate"))
    response = check_response(client.get("/api/v1/certifications/RNCP41241", headers=headers),
                              "/certifications/{code}")
    body = response.get_json()
    assert body["code"] == "RNCP41241" and body["level"] == 7
    assert "cinématographiques" in body["title"]
    assert [b["code"] for b in body["blocs"]] == [f"BC0{i}" for i in range(1, 9)]
    assert sum(len(b["competences"]) for b in body["blocs"]) == 43
    by_code = {b["code"]: b for b in body["blocs"]}
    assert [c["code"] for c in by_code["BC05"]["competences"]] == [f"BC05.{k}" for k in range(1, 6)]
    assert by_code["BC07"]["kind"] == "option" and by_code["BC07"]["option"] == "scenario-realisation"
    assert by_code["BC08"]["option"] == "production-distribution"
    assert by_code["BC01"]["kind"] == "common" and by_code["BC01"]["option"] is None
    assert by_code["BC03"]["prerequisites"][0]["level"] == "B2"
    assert len(by_code["BC08"]["competences"]) == 9 and len(by_code["BC07"]["competences"]) == 8
    # Case-insensitive code.
    assert client.get("/api/v1/certifications/rncp41241", headers=headers).status_code == 200


def test_unknown_certification_is_a_404_problem(client, make_user, api_token, check_response):
    headers = api_token(make_user("candidate"))
    response = client.get("/api/v1/certifications/RNCP99999", headers=headers)
    _problem(response, 404)
    check_response(response, "/certifications/{code}")


def test_me(client, make_user, make_enrolment, api_token, check_response):
    user = make_user("candidate", "jury", name="Zoé Durand")
    enrolment = make_enrolment(candidate=user)
    response = check_response(client.get("/api/v1/me", headers=api_token(user)), "/me")
    body = response.get_json()
    assert body == {"id": user.id, "email": user.email, "name": "Zoé Durand", "roles": ["candidate", "jury"],
                    "enrolments": [enrolment.id]}


def test_enrolment_and_its_certification_status(client, make_user, make_enrolment, api_token, check_response):
    assessor = make_user("assessor")
    enrolment = make_enrolment(option="production-distribution", assessors=[assessor])
    for user in (enrolment.candidate, assessor, make_user("admin")):
        response = check_response(
            client.get(f"/api/v1/enrolments/{enrolment.id}", headers=api_token(user)), "/enrolments/{id}")
        body = response.get_json()
        assert body["id"] == enrolment.id and body["certification"] == "RNCP41241"
        assert body["route"] == "training" and body["option"] == "production-distribution"
        assert body["certification_status"] == {
            "status": "not_certified",
            "missing": ["BC01", "BC02", "BC03", "BC04", "BC05", "BC06", "BC08", "internship"],
        }


def test_enrolment_of_someone_else_is_not_found(client, make_user, make_enrolment, api_token):
    enrolment = make_enrolment()
    for user in (make_user("candidate"), make_user("assessor"), make_user("jury"), make_user("referent")):
        _problem(client.get(f"/api/v1/enrolments/{enrolment.id}", headers=api_token(user)), 404)
    _problem(client.get("/api/v1/enrolments/999999", headers=api_token(make_user("admin"))), 404)


def test_unknown_api_path_and_method_are_problems(client, make_user, api_token):
    headers = api_token(make_user("admin"))
    _problem(client.get("/api/v1/nothing-here", headers=headers), 404)
    _problem(client.delete("/api/v1/me", headers=headers), 405)
