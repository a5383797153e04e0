"""Fixtures of the annotation tests: a candidate with two assessors, a deliverable whose submitted version
holds a 2-page PDF with text, a PNG, an MP4 and a WAV, and a draft version with a PDF."""
from __future__ import annotations

import io
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from annotation_samples import mp4_bytes, pdf_with_text, png_bytes, wav_bytes

from portfolio.extensions import db

PAGE_ONE = ["Le synopsis du film", "Une histoire de memoire et de lumiere"]
PAGE_TWO = ["Note d intention", "La lumiere revient toujours"]


def add_version(deliverable, files: list[tuple[bytes, str]], *, submitted: bool, actor=None):
    from portfolio.evidence.models import DeliverableVersion
    from portfolio.files.services import attach, receive_upload

    number = len(deliverable.versions) + 1
    version = DeliverableVersion(deliverable=deliverable, number=number,
                                 submitted_at=datetime.now(UTC) if submitted else None)
    db.session.add(version)
    db.session.flush()
    attachments = []
    for position, (data, name) in enumerate(files):
        stored, clean = receive_upload(io.BytesIO(data), name)
        attachments.append(attach(stored, clean, actor=actor, position=position, version=version))
    return version, attachments


@pytest.fixture
def client(app):
    """An anonymous client (API calls bring their token) reading the English texts."""
    client = app.test_client()
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def english(client_for):
    """``english(user)``: a signed-in client reading the English texts."""
    def make(user):
        client = client_for(user)
        client.set_cookie("lang", "en")
        return client

    return make


@pytest.fixture
def make_world(app, make_user, make_enrolment, certification):
    """``make_world(markers=1)``: a submitted deliverable with a PDF, a PNG, an MP4 and a WAV, and a draft."""

    def make(markers: int = 1):
        from portfolio.assessments.services import AssessmentData, save_assessment
        from portfolio.evidence.models import CompetenceTag, Deliverable

        candidate = make_user("candidate", name="Camille Candidate")
        first = make_user("assessor", name="Alice Assessor")
        second = make_user("assessor", name="Bruno Assessor")
        outsider = make_user("assessor", name="Olga Outsider")
        admin = make_user("admin", name="Ada Admin")
        enrolment = make_enrolment(candidate=candidate, assessors=[first, second])
        bc05 = next(b for b in certification.blocs if b.code == "BC05")
        assessment = save_assessment(
            AssessmentData(bloc=bc05, code=f"ANN-{markers}-{candidate.id}", title="Dossier", kind="written",
                           deliverable_types=["production_dossier", "film"], competences=list(bc05.competences),
                           markers=markers),
            certification=certification, cohort=None)
        deliverable = Deliverable(enrolment_id=enrolment.id, title="Les Veilleurs", type="production_dossier",
                                  assessment_id=assessment.id)
        db.session.add(deliverable)
        db.session.flush()
        bc01 = next(b for b in certification.blocs if b.code == "BC01")
        db.session.add(CompetenceTag(deliverable_id=deliverable.id, competence_id=bc01.competences[0].id))
        version, (pdf, png, mp4, wav) = add_version(deliverable, [
            (pdf_with_text([PAGE_ONE, PAGE_TWO]), "dossier.pdf"), (png_bytes((400, 300)), "moodboard.png"),
            (mp4_bytes(10.0, 25), "film.mp4"), (wav_bytes(3.0), "son.wav")], submitted=True, actor=candidate)
        draft, (draft_pdf,) = add_version(deliverable, [(pdf_with_text([["Brouillon"]]), "brouillon.pdf")],
                                          submitted=False, actor=candidate)
        db.session.commit()
        db.session.refresh(deliverable)
        return SimpleNamespace(candidate=candidate, first=first, second=second, outsider=outsider, admin=admin,
                               enrolment=enrolment, assessment=assessment, deliverable=deliverable,
                               version=version, pdf=pdf, png=png, mp4=mp4, wav=wav, draft=draft,
                               draft_pdf=draft_pdf, bc01=bc01.competences[0], bc05=bc05.competences[0])

    return make


@pytest.fixture
def world(make_world):
    return make_world()


@pytest.fixture
def annotate(world):
    """``annotate(author, attachment, selector, body, competence=None)`` through the service, committed."""
    from portfolio.annotations import services

    def make(author, attachment, selector, body="A note", competence=None, deliverable=None):
        annotation = services.create_annotation(deliverable or world.deliverable, attachment, author=author,
                                                selector=selector, body=body, competence=competence)
        db.session.commit()
        return annotation

    return make
