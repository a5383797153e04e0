"""Fixtures of the statistics and credentials tests: graduates made with the models (closed sessions with
validated decisions for every required bloc and a 16-week internship, or an issued certification decision)."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from portfolio.extensions import db


def bloc_of(certification, code):
    return next(b for b in certification.blocs if b.code == code)


@pytest.fixture
def signing_key_path(app, tmp_path, monkeypatch):
    """Each test signs with a key of its own, generated on first use in a temporary directory."""
    path = tmp_path / "keys" / "credential_signing_key.pem"
    monkeypatch.setitem(app.config, "CREDENTIAL_SIGNING_KEY_PATH", str(path))
    return path


@pytest.fixture
def closed_session(certification):
    """``closed_session(day, route="training")``: a closed jury session on that day."""
    from portfolio.juries.models import JurySession

    def make(day: date, route: str = "training", status: str = "closed"):
        session = JurySession(certification_id=certification.id, route=route, date=day, status=status,
                              place="Paris", closed_at=datetime(day.year, day.month, day.day, 17, tzinfo=UTC)
                              if status == "closed" else None)
        db.session.add(session)
        db.session.flush()
        return session

    return make


@pytest.fixture
def decide(certification):
    """``decide(session, enrolment, "BC05", "validated")``: a decision row."""
    from portfolio.juries.models import BlocDecision

    def make(session, enrolment, code: str, decision: str = "validated", comment: str = ""):
        row = BlocDecision(session_id=session.id, enrolment_id=enrolment.id, bloc_id=bloc_of(certification, code).id,
                           decision=decision, comment=comment)
        db.session.add(row)
        db.session.flush()
        return row

    return make


@pytest.fixture
def internship():
    """``internship(enrolment, weeks=16)``: an internship of exactly that many weeks."""
    from portfolio.records.models import Internship

    def make(enrolment, weeks: float = 16, start: date = date(2025, 3, 3)):
        row = Internship(enrolment_id=enrolment.id, organisation="Les Films du Nord", start_date=start,
                         end_date=start + timedelta(days=round(weeks * 7) - 1))
        db.session.add(row)
        db.session.flush()
        return row

    return make


@pytest.fixture
def graduate(make_user, make_enrolment, closed_session, decide, internship):
    """``graduate(day, route="training", option=..., name=None)``: an enrolment certified by the rule: every
    required bloc validated by a closed session on ``day`` (a first session a month before validates BC01)."""
    from portfolio.enrolments.services import required_bloc_codes

    def make(day: date, route: str = "training", option: str = "scenario-realisation", name: str | None = None,
             weeks: float = 16):
        enrolment = make_enrolment(candidate=make_user("candidate", name=name), route=route, option=option)
        session_route = "vae" if route == "vae" else "training"
        earlier = closed_session(day - timedelta(days=30), session_route)
        final = closed_session(day, session_route)
        for code in required_bloc_codes(enrolment):
            decide(earlier if code == "BC01" else final, enrolment, code)
        internship(enrolment, weeks)
        db.session.commit()
        return enrolment

    return make


@pytest.fixture
def certification_document():
    """``certification_document(enrolment, issued_on)``: an issued certification decision (the document row)."""
    from portfolio.files.models import StoredFile
    from portfolio.juries.models import IssuedDocument

    counter = {"n": 0}

    def make(enrolment, issued_on: date):
        counter["n"] += 1
        stored = StoredFile(backend="local", key=f"tests/jury-stats/{enrolment.id}-{counter['n']}.docx", size=1,
                            media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                            sha256="0" * 64)
        db.session.add(stored)
        db.session.flush()
        row = IssuedDocument(kind="certification_decision", number=f"DEC-TEST-{enrolment.id}-{counter['n']}",
                             enrolment_id=enrolment.id, stored_file_id=stored.id, issued_on=issued_on)
        db.session.add(row)
        db.session.commit()
        return row

    return make


@pytest.fixture
def answer():
    """``answer(enrolment, months, employed, job=None)``: a survey row (job: a target code or free text)."""
    from portfolio.juries.models import FollowUpSurvey
    from portfolio.juries.statistics import TARGET_JOB_CODES

    def make(enrolment, months: int, employed: bool, job: str | None = None, on: date = date(2026, 1, 1)):
        row = FollowUpSurvey(enrolment_id=enrolment.id, months_after=months, is_employed=employed,
                             is_in_target_job=bool(employed and job in TARGET_JOB_CODES),
                             job=job if employed else None, answered_on=on)
        db.session.add(row)
        db.session.flush()
        return row

    return make
