"""The jury pages: composing and opening (admins), deliberating and closing (the jury), the history."""
from __future__ import annotations

import html
import re

import pytest

from portfolio import mail
from portfolio.extensions import db
from portfolio.juries import services
from portfolio.juries.models import JurySession


@pytest.fixture
def browse(client_for):
    def make(user):
        client = client_for(user)
        client.set_cookie("lang", "en")
        return client

    return make


def text(response) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_an_admin_creates_composes_and_opens_a_session(browse, make_user, make_enrolment):
    admin = make_user("admin")
    president, secretary = make_user("jury", name="Paule Présidente"), make_user("jury", name="Serge Secrétaire")
    enrolment = make_enrolment()
    client = browse(admin)

    assert client.get("/jury-sessions/new").status_code == 200
    refused = client.post("/jury-sessions/new", data={"certification": "RNCP41241", "route": "training", "date": ""})
    assert refused.status_code == 422 and "Give the date of the session." in text(refused)
    created = client.post("/jury-sessions/new", data={"certification": "RNCP41241", "route": "training",
                                                      "date": "2026-06-12", "place": "Paris"})
    assert created.status_code == 302
    session = db.session.scalars(db.select(JurySession).order_by(JurySession.id.desc())).first()
    url = f"/jury-sessions/{session.id}"

    page = client.get(url)
    assert page.status_code == 200
    assert "Paule Présidente (" in text(page) and 'data-rule="president"' in page.get_data(as_text=True)

    assert client.post(url + "/members", data={"user": president.email, "role": "president", "gender": ""}
                       ).status_code == 302
    assert client.post(url + "/members", data={"user": secretary.email, "role": "secretary"}).status_code == 302
    assert client.post(url + "/candidates", data={"enrolment": str(enrolment.id)}).status_code == 302

    refused = client.post(url + "/open")
    assert refused.status_code == 409
    assert "enseignant" in text(refused) and session.status == "draft"
    assert re.search(r'data-rule="president_academic">\s*<span aria-hidden="true">✗', refused.get_data(as_text=True))

    duplicate = client.post(url + "/members", data={"user": president.email, "role": "member"})
    assert duplicate.status_code == 422  # no longer among the choices
    member_id = next(m.id for m in session.members if m.user_id == president.id)
    assert client.post(f"{url}/members/{member_id}/remove").status_code == 302
    client.post(url + "/members", data={"user": president.email, "role": "president", "is_academic": "y"})
    mail.outbox.clear()
    opened = client.post(url + "/open")
    assert opened.status_code == 302
    db.session.refresh(session)
    assert session.status == "open" and len(mail.outbox) == 3
    again = client.post(url + "/candidates", data={"enrolment": str(make_enrolment().id)})
    assert again.status_code == 409 and "can no longer change" in text(again)


def test_the_jury_deliberates_and_the_president_closes(browse, training_jury):
    s, e = training_jury.session, training_jury.enrolment
    url = f"/jury-sessions/{s.id}/candidates/{e.id}"
    secretary, president = browse(training_jury.secretary), browse(training_jury.president)

    mine = president.get("/jury-sessions/")
    assert mine.status_code == 200 and f"/jury-sessions/{s.id}" in mine.get_data(as_text=True)
    assert "/jury-sessions/" in president.get("/").get_data(as_text=True)

    page = secretary.get(url)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert 'name="BC01-decision"' in body and "BC01-is_casting_vote" not in body  # the casting vote: president
    assert "BC01-is_casting_vote" in president.get(url).get_data(as_text=True)
    assert "Platform's proposal" in text(page)

    missing = secretary.post(url + "/blocs/BC01/decision", data={"BC01-comment": "x"})
    assert missing.status_code == 422 and "Choose validated or not validated." in text(missing)
    assert secretary.post(url + "/blocs/BC01/decision", data={"BC01-decision": "validated",
                                                              "BC01-comment": "Clear."}).status_code == 302
    casting = secretary.post(url + "/blocs/BC02/decision", data={"BC02-decision": "validated",
                                                                 "BC02-is_casting_vote": "y"})
    assert casting.status_code == 403 and "casting vote" in text(casting)
    assert president.post(url + "/blocs/BC02/decision", data={"BC02-decision": "validated",
                                                              "BC02-is_casting_vote": "y"}).status_code == 302
    assert president.post(url + "/blocs/BC08/decision", data={"BC08-decision": "validated"}).status_code == 422

    page = president.get(url).get_data(as_text=True)
    first = services.ledger.current_in_session(s, e.id)["BC01"]
    assert f'name="BC01-revokes" type="hidden" value="{first.id}"' in page
    stale = president.post(url + "/blocs/BC01/decision", data={"BC01-decision": "not_validated"})
    assert stale.status_code == 409
    no_reason = president.post(url + "/blocs/BC01/decision", data={"BC01-decision": "not_validated",
                                                                   "BC01-revokes": str(first.id)})
    assert no_reason.status_code == 422 and "Give the reason" in text(no_reason)
    assert president.post(url + "/blocs/BC01/decision", data={
        "BC01-decision": "not_validated", "BC01-revokes": str(first.id), "BC01-reason": "Plagiarism."}
    ).status_code == 302
    assert "Revokes decision number" in text(president.get(url))

    member = browse(training_jury.member)
    assert member.get(url).status_code == 200
    assert member.post(url + "/blocs/BC03/decision", data={"BC03-decision": "validated"}).status_code == 403
    assert secretary.post(f"/jury-sessions/{s.id}/close").status_code == 403
    assert president.post(f"/jury-sessions/{s.id}/close").status_code == 302
    db.session.refresh(s)
    assert s.status == "closed"
    late = president.post(url + "/blocs/BC03/decision", data={"BC03-decision": "validated"})
    assert late.status_code == 409 and "closed" in text(late)


