"""Fixtures of the jury documents tests: a session with its members, candidates and decisions, and a
candidate's portfolio (submitted and draft versions, grades, annotations, proofs), made with the models."""
from __future__ import annotations

import io
import struct
import zlib
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import docx
import pytest

from portfolio.extensions import db

PDF = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
       b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")


def pdf_bytes(marker: str) -> bytes:
    return PDF + f"% {marker}\n".encode()


def png_bytes(seed: int) -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

    pixel = bytes([0, seed % 256, 128, 64])
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(pixel)) + chunk(b"IEND", b""))


def docx_text(data: bytes) -> str:
    """Every paragraph and table cell of a Word document (python-docx), one per line, footers included."""
    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]

    def tables(items):
        for table in items:
            for row in table.rows:
                lines.append(" | ".join(cell.text for cell in row.cells))
                for cell in row.cells:
                    tables(cell.tables)

    tables(document.tables)
    for section in document.sections:
        lines.extend(p.text for p in section.footer.paragraphs)
    return "\n".join(lines)


@pytest.fixture
def read_docx():
    return docx_text


def _bloc(certification, code):
    return next(b for b in certification.blocs if b.code == code)


def _competence(certification, code):
    bloc = _bloc(certification, code.split(".")[0])
    return next(c for c in bloc.competences if c.code == code)


@pytest.fixture
def add_version():
    """``add_version(deliverable, number, files=[(bytes, name)], submitted_at=None)``."""
    from portfolio.evidence.models import DeliverableVersion
    from portfolio.files.services import attach, receive_upload

    def make(deliverable, number, files, submitted_at=None, due_at=None):
        version = DeliverableVersion(deliverable_id=deliverable.id, number=number, submitted_at=submitted_at,
                                     due_at=due_at)
        db.session.add(version)
        db.session.flush()
        for position, (data, name) in enumerate(files):
            stored, clean = receive_upload(io.BytesIO(data), name)
            attach(stored, clean, position=position, version=version)
        return version

    return make


@pytest.fixture
def make_session(certification):
    """``make_session(members=[(user, role, is_academic, is_professional)], enrolments=[...])``."""
    from portfolio.juries.models import JuryCandidate, JuryMember, JurySession

    def make(members=(), enrolments=(), route="training", day=date(2026, 6, 12), place="Paris, ESRA",
             status="open"):
        session = JurySession(certification_id=certification.id, route=route, date=day, place=place, status=status)
        db.session.add(session)
        db.session.flush()
        for user, role, academic, professional in members:
            db.session.add(JuryMember(session_id=session.id, user_id=user.id, role=role, is_academic=academic,
                                      is_professional=professional))
        for enrolment in enrolments:
            db.session.add(JuryCandidate(session_id=session.id, enrolment_id=enrolment.id, attendance="present"))
        db.session.commit()
        return session

    return make


@pytest.fixture
def decide(certification):
    """``decide(session, enrolment, "BC05", "validated", comment=..., recommendations=..., casting=False)``."""
    from portfolio.juries.models import BlocDecision

    def make(session, enrolment, bloc_code, decision, comment="", recommendations=None, casting=False, by=None):
        row = BlocDecision(session_id=session.id, enrolment_id=enrolment.id, bloc_id=_bloc(certification, bloc_code).id,
                           decision=decision, comment=comment, recommendations=recommendations,
                           is_casting_vote=casting, decided_by_id=getattr(by, "id", None))
        db.session.add(row)
        db.session.flush()
        return row

    return make


@pytest.fixture
def close_session():
    """``close_session(session, by=None)``: the session closed, as its president would."""
    def close(session, by=None):
        session.status = "closed"
        session.closed_at = datetime.now(UTC)
        session.closed_by_id = getattr(by, "id", None)
        db.session.commit()

    return close


@pytest.fixture
def jury_world(certification, make_user, make_enrolment, make_session, decide, add_version):
    """A training-route candidate with a portfolio, in an open session of three members, with decisions."""
    from portfolio.accommodations.models import Accommodation
    from portfolio.annotations.models import Annotation
    from portfolio.assessments.models import Assessment
    from portfolio.evidence.models import CompetenceTag, Deliverable
    from portfolio.files.services import attach, receive_upload
    from portfolio.grading.models import AgreedGrade, Grade, Marking
    from portfolio.records.models import Internship, LanguageCertificate

    admin = make_user("admin", name="Alice Admin")
    president = make_user("jury", name="Anne Martin")
    secretary = make_user("jury", name="Paul Lefèvre")
    member = make_user("jury", name="Chloé Bernard")
    outsider = make_user("jury", name="Oscar Outsider")
    first = make_user("assessor", name="Hélène First")
    second = make_user("assessor", name="Marc Second")
    candidate = make_user("candidate", name="Camille Durand")
    other = make_user("candidate", name="Bruno Autre")
    enrolment = make_enrolment(candidate=candidate, assessors=[first, second])
    other_enrolment = make_enrolment(candidate=other)
    stranger_enrolment = make_enrolment(candidate=make_user("candidate", name="Zoé Ailleurs"))

    now = datetime.now(UTC).replace(microsecond=0)
    assessment = Assessment(certification_id=certification.id, bloc_id=_bloc(certification, "BC05").id,
                            code="BC05-DOSSIER", title="Dossier de production", kind="written_oral",
                            deliverable_types=["production_dossier"], opens_at=now - timedelta(days=20),
                            due_at=now - timedelta(days=10), markers=2)
    db.session.add(assessment)
    db.session.flush()
    db.session.add(Accommodation(enrolment_id=enrolment.id, kind="extra_time", extra_time_percent=50,
                                 valid_from=(now - timedelta(days=60)).date(), basis="disability",
                                 notes="SECRET-REASON wheelchair access"))

    dossier = Deliverable(enrolment_id=enrolment.id, assessment_id=assessment.id, title="Dossier de production",
                          type="production_dossier")
    synopsis = Deliverable(enrolment_id=enrolment.id, title="Synopsis: long métrage", type="synopsis")
    draft_only = Deliverable(enrolment_id=enrolment.id, title="Brouillon jamais soumis", type="other")
    db.session.add_all([dossier, synopsis, draft_only])
    db.session.flush()
    for deliverable, codes in ((dossier, ["BC05.1", "BC05.2"]), (synopsis, ["BC07.1"])):
        for code in codes:
            db.session.add(CompetenceTag(deliverable_id=deliverable.id,
                                         competence_id=_competence(certification, code).id,
                                         justification=f"Shows {code}"))
    files = {
        "v1": pdf_bytes("dossier v1"), "v2": pdf_bytes("dossier v2"), "mood": png_bytes(7),
        "draft": pdf_bytes("dossier v3 draft"), "synopsis": pdf_bytes("synopsis"),
        "never": pdf_bytes("never submitted"), "agreement": pdf_bytes("convention de stage"),
        "toeic": pdf_bytes("toeic"),
    }
    add_version(dossier, 1, [(files["v1"], "dossier.pdf")], submitted_at=now - timedelta(days=15))
    v2 = add_version(dossier, 2, [(files["v2"], "dossier.pdf"), (files["mood"], "moodboard.png")],
                     submitted_at=now - timedelta(days=8), due_at=now - timedelta(days=5))
    add_version(dossier, 3, [(files["draft"], "dossier.pdf")])
    add_version(synopsis, 1, [(files["synopsis"], "synopsis.pdf")], submitted_at=now - timedelta(days=3))
    add_version(draft_only, 1, [(files["never"], "brouillon.pdf")])

    internship = Internship(enrolment_id=enrolment.id, organisation="Les Films du Nord",
                            start_date=date(2025, 3, 3), end_date=date(2025, 7, 4))
    certificate = LanguageCertificate(enrolment_id=enrolment.id, level="B2", test="TOEIC", date=date(2025, 1, 10))
    db.session.add_all([internship, certificate])
    db.session.flush()
    stored, name = receive_upload(io.BytesIO(files["agreement"]), "convention.pdf")
    attach(stored, name, internship=internship)
    stored, name = receive_upload(io.BytesIO(files["toeic"]), "toeic.pdf")
    attach(stored, name, language_certificate=certificate)

    bc051 = _competence(certification, "BC05.1")
    marking1 = Marking(version_id=v2.id, assessor_id=first.id, role="first", released_at=now, feedback="Solide.",
                       grades=[Grade(competence_id=bc051.id, level="acquired", comment="Budget cohérent")])
    marking2 = Marking(version_id=v2.id, assessor_id=second.id, role="second", released_at=now,
                       grades=[Grade(competence_id=bc051.id, level="in_progress",
                                     comment="Plan de financement fragile")])
    unreleased = Marking(version_id=v2.id, assessor_id=make_user("assessor").id, role="third",
                         grades=[Grade(competence_id=bc051.id, level="mastered", comment="SECRET-DRAFT-GRADE")])
    db.session.add_all([marking1, marking2, unreleased])
    db.session.flush()
    db.session.add(AgreedGrade(version_id=v2.id, competence_id=bc051.id, level="acquired",
                               comment="Accord après concertation", settled_by_id=first.id))
    pdf_attachment = v2.files[0]
    db.session.add(Annotation(deliverable_id=dossier.id, attachment_id=pdf_attachment.id, marking_id=marking1.id,
                              author_id=first.id, motivation="assessing", body="Le devis page 3 est incomplet",
                              competence_id=bc051.id, selector_type="FragmentSelector",
                              selector={"type": "FragmentSelector", "conformsTo": "http://tools.ietf.org/rfc/rfc3778",
                                        "value": "page=3&viewrect=10,20,100,50"}, page=3))
    db.session.add(Annotation(deliverable_id=dossier.id, attachment_id=pdf_attachment.id, marking_id=unreleased.id,
                              author_id=unreleased.assessor_id, motivation="commenting", body="SECRET-DRAFT-NOTE",
                              selector_type="FragmentSelector", selector={"value": "page=1"}, page=1))
    db.session.commit()

    session = make_session(members=[(president, "president", True, False), (secretary, "secretary", False, False),
                                    (member, "member", False, True)],
                           enrolments=[enrolment, other_enrolment])
    decide(session, enrolment, "BC05", "validated", comment="Dossier convaincant", by=president)
    decide(session, enrolment, "BC07", "not_validated", comment="Synopsis à retravailler",
           recommendations="Réécrire la continuité dialoguée", casting=True, by=president)
    decide(session, other_enrolment, "BC01", "validated", comment="Très bon rapport", by=president)
    db.session.commit()
    return SimpleNamespace(
        admin=admin, president=president, secretary=secretary, member=member, outsider=outsider, first=first,
        candidate=candidate, other=other, enrolment=enrolment, other_enrolment=other_enrolment,
        stranger_enrolment=stranger_enrolment, session=session, files=files, assessment=assessment,
        dossier=dossier, synopsis=synopsis, internship=internship, v2=v2,
    )
