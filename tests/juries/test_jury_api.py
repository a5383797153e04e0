"""The jury endpoints of API v1, end to end, checked against the OpenAPI description."""
from __future__ import annotations

import pytest

from portfolio import mail


@pytest.fixture(autouse=True)
def english_problems(client):
    client.set_cookie("lang", "en")


@pytest.fixture
def people(make_user, make_enrolment, api_token):
    admin = make_user("admin")
    president = make_user("jury", name="Paule Présidente")
    secretary = make_user("jury", name="Serge Secrétaire")
    member = make_user("jury", name="Mona Membre")
    outsider = make_user("jury", name="Olga Outsider")
    candidate = make_user("candidate", name="Camille Candidate")
    enrolment = make_enrolment(candidate=candidate, option="scenario-realisation")
    return {"admin": admin, "president": president, "secretary": secretary, "member": member, "outsider": outsider,
            "candidate": candidate, "enrolment": enrolment,
            "h": {name: api_token(user) for name, user in [("admin", admin), ("president", president),
                                                          ("secretary", secretary), ("member", member),
                                                          ("outsider", outsider), ("candidate", candidate)]}}


def _post(client, url, headers, body, check_response, path, expected):
    response = client.post(url, json=body, headers=headers)
    assert response.status_code == expected, response.get_data(as_text=True)
    check_response(response, path, "post")
    return response


def _composed(client, people, check_response, academic=True, secretary=True):
    h = people["h"]["admin"]
    created = _post(client, "/api/v1/jury-sessions", h,
                    {"certification": "RNCP41241", "date": "2026-06-12", "route": "training", "place": "Paris"},
                    check_response, "/jury-sessions", 201).get_json()
    sid = created["id"]
    assert created["status"] == "draft" and created["members"] == [] and created["composition"]["ok"] is False
    url = f"/api/v1/jury-sessions/{sid}"
    _post(client, url + "/members", h, {"user": people["president"].email, "role": "president",
                                        "is_professional": False, "is_academic": academic},
          check_response, "/jury-sessions/{id}/members", 201)
    if secretary:
        _post(client, url + "/members", h, {"user": people["secretary"].email, "role": "secretary",
                                            "is_professional": True, "is_academic": False},
              check_response, "/jury-sessions/{id}/members", 201)
    _post(client, url + "/members", h, {"user": people["member"].email, "role": "member", "is_professional": True,
                                        "is_academic": False, "gender": "f"},
          check_response, "/jury-sessions/{id}/members", 201)
    added = _post(client, url + "/candidates", h, {"enrolment": str(people["enrolment"].id)},
                  check_response, "/jury-sessions/{id}/candidates", 201).get_json()
    assert added["enrolment"] == people["enrolment"].id and "BC01" in added["blocs"] and added["acquired"] == []
    return sid


def test_the_whole_flow(client, people, check_response):
    mail.outbox.clear()
    sid = _composed(client, people, check_response)
    url = f"/api/v1/jury-sessions/{sid}"
    h = people["h"]

    opened = _post(client, url + "/open", h["admin"], None, check_response, "/jury-sessions/{id}/open", 200).get_json()
    assert opened["status"] == "open" and opened["composition"]["ok"] is True
    assert opened["convocations_sent"] == 4 and len(mail.outbox) == 4

    seen = client.get(url, headers=h["member"])
    assert seen.status_code == 200
    check_response(seen, "/jury-sessions/{id}", "get")
    assert {m["role"] for m in seen.get_json()["members"]} == {"president", "secretary", "member"}

    decision = _post(client, url + "/decisions", h["president"],
                     {"enrolment": people["enrolment"].id, "bloc": "BC01", "decision": "validated",
                      "comment": "Convincing.", "is_casting_vote": True},
                     check_response, "/jury-sessions/{id}/decisions", 201).get_json()
    assert decision["bloc"] == "BC01" and decision["is_casting_vote"] is True and decision["is_current"] is True
    second = _post(client, url + "/decisions", h["secretary"],
                   {"enrolment": str(people["enrolment"].id), "bloc": "RNCP41241BC02", "decision": "not_validated",
                    "comment": "Missing budget."},
                   check_response, "/jury-sessions/{id}/decisions", 201).get_json()
    revoked = _post(client, url + "/decisions", h["president"],
                    {"enrolment": people["enrolment"].id, "bloc": "BC02", "decision": "validated", "comment": "",
                     "revokes": second["id"], "reason": "The budget was in the annex."},
                    check_response, "/jury-sessions/{id}/decisions", 201).get_json()
    assert revoked["revokes"] == second["id"] and revoked["revocation_reason"] == "The budget was in the annex."
    again = _post(client, url + "/decisions", h["president"],
                  {"enrolment": people["enrolment"].id, "bloc": "BC02", "decision": "validated"},
                  check_response, "/jury-sessions/{id}/decisions", 409)
    assert again.mimetype == "application/problem+json"

    _post(client, url + "/close", h["secretary"], None, check_response, "/jury-sessions/{id}/close", 403)
    closed = _post(client, url + "/close", h["president"], None, check_response, "/jury-sessions/{id}/close",
                   200).get_json()
    assert closed["status"] == "closed"
    assert [(d["bloc"], d["decision"], d["is_current"]) for d in closed["decisions"]] == [
        ("BC01", "validated", True), ("BC02", "not_validated", False), ("BC02", "validated", True)]

    late = _post(client, url + "/decisions", h["president"],
                 {"enrolment": people["enrolment"].id, "bloc": "BC03", "decision": "validated", "comment": ""},
                 check_response, "/jury-sessions/{id}/decisions", 409)
    assert "closed" in late.get_json()["detail"]
    _post(client, url + "/members", h["admin"], {"user": people["outsider"].email, "role": "member"},
          check_response, "/jury-sessions/{id}/members", 409)
    _post(client, url + "/close", h["president"], None, check_response, "/jury-sessions/{id}/close", 409)

    status = client.get(f"/api/v1/enrolments/{people['enrolment'].id}", headers=h["candidate"]).get_json()
    assert {"BC01", "BC02"}.isdisjoint(status["certification_status"]["missing"])
    assert "BC03" in status["certification_status"]["missing"]


