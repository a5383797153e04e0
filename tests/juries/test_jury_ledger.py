"""The ledger: a validated bloc is acquired for life; a later session examines the missing blocs only."""
from __future__ import annotations

from datetime import date

import pytest

from portfolio.enrolments.services import certification_status, required_bloc_codes
from portfolio.extensions import db
from portfolio.juries import ledger, services
from portfolio.juries.ledger import current_bloc_decisions
from portfolio.juries.services import StateConflict


def _second_session(make_juror, make_session, enrolment, on=date(2027, 6, 14)):
    president = make_juror("Pierre Président")
    session = make_session("training", on=on, members=[
        (president, "president", {"is_academic": True}), (make_juror(), "secretary")], candidates=[enrolment])
    services.open_session(session)
    db.session.commit()
    return session, president


def _first_session_closed(jury):
    s, e, p = jury.session, jury.enrolment, jury.president
    services.record_decision(s, e, "BC01", "validated", actor=p)
    services.record_decision(s, e, "BC02", "not_validated", actor=p, comment="The budget is missing.")
    db.session.commit()
    assert current_bloc_decisions([e.id]) == {}  # not final while the session is open
    assert current_bloc_decisions([e.id], final_only=False) == {e.id: {"BC01": "validated", "BC02": "not_validated"}}
    services.close_session(s, actor=p)
    db.session.commit()


def test_a_validated_bloc_stays_validated_and_a_later_session_examines_the_missing_blocs(
        training_jury, make_juror, make_session):
    enrolment = training_jury.enrolment
    before = certification_status(enrolment)["missing"]
    _first_session_closed(training_jury)

    assert current_bloc_decisions([enrolment.id]) == {enrolment.id: {"BC01": "validated", "BC02": "not_validated"}}
    missing = certification_status(enrolment)["missing"]
    assert "BC01" in before and "BC01" not in missing and "BC02" in missing
    assert missing == [code for code in before if code != "BC01"]

    session2, president2 = _second_session(make_juror, make_session, enrolment)
    examined = [b.code for b in ledger.blocs_to_examine(session2, enrolment)]
    assert examined == [c for c in required_bloc_codes(enrolment) if c != "BC01"]
    assert list(ledger.acquired_blocs(enrolment, other_than=session2)) == ["BC01"]

    with pytest.raises(StateConflict) as refused:
        services.record_decision(session2, enrolment, "BC01", "not_validated", actor=president2)
    assert "acquired" in str(refused.value)
    db.session.rollback()

    services.record_decision(session2, enrolment, "BC02", "validated", actor=president2, comment="Budget done.")
    services.close_session(session2, actor=president2)
    db.session.commit()
    assert current_bloc_decisions([enrolment.id])[enrolment.id] == {"BC01": "validated", "BC02": "validated"}
    assert {"BC01", "BC02"}.isdisjoint(certification_status(enrolment)["missing"])


def test_an_explicit_revocation_in_a_later_session_changes_an_acquired_bloc(training_jury, make_juror, make_session):
    enrolment = training_jury.enrolment
    _first_session_closed(training_jury)
    old = ledger.acquired_blocs(enrolment)["BC01"]
    session2, president2 = _second_session(make_juror, make_session, enrolment)

    new = services.record_decision(session2, enrolment, "BC01", "not_validated", actor=president2, revokes=old.id,
                                   reason="Fraud established after the first session.")
    services.close_session(session2, actor=president2)
    db.session.commit()
    assert old.superseded_by_id == new.id and old.session_id == training_jury.session.id
    assert current_bloc_decisions([enrolment.id])[enrolment.id]["BC01"] == "not_validated"
    assert "BC01" in certification_status(enrolment)["missing"]
    history = ledger.decision_history(enrolment, enrolment.candidate)
    assert [(d.bloc.code, d.decision, d.is_current) for d in history if d.bloc.code == "BC01"] == [
        ("BC01", "validated", False), ("BC01", "not_validated", True)]


def test_revoking_a_closed_sessions_decision_from_that_session_is_refused(training_jury):
    _first_session_closed(training_jury)
    old = ledger.acquired_blocs(training_jury.enrolment)["BC01"]
    with pytest.raises(StateConflict):
        services.record_decision(training_jury.session, training_jury.enrolment, "BC01", "not_validated",
                                 actor=training_jury.president, revokes=old.id, reason="Too late.")


def test_the_ledger_is_set_based(training_jury, make_enrolment, make_juror, make_session):
    others = [make_enrolment() for _ in range(3)]
    _first_session_closed(training_jury)
    result = current_bloc_decisions([training_jury.enrolment.id, *(e.id for e in others)])
    assert list(result) == [training_jury.enrolment.id]
    assert current_bloc_decisions([]) == {}


def test_history_shows_open_sessions_only_to_their_jury_and_admins(training_jury, make_user):
    e, p = training_jury.enrolment, training_jury.president
    services.record_decision(training_jury.session, e, "BC01", "validated", actor=p)
    db.session.commit()
    assert ledger.decision_history(e, training_jury.candidate) == []
    assert len(ledger.decision_history(e, training_jury.member)) == 1
    assert len(ledger.decision_history(e, make_user("admin"))) == 1
    services.close_session(training_jury.session, actor=p)
    db.session.commit()
    assert len(ledger.decision_history(e, training_jury.candidate)) == 1


def test_the_bloc_statuses_follow_the_ledger(training_jury):
    from portfolio.grading import status

    _first_session_closed(training_jury)
    rows = {r.bloc: r.status for r in status.bloc_statuses([training_jury.enrolment.id])[training_jury.enrolment.id]}
    assert rows["BC01"] == "validated" and rows["BC02"] == "not_validated"
