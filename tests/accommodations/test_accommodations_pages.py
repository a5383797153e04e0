"""Accommodations: recorded by referents, hidden from everyone else, every read audited, and only
their effect (the candidate's due date) given to the rest of the platform."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from portfolio.accommodations.models import Accommodation
from portfolio.accommodations.services import effective_due_at
from portfolio.assessments.models import Assessment
from portfolio.audit.models import AuditEntry
from portfolio.enrolments.services import get_or_create_cohort
from portfolio.extensions import db
from portfolio.referential.models import Bloc

OPENS = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DUE = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)  # ten days


def _english(client):
    client.set_cookie("lang", "en", domain="localhost")
    return client


@pytest.fixture
def setting(make_user, make_enrolment, certification):
    cohort = get_or_create_cohort("DHEC test cohort", certification)
    assessor = make_user("assessor")
    enrolment = make_enrolment(cohort=cohort, assessors=[assessor])
    bloc = db.session.scalar(db.select(Bloc).where(Bloc.certification_id == certification.id, Bloc.code == "BC05"))
    assessment = Assessment(certification_id=certification.id, cohort_id=cohort.id, bloc_id=bloc.id,
                            code="BC05-E1", title="Dossier de production", opens_at=OPENS, due_at=DUE)
    db.session.add(assessment)
    db.session.commit()
    return enrolment, assessment, assessor


def _reads(actor) -> list[AuditEntry]:
    return db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action == "accommodation.read", AuditEntry.actor_id == actor.id).order_by(AuditEntry.id)).all()


def test_referent_records_extra_time_and_the_effect_follows(setting, make_user, client_for):
    enrolment, assessment, _ = setting
    referent_user = make_user("referent")
    referent = _english(client_for(referent_user))
    url = f"/accommodations/enrolments/{enrolment.id}/new"
    page = referent.get(url).get_data(as_text=True)
    assert "do not enter any medical information" in page and "No medical information." in page
    assert "BC05-E1" in page
    assert effective_due_at(enrolment, assessment) == DUE
    response = referent.post(url, data={"kind": "extra_time", "extra_time_percent": "50",
                                        "valid_from": "2026-01-01", "valid_until": "2026-12-31",
                                        "basis": "disability", "notes": "Salle au rez-de-chaussée."})
    assert response.status_code == 302
    row = db.session.scalar(db.select(Accommodation).where(Accommodation.enrolment_id == enrolment.id))
    assert (row.kind, row.extra_time_percent, row.basis, row.created_by_id) == ("extra_time", 50, "disability",
                                                                                  referent_user.id)
    # Half of ten days more.
    assert effective_due_at(enrolment, assessment) == DUE + timedelta(days=5)


def test_a_new_due_date_for_one_assessment(setting, make_user, client_for):
    enrolment, assessment, _ = setting
    referent = _english(client_for(make_user("referent")))
    url = f"/accommodations/enrolments/{enrolment.id}/new"
    response = referent.post(url, data={"kind": "due_date", "assessment": str(assessment.id),
                                        "new_due_at": "2026-03-20T18:00", "valid_from": "2026-01-01",
                                        "basis": "temporary"})
    assert response.status_code == 302
    row = db.session.scalar(db.select(Accommodation).where(Accommodation.enrolment_id == enrolment.id))
    assert row.kind == "due_date" and row.assessment_id == assessment.id and row.valid_until is None
    # The form is read in the platform's time zone (Europe/Paris, UTC+1 in March).
    assert effective_due_at(enrolment, assessment) == datetime(2026, 3, 20, 17, 0, tzinfo=UTC)
    page = referent.get(f"/accommodations/enrolments/{enrolment.id}").get_data(as_text=True)
    assert "Effect on the due dates" in page


@pytest.mark.parametrize(("data", "field_message"), [
    ({"kind": "extra_time", "extra_time_percent": ""}, "Give the extra time in percent."),
    ({"kind": "extra_time", "extra_time_percent": "500"}, "Number must be between 1 and 300."),
    ({"kind": "due_date", "assessment": "", "new_due_at": "2026-03-20T18:00"}, "Choose the assessment."),
    ({"kind": "due_date", "assessment": "ASSESSMENT", "new_due_at": ""}, "Give the new due date and time."),
    ({"kind": "due_date", "assessment": "ASSESSMENT", "new_due_at": "2026-03-01T18:00"},
     "must be later than the assessment"),
    ({"kind": "due_date", "assessment": "999999", "new_due_at": "2026-03-20T18:00"}, "Not a valid choice"),
    ({"kind": "extra_time", "extra_time_percent": "20", "valid_until": "2025-01-01"},
     "The end of validity cannot be before its start."),
    ({"kind": "extra_time", "extra_time_percent": "20", "basis": "dyslexia"}, "Not a valid choice"),
    ({"kind": "", "extra_time_percent": "20"}, "This field is required."),
])
def test_bad_accommodations_are_form_errors(setting, make_user, client_for, data, field_message):
    enrolment, assessment, _ = setting
    referent = _english(client_for(make_user("referent")))
    payload = {"valid_from": "2026-01-01", "basis": "disability", **data}
    if payload.get("assessment") == "ASSESSMENT":
        payload["assessment"] = str(assessment.id)
    response = referent.post(f"/accommodations/enrolments/{enrolment.id}/new", data=payload)
    assert response.status_code == 422
    assert field_message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Accommodation.id))
                             .where(Accommodation.enrolment_id == enrolment.id)) == 0


def _grant(client, enrolment, percent="25", notes="Pauses toutes les heures."):
    response = client.post(f"/accommodations/enrolments/{enrolment.id}/new", data={
        "kind": "extra_time", "extra_time_percent": percent, "valid_from": "2026-01-01", "basis": "disability",
        "notes": notes})
    assert response.status_code == 302
    return db.session.scalars(db.select(Accommodation).where(Accommodation.enrolment_id == enrolment.id)
                              .order_by(Accommodation.id.desc())).first()


def test_every_read_is_audited(setting, make_user, client_for):
    enrolment, _, _ = setting
    referent_user = make_user("referent")
    referent = client_for(referent_user)
    first, second = _grant(referent, enrolment), _grant(referent, enrolment, "10")
    assert _reads(referent_user) == []
    assert referent.get(f"/accommodations/enrolments/{enrolment.id}").status_code == 200
    reads = _reads(referent_user)
    assert sorted(r.target_id for r in reads) == sorted([first.id, second.id])
    assert {(r.target_type, r.after["page"]) for r in reads} == {("accommodation", "list")}
    assert referent.get(f"/accommodations/{first.id}").status_code == 200
    reads = _reads(referent_user)
    assert len(reads) == 3 and (reads[-1].target_id, reads[-1].after["page"]) == (first.id, "detail")
    # The candidates' list reads no accommodation.
    assert referent.get("/accommodations/").status_code == 200
    assert len(_reads(referent_user)) == 3
    # Admins read too, and are audited as well.
    admin_user = make_user("admin")
    assert client_for(admin_user).get(f"/accommodations/{second.id}").status_code == 200
    assert [r.target_id for r in _reads(admin_user)] == [second.id]


def test_nobody_else_reads_them(setting, make_user, make_enrolment, client_for):
    enrolment, assessment, assessor = setting
    row = _grant(client_for(make_user("referent")), enrolment, notes="Fauteuil roulant : salle accessible.")
    other = make_enrolment()
    jury = make_user("jury")
    for user in (assessor, jury, other.candidate, make_user("assessor")):
        client = client_for(user)
        for url in ("/accommodations/", f"/accommodations/enrolments/{enrolment.id}",
                    f"/accommodations/enrolments/{enrolment.id}/new", f"/accommodations/{row.id}"):
            assert client.get(url).status_code == 404, (user.roles, url)
        assert client.post(f"/accommodations/{row.id}/revoke").status_code == 404
        assert _reads(user) == []
    # The assessor still gets the effect, through the service the rest of the platform uses.
    assert effective_due_at(enrolment, assessment) == DUE + (DUE - OPENS) * 0.25


def test_the_candidate_sees_the_effects_of_their_own_only(setting, make_user, client_for):
    enrolment, _, _ = setting
    row = _grant(client_for(make_user("referent")), enrolment, notes="Fauteuil roulant : salle accessible.")
    candidate = _english(client_for(enrolment.candidate))
    for url in (f"/accommodations/enrolments/{enrolment.id}", f"/accommodations/{row.id}"):
        response = candidate.get(url)
        text = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "25% extra time on every assessment" in text
        assert "Fauteuil" not in text and "Disability" not in text
    assert candidate.get(f"/accommodations/enrolments/{enrolment.id}/new").status_code == 403
    assert candidate.post(f"/accommodations/{row.id}/revoke").status_code == 403
    assert candidate.get("/accommodations/").status_code == 404
    assert len(_reads(enrolment.candidate)) == 2


def test_revoke(setting, make_user, client_for):
    enrolment, assessment, _ = setting
    referent = client_for(make_user("referent"))
    row = _grant(referent, enrolment)
    assert effective_due_at(enrolment, assessment) > DUE
    assert referent.post(f"/accommodations/{row.id}/revoke").status_code == 302
    db.session.refresh(row)
    assert row.revoked_at is not None
    assert effective_due_at(enrolment, assessment) == DUE
    assert referent.post(f"/accommodations/{row.id}/revoke").status_code == 302  # twice: no change
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id)).where(
        AuditEntry.action == "accommodation.revoke", AuditEntry.target_id == row.id)) == 1


def test_referents_search_candidates(setting, make_user, client_for):
    enrolment, _, _ = setting
    referent = client_for(make_user("referent"))
    page = referent.get("/accommodations/", query_string={"q": enrolment.candidate.email[:12]})
    assert page.status_code == 200
    assert f"/accommodations/enrolments/{enrolment.id}" in page.get_data(as_text=True)
    page = referent.get("/accommodations/", query_string={"q": "nobody-by-this-name"}).get_data(as_text=True)
    assert not re.search(r"/accommodations/enrolments/\d+", page)


def test_the_dashboard_links_referents_to_their_pages(make_user, client_for):
    page = client_for(make_user("referent")).get("/").get_data(as_text=True)
    assert 'href="/accommodations/"' in page
    assert 'href="/accommodations/"' not in client_for(make_user("assessor")).get("/").get_data(as_text=True)


def test_the_audit_log_never_holds_the_notes(setting, make_user, client_for):
    enrolment, _, _ = setting
    row = _grant(client_for(make_user("referent")), enrolment, notes="Pauses toutes les heures.")
    entries = db.session.scalars(db.select(AuditEntry).where(AuditEntry.target_type == "accommodation",
                                                             AuditEntry.target_id == row.id)).all()
    assert entries and all("Pauses" not in repr((e.before, e.after)) for e in entries)
    assert row.valid_from == date(2026, 1, 1)
