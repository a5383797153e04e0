"""Fixtures for the grading tests: assessments, submitted deliverables with files, markings.

Deliverables and files are made as rows (no upload): grading reads the frozen version, never the bytes.
"""
from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from grading_helpers import add_file, bloc_of, competence, counter

from portfolio.extensions import db


@pytest.fixture
def make_assessment(certification):
    """``make_assessment(bloc="BC05", markers=1, ranks=None, cohort=None, due_at=...)``."""
    from portfolio.assessments.models import Assessment

    def make(bloc="BC05", markers=1, ranks=None, cohort=None, due_at=None, code=None):
        bloc_row = bloc_of(certification, bloc)
        n = next(counter)
        assessment = Assessment(
            certification=certification, cohort=cohort, bloc=bloc_row, code=code or f"{bloc}-G{n}",
            title=f"Grading test {bloc} {n}", kind="written", deliverable_types=["production_dossier", "film"],
            competences=[c for c in bloc_row.competences if ranks is None or c.rank in ranks], markers=markers,
            due_at=due_at,
        )
        db.session.add(assessment)
        db.session.commit()
        return assessment

    return make


@pytest.fixture
def make_deliverable():
    """``make_deliverable(enrolment, assessment, tags=("BC05.1",), submitted=True, files=1, ...)``."""
    from portfolio.evidence.models import CompetenceTag, Deliverable, DeliverableVersion

    def make(enrolment, assessment=None, tags=(), submitted=True, title=None, files=1, submitted_at=None,
             due_at=None, is_late=False):
        deliverable = Deliverable(enrolment=enrolment, assessment=assessment, type="production_dossier",
                                  title=title or f"Deliverable {next(counter)}")
        version = DeliverableVersion(number=1)
        deliverable.versions.append(version)
        for code in tags:
            deliverable.tags.append(CompetenceTag(competence=competence(enrolment.certification, code),
                                                  justification=f"Shows {code}"))
        db.session.add(deliverable)
        db.session.flush()
        for index in range(files):
            add_file(version, name=f"file-{index + 1}.pdf")
        if submitted:
            version.submitted_at = submitted_at or datetime.now(UTC)
            version.due_at = due_at
            version.is_late = is_late
        db.session.commit()
        return deliverable

    return make


@pytest.fixture
def grade_as():
    """``grade_as(assessor, deliverable, {"BC05.1": "acquired", ...}, release=True, version=None)``."""
    from portfolio.grading import services

    def do(assessor, deliverable, levels: dict, release=True, version=None, at=None, **kwargs):
        version = version or deliverable.latest_submitted
        rows = [services.GradeInput(code, level, f"Comment on {code}") for code, level in levels.items()]
        marking, _created = services.grade(version, assessor, rows, release=release, actor=assessor, **kwargs)
        if at is not None:  # date the release, to order events deterministically
            marking.released_at = at
        db.session.commit()
        return marking

    return do


@pytest.fixture
def people(make_user, make_enrolment):
    """A candidate (Screenwriting/Directing option) with three assigned assessors, and an outsider."""
    candidate = make_user("candidate", name="Camille Candidate")
    assessors = [make_user("assessor", name=f"Assessor {n}") for n in ("One", "Two", "Three")]
    enrolment = make_enrolment(candidate=candidate, assessors=assessors)
    return SimpleNamespace(candidate=candidate, a1=assessors[0], a2=assessors[1], a3=assessors[2],
                           enrolment=enrolment, outsider=make_user("assessor", name="Outsider"),
                           admin=make_user("admin", name="Admin"))


@pytest.fixture
def read_mail():
    """``read_mail()``: the messages sent since the test began."""
    from portfolio import mail

    mail.outbox.clear()
    yield lambda: list(mail.outbox)
    mail.outbox.clear()


@pytest.fixture
def english_texts(db_session):
    """Messages made outside a request (services, rules) in English, whatever the default locale."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield
