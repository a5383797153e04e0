"""Fixtures for the evidence tests: a cohort with an assessment, a student in it, files to upload."""
from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from portfolio.extensions import db

_FLASH = re.compile(r'<p class="alert alert--(\w+)">(.*?)</p>', re.S)


def flashes(response) -> list[tuple[str, str]]:
    return [(cat, html.unescape(text).strip()) for cat, text in _FLASH.findall(response.get_data(as_text=True))]


@pytest.fixture
def read_flashes():
    return flashes


@pytest.fixture
def english_client(client_for):
    """``english_client(user)``: a signed-in client reading the English texts."""
    def make(user):
        client = client_for(user)
        client.set_cookie("lang", "en")
        return client

    return make


@pytest.fixture
def cohort(certification):
    from portfolio.enrolments.services import get_or_create_cohort

    cohort = get_or_create_cohort("Evidence tests 2025-2027", certification, academic_year="2025-2026")
    db.session.commit()
    return cohort


@pytest.fixture
def make_assessment(certification, cohort):
    """``make_assessment(bloc="BC05", types=(...), ranks=None, due_at=..., opens_at=..., cohort=...)``."""
    from portfolio.assessments.services import AssessmentData, save_assessment

    counter = {"n": 0}
    now = datetime.now(UTC)

    def make(bloc="BC05", types=("production_dossier", "moodboard"), ranks=None, opens_at=now - timedelta(days=10),
             due_at=now + timedelta(days=20), cohort=cohort, code=None, markers=1):
        counter["n"] += 1
        bloc_row = next(b for b in certification.blocs if b.code == bloc)
        competences = [c for c in bloc_row.competences if ranks is None or c.rank in ranks]
        data = AssessmentData(bloc=bloc_row, code=code or f"{bloc}-T{counter['n']}", title=f"Assessment {bloc}",
                              kind="written_oral", deliverable_types=list(types), competences=competences,
                              opens_at=opens_at, due_at=due_at, markers=markers)
        assessment = save_assessment(data, certification=certification, cohort=cohort)
        db.session.commit()
        return assessment

    return make


@pytest.fixture
def student(make_user, make_enrolment, cohort, make_assessment):
    """A training-route student of the cohort (Screenwriting/Directing) with an assessor and a BC05 assessment."""
    candidate = make_user("candidate", name="Camille Test")
    assessor = make_user("assessor", name="Hélène Assessor")
    enrolment = make_enrolment(candidate=candidate, cohort=cohort, assessors=[assessor])
    assessment = make_assessment()
    return SimpleNamespace(candidate=candidate, assessor=assessor, enrolment=enrolment, assessment=assessment,
                           cohort=cohort)


@pytest.fixture
def make_deliverable():
    """``make_deliverable(student, files=[(bytes, name)], tags=[code], title=...)``: a draft, through the services."""
    import io

    from portfolio.evidence import services

    def make(st, files=(), tags=(), title="Dossier de production", type_code="production_dossier",
             assessment=None):
        deliverable = services.create_deliverable(
            st.enrolment, title=title, type_code=type_code,
            assessment=assessment if assessment is not None else st.assessment, actor=st.candidate)
        if tags:
            services.set_tags(deliverable, [(code, f"Shows {code}") for code in tags], actor=st.candidate)
        if files:
            services.add_files(deliverable, [(io.BytesIO(data), name) for data, name in files], actor=st.candidate)
        db.session.commit()
        return deliverable

    return make
