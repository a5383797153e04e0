"""Who reads what: bundles and minutes for the session's members and admins; attestations and decisions
for the candidate concerned, admins and the members; 404 for everyone else."""
from __future__ import annotations

import pytest

from portfolio.extensions import db


def _status(client_for, user, url):
    return client_for(user).get(url).status_code


@pytest.mark.parametrize("who, expected", [
    ("admin", 200), ("president", 200), ("secretary", 200), ("member", 200),
    ("outsider", 404), ("candidate", 404), ("other", 404), ("first", 404),
])
def test_bundle_and_minutes_by_role(jury_world, client_for, who, expected):
    w = jury_world
    user = getattr(w, who)
    base = f"/jury-sessions/{w.session.id}"
    assert _status(client_for, user, f"{base}/candidates/{w.enrolment.id}/bundle") == expected
    assert _status(client_for, user, f"{base}/candidates/{w.enrolment.id}/bundle.zip") == expected
    assert _status(client_for, user, f"{base}/minutes.docx") == expected
    assert _status(client_for, user, f"{base}/documents") == expected


@pytest.mark.parametrize("who, expected", [
    ("admin", 200), ("candidate", 200), ("president", 200), ("member", 200),
    ("other", 404), ("outsider", 404), ("first", 404),
])
def test_attestation_by_role(jury_world, client_for, close_session, who, expected):
    w = jury_world
    close_session(w.session, by=w.president)
    user = getattr(w, who)
    assert _status(client_for, user, f"/enrolments/{w.enrolment.id}/attestation.docx") == expected
    assert _status(client_for, user, f"/enrolments/{w.enrolment.id}/documents") == expected
    # Not certified yet: 409 for those who may see the decision, 404 for the others.
    assert _status(client_for, user, f"/enrolments/{w.enrolment.id}/certification-decision.docx") == \
        (409 if expected == 200 else 404)


def test_the_api_answers_the_same(jury_world, client_for, api_token):
    w = jury_world
    client = client_for(None)
    bundle = f"/api/v1/jury-sessions/{w.session.id}/candidates/{w.enrolment.id}/bundle"
    minutes = f"/api/v1/jury-sessions/{w.session.id}/minutes"
    assert client.get(bundle).status_code == 401
    assert client.get(minutes, headers=api_token(w.secretary)).status_code == 200
    for user in (w.candidate, w.outsider, w.first):
        headers = api_token(user)
        for url in (bundle, minutes):
            response = client.get(url, headers=headers)
            assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_a_member_with_a_declared_link_does_not_read_that_bundle(jury_world, client_for):
    from portfolio.juries.models import JuryConflict, JuryMember

    w = jury_world
    seat = db.session.query(JuryMember).filter_by(session_id=w.session.id, user_id=w.member.id).one()
    db.session.add(JuryConflict(member_id=seat.id, enrolment_id=w.enrolment.id, kind="declared"))
    db.session.commit()
    base = f"/jury-sessions/{w.session.id}/candidates"
    assert _status(client_for, w.member, f"{base}/{w.enrolment.id}/bundle") == 404
    assert _status(client_for, w.member, f"{base}/{w.other_enrolment.id}/bundle") == 200
    page = client_for(w.member).get(f"/jury-sessions/{w.session.id}/documents").get_data(as_text=True)
    assert f"{base}/{w.enrolment.id}/bundle" not in page and f"{base}/{w.other_enrolment.id}/bundle" in page


def test_a_member_whose_jury_role_was_withdrawn_reads_nothing(jury_world, client_for):
    from portfolio.accounts.models import UserRole

    w = jury_world
    db.session.query(UserRole).filter_by(user_id=w.member.id, role="jury").delete()
    db.session.commit()
    db.session.expire_all()
    assert _status(client_for, w.member, f"/jury-sessions/{w.session.id}/minutes.docx") == 404
    assert _status(client_for, w.member, f"/jury-sessions/{w.session.id}/candidates/{w.enrolment.id}/bundle") == 404


def test_pages_offer_only_the_documents_one_may_download(jury_world, client_for, close_session):
    w = jury_world
    close_session(w.session, by=w.president)
    client = client_for(w.candidate)
    client.set_cookie("lang", "en")
    page = client.get(f"/enrolments/{w.enrolment.id}/documents").get_data(as_text=True)
    assert f"/enrolments/{w.enrolment.id}/attestation.docx" in page
    assert f"/enrolments/{w.enrolment.id}/certification-decision.docx" not in page  # not certified
    assert "BC05" in page and "Still missing" in page
    assert "minutes" not in page.lower()
    session_page = client_for(w.president).get(f"/jury-sessions/{w.session.id}/documents").get_data(as_text=True)
    assert f"/jury-sessions/{w.session.id}/minutes.docx" in session_page
    assert f"/enrolments/{w.enrolment.id}/attestation.docx" in session_page
    assert f"/enrolments/{w.other_enrolment.id}/attestation.docx" in session_page
