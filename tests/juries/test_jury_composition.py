"""Composition rules: the fiche's rules per route, conflicts of interest, the gender-balance warning."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from portfolio.audit.models import AuditEntry
from portfolio.extensions import db
from portfolio.juries import services
from portfolio.juries.composition import check_composition
from portfolio.juries.services import CompositionError, InvalidRequest, StateConflict


def _rule(report, code):
    return next(r for r in report.rules if r.code == code)


def test_training_needs_an_academic_president_and_a_secretary(make_juror, make_session, make_enrolment):
    president, secretary = make_juror("Pia President"), make_juror("Sam Secretary")
    session = make_session("training", members=[(president, "president")], candidates=[make_enrolment()])

    with pytest.raises(CompositionError) as refused:
        services.open_session(session)
    assert refused.value.rule == "president_academic"
    assert refused.value.status == 409
    assert "Pia President" in str(refused.value)
    assert {r.code for r in refused.value.report.failures} == {"president_academic", "secretary"}
    db.session.rollback()

    services.remove_member(session.members[0])
    services.add_member(session, president, "president", is_academic=True)
    db.session.commit()
    report = check_composition(session)
    assert not _rule(report, "secretary").ok and _rule(report, "president_academic").ok
    with pytest.raises(CompositionError) as refused:
        services.open_session(session)
    assert refused.value.rule == "secretary"
    db.session.rollback()

    services.add_member(session, secretary, "secretary")
    report = services.open_session(session, actor=make_session.admin)
    db.session.commit()
    assert report.ok and session.status == "open" and session.opened_at is not None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "jury_session.open",
                                                      AuditEntry.target_id == session.id)) is not None


def test_vae_needs_two_members_and_a_professional_but_no_secretary(make_juror, make_session, make_enrolment):
    president, other, professional = make_juror(), make_juror(), make_juror()
    vae = make_enrolment(route="vae", option="production-distribution")
    session = make_session("vae", members=[(president, "president", {"is_academic": True})], candidates=[vae])

    report = check_composition(session)
    assert [r.code for r in report.failures] == ["min_members", "min_professionals"]
    assert "secretary" not in {r.code for r in report.rules}

    services.add_member(session, other, "member")
    db.session.commit()
    with pytest.raises(CompositionError) as refused:
        services.open_session(session)
    assert refused.value.rule == "min_professionals"
    db.session.rollback()

    services.add_member(session, professional, "member", is_professional=True)
    assert services.open_session(session).ok


def test_no_president_and_no_candidate_are_refused(make_juror, make_session):
    session = make_session("training", members=[(make_juror(), "member")])
    report = check_composition(session)
    assert {"candidates", "president"} <= {r.code for r in report.failures}
    with pytest.raises(CompositionError) as refused:
        services.open_session(session)
    assert refused.value.rule == "candidates"


def _valid_training(make_juror, make_session, enrolment, extra=()):
    return make_session("training", members=[
        (make_juror(), "president", {"is_academic": True}), (make_juror(), "secretary"), *extra,
    ], candidates=[enrolment])


def test_an_assessor_of_the_candidate_may_not_sit(make_juror, make_session, make_enrolment, make_user):
    assessor = make_user("assessor", "jury", name="Ines Assessor")
    enrolment = make_enrolment(assessors=[assessor])
    session = _valid_training(make_juror, make_session, enrolment, [(assessor, "member")])

    with pytest.raises(CompositionError) as refused:
        services.open_session(session)
    assert refused.value.rule == "no_conflict"
    assert "Ines Assessor" in str(refused.value) and enrolment.candidate.name in str(refused.value)
    assert "assessed" in str(refused.value)


def test_a_marking_on_the_candidates_work_is_a_conflict(make_juror, make_session, make_enrolment, make_user):
    from portfolio.evidence.models import Deliverable, DeliverableVersion
    from portfolio.grading.models import Marking

    marker = make_user("assessor", "jury", name="Marc Marker")
    enrolment = make_enrolment()
    deliverable = Deliverable(enrolment_id=enrolment.id, title="Treatment", type="treatment")
    db.session.add(deliverable)
    db.session.flush()
    version = DeliverableVersion(deliverable_id=deliverable.id, number=1)
    db.session.add(version)
    db.session.flush()
    db.session.add(Marking(version_id=version.id, assessor_id=marker.id))
    db.session.commit()
    session = _valid_training(make_juror, make_session, enrolment, [(marker, "member")])

    report = check_composition(session)
    assert [(c.member.user.name, c.kind) for c in report.conflicts] == [("Marc Marker", "assessed")]
    assert not report.ok


def test_a_declared_or_accompanied_link_refuses_until_withdrawn(make_juror, make_session, make_enrolment):
    enrolment = make_enrolment()
    friend = make_juror("Fanny Friend")
    session = _valid_training(make_juror, make_session, enrolment, [(friend, "member")])
    member = next(m for m in session.members if m.user_id == friend.id)
    row = services.record_conflict(member, enrolment, "declared", note="Former colleague")

    db.session.commit()
    with pytest.raises(CompositionError) as refused:
        services.open_session(session)
    assert "Fanny Friend" in str(refused.value) and "declared a link" in str(refused.value)
    db.session.rollback()

    with pytest.raises(StateConflict):
        services.record_conflict(member, enrolment, "accompanied")
    services.remove_conflict(row, session)
    services.record_conflict(member, enrolment, "accompanied")
    assert check_composition(session).conflicts[0].kind == "accompanied"
    services.remove_member(member)
    assert services.open_session(session).ok


def test_an_unbalanced_jury_is_a_warning_not_a_refusal(make_juror, make_session, make_enrolment):
    vae = make_enrolment(route="vae", option="production-distribution")
    session = make_session("vae", members=[
        (make_juror(), "president", {"is_academic": True, "gender": "m"}),
        (make_juror(), "member", {"is_professional": True, "gender": "m"}),
        (make_juror(), "member", {"gender": "m"}),
    ], candidates=[vae])
    report = services.open_session(session)
    assert report.ok and session.status == "open"
    assert [w.code for w in report.warnings] == ["gender_balance"]
    assert "3 men" in report.warnings[0].message


def test_a_balanced_jury_has_no_warning_and_an_unknown_gender_is_flagged(make_juror, make_session, make_enrolment):
    vae = make_enrolment(route="vae", option="production-distribution")
    balanced = make_session("vae", members=[
        (make_juror(), "president", {"is_academic": True, "gender": "f"}),
        (make_juror(), "member", {"is_professional": True, "gender": "m"}),
        (make_juror(), "member", {"gender": "f"}),
    ], candidates=[vae])
    assert check_composition(balanced).warnings == []
    services.add_member(balanced, make_juror(), "member")
    assert [w.code for w in check_composition(balanced).warnings] == ["gender_unknown"]


def test_members_need_the_jury_role_and_one_president(make_juror, make_session, make_user):
    session = make_session("training", members=[(make_juror(), "president")])
    with pytest.raises(InvalidRequest) as refused:
        services.add_member(session, make_user("assessor"), "member")
    assert refused.value.field == "user" and "jury member role" in str(refused.value)
    with pytest.raises(StateConflict):
        services.add_member(session, make_juror(), "president")
    with pytest.raises(InvalidRequest):
        services.add_member(session, make_juror(), "chair")
    with pytest.raises(StateConflict):
        services.add_member(session, session.members[0].user, "member")


def test_candidates_must_match_the_sessions_route(make_session, make_enrolment):
    training = make_session("training")
    vae_session = make_session("vae")
    with pytest.raises(InvalidRequest):
        services.add_candidate(training, make_enrolment(route="vae", option="production-distribution"))
    with pytest.raises(InvalidRequest):
        services.add_candidate(vae_session, make_enrolment(route="apprenticeship"))
    for route in ("training", "apprenticeship", "continuing", "professionalisation"):
        services.add_candidate(training, make_enrolment(route=route))
    assert len(training.candidates) == 4


def test_a_candidate_sits_in_one_unclosed_session_at_a_time(make_session, make_enrolment):
    enrolment = make_enrolment()
    make_session("training", candidates=[enrolment])
    with pytest.raises(StateConflict) as refused:
        make_session("training", candidates=[enrolment])
    assert "another session" in str(refused.value)


def test_the_composition_is_frozen_once_open(training_jury, make_juror, make_enrolment):
    session = training_jury.session
    with pytest.raises(StateConflict):
        services.add_member(session, make_juror(), "member")
    with pytest.raises(StateConflict):
        services.remove_member(session.members[-1])
    with pytest.raises(StateConflict):
        services.add_candidate(session, make_enrolment())
    with pytest.raises(StateConflict):
        services.remove_candidate(session.candidates[0])
    with pytest.raises(StateConflict):
        services.open_session(session)


def test_creating_a_session_checks_the_route(certification):
    from datetime import date

    with pytest.raises(InvalidRequest):
        services.create_session(certification, date(2026, 6, 1), "apprenticeship")
    session = services.create_session(certification, date(2026, 6, 1), "vae", place="  Lyon  ")
    assert session.status == "draft" and session.place == "Lyon"