def test_opening_names_the_broken_rule(client, people, check_response):
    sid = _composed(client, people, check_response, academic=False, secretary=False)
    refused = _post(client, f"/api/v1/jury-sessions/{sid}/open", people["h"]["admin"], None, check_response,
                    "/jury-sessions/{id}/open", 409).get_json()
    assert refused["rule"] == "president_academic"
    assert {v["rule"] for v in refused["violations"]} == {"president_academic", "secretary"}
    assert "enseignant" in refused["detail"]
    current = client.get(f"/api/v1/jury-sessions/{sid}", headers=people["h"]["admin"]).get_json()
    assert current["status"] == "draft"
    assert {r["rule"]: r["ok"] for r in current["composition"]["rules"]}["secretary"] is False


def test_who_may_decide(client, people, check_response):
    sid = _composed(client, people, check_response)
    url = f"/api/v1/jury-sessions/{sid}"
    client.post(url + "/open", headers=people["h"]["admin"])
    body = {"enrolment": people["enrolment"].id, "bloc": "BC01", "decision": "validated", "comment": "x"}
    for who, expected in [("outsider", 404), ("candidate", 404), ("member", 403), ("admin", 403)]:
        _post(client, url + "/decisions", people["h"][who], body, check_response, "/jury-sessions/{id}/decisions",
              expected)
    assert client.get(url, headers=people["h"]["outsider"]).status_code == 404
    assert client.post(url + "/close", headers=people["h"]["member"]).status_code == 403


def test_bad_decisions_are_422(client, people, check_response, make_enrolment):
    sid = _composed(client, people, check_response)
    url = f"/api/v1/jury-sessions/{sid}"
    client.post(url + "/open", headers=people["h"]["admin"])
    h = people["h"]["president"]
    e = people["enrolment"].id
    for body in (
        {"enrolment": e, "bloc": "BC08", "decision": "validated"},  # the other option's bloc
        {"enrolment": e, "bloc": "BC99", "decision": "validated"},
        {"enrolment": e, "bloc": "BC01", "decision": "accepted"},
        {"enrolment": make_enrolment().id, "bloc": "BC01", "decision": "validated"},
        {"enrolment": "abc", "bloc": "BC01", "decision": "validated"},
        {"enrolment": e, "bloc": "BC01", "decision": "validated", "is_casting_vote": "yes"},
        {"bloc": "BC01", "decision": "validated"},
    ):
        response = _post(client, url + "/decisions", h, body, check_response, "/jury-sessions/{id}/decisions", 422)
        assert response.mimetype == "application/problem+json"
    registered = client.get(url, headers=h).get_json()["candidates"][0]["blocs"]
    assert registered == ["BC01", "BC02", "BC03", "BC04", "BC05", "BC06", "BC07"]


def test_creating_and_composing_is_for_admins_and_checks_input(client, people, check_response, make_user):
    h = people["h"]
    good = {"certification": "RNCP41241", "date": "2026-06-12", "route": "vae"}
    _post(client, "/api/v1/jury-sessions", h["president"], good, check_response, "/jury-sessions", 403)
    for bad in ({**good, "certification": "RNCP00000"}, {**good, "date": "12/06/2026"}, {**good, "route": "cpf"},
                {"date": "2026-06-12", "route": "vae"}):
        _post(client, "/api/v1/jury-sessions", h["admin"], bad, check_response, "/jury-sessions", 422)
    sid = _post(client, "/api/v1/jury-sessions", h["admin"], good, check_response, "/jury-sessions",
                201).get_json()["id"]
    members = f"/api/v1/jury-sessions/{sid}/members"
    _post(client, members, h["admin"], {"user": people["candidate"].email, "role": "member"}, check_response,
          "/jury-sessions/{id}/members", 422)
    _post(client, members, h["admin"], {"user": "nobody@example.org", "role": "member"}, check_response,
          "/jury-sessions/{id}/members", 422)
    _post(client, members, h["president"], {"user": people["member"].email, "role": "member"}, check_response,
          "/jury-sessions/{id}/members", 404)
    # A training enrolment in a VAE session: refused, the route must match.
    _post(client, f"/api/v1/jury-sessions/{sid}/candidates", h["admin"], {"enrolment": people["enrolment"].id},
          check_response, "/jury-sessions/{id}/candidates", 422)
    listed = client.get("/api/v1/jury-sessions", headers=h["admin"])
    check_response(listed, "/jury-sessions", "get")
    assert sid in [s["id"] for s in listed.get_json()]
    assert client.get("/api/v1/jury-sessions", headers=h["outsider"]).get_json() == []


def test_convocations_again(client, people, check_response):
    sid = _composed(client, people, check_response)
    mail.outbox.clear()
    response = _post(client, f"/api/v1/jury-sessions/{sid}/convocations", people["h"]["admin"], None,
                     check_response, "/jury-sessions/{id}/convocations", 200)
    assert response.get_json() == {"sent": 4} and len(mail.outbox) == 4
