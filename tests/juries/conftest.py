"""Fixtures for the jury tests: jurors, sessions built through the services, an open training session."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from portfolio.extensions import db


@pytest.fixture(autouse=True)
def english(app):
    """Services' messages in English (the default locale is French); pages and API calls choose their own."""
    with force_locale("en"):
        yield


@pytest.fixture
def make_juror(make_user):
    """``make_juror(name=None, *more_roles)``: a user with the jury role."""
    def make(name: str | None = None, *roles: str):
        return make_user("jury", *roles, name=name)

    return make


@pytest.fixture
def make_session(certification, make_user):
    """``make_session(route, members=[(user, role, {flags})], candidates=[enrolment or (enrolment, slot)])``:
    a draft session composed through the services (committed)."""
    from portfolio.juries import services

    admin = make_user("admin", name="Ada Admin")

    def make(route: str = "training", members=(), candidates=(), on: date = date(2026, 6, 12),
             place: str | None = "DHEC, 14 rue Example, Paris"):
        session = services.create_session(certification, on, route, place=place, actor=admin)
        for user, role, *flags in members:
            services.add_member(session, user, role, actor=admin, **(flags[0] if flags else {}))
        for item in candidates:
            enrolment, slot = item if isinstance(item, tuple) else (item, None)
            services.add_candidate(session, enrolment, slot_at=slot, actor=admin)
        db.session.commit()
        return session

    make.admin = admin
    return make


@pytest.fixture
def training_jury(make_juror, make_session, make_enrolment, make_user):
    """An open training session: an academic president, a secretary, a member; one candidate
    (Screenwriting/Directing) with an assessor who is not on the jury."""
    from portfolio.juries import services

    president = make_juror("Paule Présidente")
    secretary = make_juror("Serge Secrétaire")
    member = make_juror("Mona Membre")
    candidate = make_user("candidate", name="Camille Candidate")
    enrolment = make_enrolment(candidate=candidate, option="scenario-realisation",
                               assessors=[make_user("assessor", name="Alex Assessor")])
    session = make_session("training", members=[
        (president, "president", {"is_academic": True, "gender": "f"}),
        (secretary, "secretary", {"gender": "m"}),
        (member, "member", {"is_professional": True, "gender": "f"}),
    ], candidates=[enrolment])
    services.open_session(session, actor=make_session.admin)
    db.session.commit()
    return SimpleNamespace(session=session, president=president, secretary=secretary, member=member,
                           candidate=candidate, enrolment=enrolment, admin=make_session.admin)
