"""Deliberation: who decides, the casting vote, revocation, blocs not registered, absence, closing."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from portfolio.audit.models import AuditEntry
from portfolio.extensions import db
from portfolio.juries import ledger, services
from portfolio.juries.models import BlocDecision
from portfolio.juries.services import InvalidRequest, NotAllowed, StateConflict


def decide(jury, bloc, decision="validated", actor=None, **kwargs):
    row = services.record_decision(jury.session, jury.enrolment, bloc, decision,
                                   actor=actor or jury.president, **kwargs)
    db.session.commit()
    return row


def test_the_president_and_the_secretary_record_decisions(training_jury):
    first = decide(training_jury, "BC01", comment="Solid writing.")
    second = decide(training_jury, "RNCP41241BC02", "not_validated", actor=training_jury.secretary,
                    comment="The budget is missing.")
    assert (first.bloc.code, first.decision, first.decided_by_id) == ("BC01", "validated", training_jury.president.id)
    assert (second.bloc.code, second.decision) == ("BC02", "not_validated")
    assert training_jury.session.candidates[0].attendance == "present"
    assert set(ledger.current_in_session(training_jury.session, training_jury.enrolment.id)) == {"BC01", "BC02"}


def test_a_plain_member_or_an_outsider_does_not_decide(training_jury, make_juror, make_user):
    for outsider in (training_jury.member, make_juror(), make_user("admin")):
        with pytest.raises(NotAllowed):
            services.record_decision(training_jury.session, training_jury.enrolment, "BC01", "validated",
                                     actor=outsider)
    assert ledger.session_decisions(training_jury.session) == []


def test_the_casting_vote_is_the_presidents(training_jury):
    row = decide(training_jury, "BC03", "validated", is_casting_vote=True, comment="Split jury: 2 against 2.")
    assert row.is_casting_vote is True
    with pytest.raises(NotAllowed) as refused:
        services.record_decision(training_jury.session, training_jury.enrolment, "BC04", "validated",
                                 actor=training_jury.secretary, is_casting_vote=True)
    assert "casting vote" in str(refused.value)


def test_a_decision_is_revoked_only_by_a_new_one_with_its_reason(training_jury):
    old = decide(training_jury, "BC01", "validated", comment="First reading.")
    with pytest.raises(StateConflict) as refused:
        decide(training_jury, "BC01", "not_validated")
    assert f"number {old.id}" in str(refused.value)
    db.session.rollback()
    with pytest.raises(InvalidRequest) as refused:
        decide(training_jury, "BC01", "not_validated", revokes=old.id, reason="  ")
    assert refused.value.field == "reason"
    db.session.rollback()

    new = decide(training_jury, "BC01", "not_validated", revokes=old.id,
                 reason="A plagiarised passage was found in the thesis.", comment="Second reading.")

    rows = db.session.scalars(select(BlocDecision).where(BlocDecision.enrolment_id == training_jury.enrolment.id)
                              .order_by(BlocDecision.id)).all()
    assert [(r.id, r.decision, r.superseded_by_id) for r in rows] == [
        (old.id, "validated", new.id), (new.id, "not_validated", None)]
    assert new.revocation_reason == "A plagiarised passage was found in the thesis."
    assert old.comment == "First reading." and old.revocation_reason is None  # never edited
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.target_type == "bloc_decision")
                               .order_by(AuditEntry.id)).all()
    assert [(a.action, a.target_id) for a in audit] == [
        ("bloc_decision.record", old.id), ("bloc_decision.revoke", old.id), ("bloc_decision.record", new.id)]
    assert audit[1].before["value"] == "validated" and audit[1].after["superseded_by"] == new.id
    with pytest.raises(StateConflict):  # a revoked decision is not revoked twice
        decide(training_jury, "BC01", "validated", revokes=old.id, reason="Again.")


def test_revoking_someone_elses_decision_is_refused(training_jury, make_enrolment):
    decision = decide(training_jury, "BC01")
    with pytest.raises(InvalidRequest):
        decide(training_jury, "BC02", revokes=decision.id, reason="Wrong bloc.")


def test_a_bloc_the_candidate_is_not_registered_for_is_refused(training_jury):
    # The candidate follows Screenwriting/Directing: the Production/Distribution bloc is not theirs.
    option_blocs = {b.code: b.option for b in training_jury.enrolment.certification.blocs if b.kind == "option"}
    other = next(code for code, option in option_blocs.items() if option == "production-distribution")
    with pytest.raises(InvalidRequest) as refused:
        decide(training_jury, other)
    assert refused.value.status == 422 and refused.value.field == "bloc"
    with pytest.raises(InvalidRequest):
        decide(training_jury, "BC99")
    with pytest.raises(InvalidRequest):
        decide(training_jury, "BC01", "maybe")


def test_an_enrolment_outside_the_session_is_refused(training_jury, make_enrolment):
    with pytest.raises(InvalidRequest):
        services.record_decision(training_jury.session, make_enrolment(), "BC01", "validated",
                                 actor=training_jury.president)


def test_an_absent_candidate_has_no_decision(training_jury):
    candidate = training_jury.session.candidates[0]
    services.set_attendance(candidate, "absent", actor=training_jury.secretary)
    db.session.commit()
    with pytest.raises(StateConflict) as refused:
        decide(training_jury, "BC01")
    assert "absent" in str(refused.value)
    assert services.pending_decisions(training_jury.session) == []
    services.set_attendance(candidate, "present", actor=training_jury.secretary)
    decide(training_jury, "BC01")
    with pytest.raises(StateConflict):
        services.set_attendance(candidate, "excused", actor=training_jury.president)


def test_a_member_who_declares_a_link_after_opening_stops_deciding_for_that_candidate(training_jury):
    seat = next(m for m in training_jury.session.members if m.user_id == training_jury.secretary.id)
    services.record_conflict(seat, training_jury.enrolment, "declared", note="My cousin.",
                             actor=training_jury.secretary)
    db.session.commit()
    with pytest.raises(NotAllowed) as refused:
        decide(training_jury, "BC01", actor=training_jury.secretary)
    assert "declared a link" in str(refused.value)
    assert decide(training_jury, "BC01").decision == "validated"  # the president still decides


def test_vae_blocs_not_validated_carry_recommendations(make_juror, make_session, make_enrolment):
    president = make_juror()
    vae = make_enrolment(route="vae", option="production-distribution")
    session = make_session("vae", members=[(president, "president", {"is_academic": True}),
                                           (make_juror(), "member", {"is_professional": True})], candidates=[vae])
    services.open_session(session)
    services.record_decision(session, vae, "BC01", "validated", actor=president)
    with pytest.raises(InvalidRequest) as refused:
        services.record_decision(session, vae, "BC02", "not_validated", actor=president, comment="Partial.")
    assert refused.value.field == "recommendations"
    row = services.record_decision(session, vae, "BC02", "not_validated", actor=president,
                                   recommendations="Lead the financing of a short film within two years.")
    assert row.recommendations.startswith("Lead the financing")
    with pytest.raises(InvalidRequest):
        services.record_decision(session, vae, "BC03", "validated", actor=president, recommendations="None.")


def test_only_the_president_closes_and_nothing_changes_afterwards(training_jury, make_juror):
    decide(training_jury, "BC01")
    for other in (training_jury.secretary, training_jury.member, training_jury.admin):
        with pytest.raises(NotAllowed):
            services.close_session(training_jury.session, actor=other)
    pending = dict((c.enrolment_id, codes) for c, codes in services.pending_decisions(training_jury.session))
    assert "BC01" not in pending[training_jury.enrolment.id] and "BC02" in pending[training_jury.enrolment.id]

    services.close_session(training_jury.session, actor=training_jury.president)
    db.session.commit()
    session = training_jury.session
    assert session.status == "closed" and session.closed_by_id == training_jury.president.id
    for change in (
        lambda: decide(training_jury, "BC02"),
        lambda: services.close_session(session, actor=training_jury.president),
        lambda: services.add_member(session, make_juror(), "member"),
        lambda: services.set_attendance(session.candidates[0], "absent", actor=training_jury.president),
        lambda: services.record_conflict(session.members[0], training_jury.enrolment, "declared"),
    ):
        with pytest.raises(StateConflict):
            change()


def test_no_decision_before_the_session_opens(make_juror, make_session, make_enrolment):
    president = make_juror()
    enrolment = make_enrolment()
    session = make_session("training", members=[(president, "president", {"is_academic": True})],
                           candidates=[enrolment])
    with pytest.raises(StateConflict) as refused:
        services.record_decision(session, enrolment, "BC01", "validated", actor=president)
    assert "not open yet" in str(refused.value)