def test_attendance_and_declared_links_on_the_pages(browse, training_jury):
    s, e = training_jury.session, training_jury.enrolment
    member = browse(training_jury.member)
    declared = member.post(f"/jury-sessions/{s.id}/conflicts", data={
        "member": str(next(m.id for m in s.members if m.user_id == training_jury.member.id)),
        "enrolment": str(e.id), "kind": "declared", "note": "Neighbour."})
    assert declared.status_code == 302
    assert "declared a link" in text(member.get(f"/jury-sessions/{s.id}"))
    secretary = browse(training_jury.secretary)
    url = f"/jury-sessions/{s.id}/candidates/{e.id}"
    assert secretary.post(url + "/attendance", data={"attendance": "excused"}).status_code == 302
    assert "excused" in text(secretary.get(url))
    refused = secretary.post(url + "/blocs/BC01/decision", data={"BC01-decision": "validated"})
    assert refused.status_code == 409


def test_jury_members_see_their_candidates_and_no_others(browse, training_jury, make_enrolment, make_user,
                                                         api_token):
    other = make_enrolment()
    outsider = make_user("jury")
    member = browse(training_jury.member)
    assert member.get(f"/enrolments/{training_jury.enrolment.id}").status_code == 200
    assert member.get(f"/enrolments/{other.id}").status_code == 404
    assert browse(outsider).get(f"/enrolments/{training_jury.enrolment.id}").status_code == 404
    headers = api_token(training_jury.member)
    assert member.get(f"/api/v1/enrolments/{training_jury.enrolment.id}", headers=headers).status_code == 200
    assert member.get(f"/api/v1/enrolments/{other.id}", headers=headers).status_code == 404
    dashboard = member.get("/").get_data(as_text=True)
    assert training_jury.candidate.name in html.unescape(dashboard) and other.candidate.name not in dashboard
    assert browse(outsider).get(f"/jury-sessions/{training_jury.session.id}").status_code == 404
    assert browse(training_jury.candidate).get("/jury-sessions/").status_code == 403


def test_the_candidate_sees_the_final_decisions(browse, training_jury):
    s, e = training_jury.session, training_jury.enrolment
    services.record_decision(s, e, "BC01", "validated", actor=training_jury.president, comment="Well argued.")
    db.session.commit()
    candidate = browse(training_jury.candidate)
    url = f"/enrolments/{e.id}/decisions"
    assert "Well argued." not in text(candidate.get(url))  # not final while the session is open
    assert "Well argued." in text(browse(training_jury.member).get(url))
    services.close_session(s, actor=training_jury.president)
    db.session.commit()
    page = candidate.get(url)
    assert page.status_code == 200 and "Well argued." in text(page)
    assert re.search(r'data-bloc="BC01">.*?badge--validated', page.get_data(as_text=True), re.S)
    assert f"/enrolments/{e.id}/decisions" in candidate.get(f"/enrolments/{e.id}").get_data(as_text=True)
