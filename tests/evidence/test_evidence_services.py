"""The rules of deliverables: creation, files, tags, submission (frozen, late), new versions, locking."""
from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from evidence_files import pdf_bytes, png_bytes
from sqlalchemy import func, select, text

from portfolio.accommodations.models import Accommodation
from portfolio.audit.models import AuditEntry
from portfolio.evidence import services
from portfolio.evidence.models import Deliverable
from portfolio.evidence.services import EvidenceConflict, InvalidEvidence, StaleDeliverable
from portfolio.extensions import db
from portfolio.files.models import Attachment
from portfolio.files.services import RefusedFileType


def _files(*items):
    return [(io.BytesIO(data), name) for data, name in items]


# --- creating --------------------------------------------------------------------------------------

def test_training_route_needs_one_of_its_assessments_with_an_expected_type(student, make_assessment, certification,
                                                                            make_enrolment, make_user):
    with pytest.raises(InvalidEvidence) as info:
        services.create_deliverable(student.enrolment, title="Free", type_code="other")
    assert info.value.field == "assessment"
    with pytest.raises(InvalidEvidence) as info:
        services.create_deliverable(student.enrolment, title="Wrong type", type_code="thesis",
                                    assessment=student.assessment)
    assert info.value.field == "type"
    with pytest.raises(InvalidEvidence, match="Unknown deliverable type"):
        services.create_deliverable(student.enrolment, title="x", type_code="podcast", assessment=student.assessment)
    with pytest.raises(InvalidEvidence):
        services.create_deliverable(student.enrolment, title="   ", type_code="moodboard",
                                    assessment=student.assessment)
    # An assessment of another cohort, or of a bloc the option does not include, is not the candidate's.
    from portfolio.enrolments.services import get_or_create_cohort

    other = get_or_create_cohort("Another cohort", certification)
    foreign = make_assessment(cohort=other)
    bc08 = make_assessment(bloc="BC08", types=("budget",))
    for assessment, type_code in ((foreign, "moodboard"), (bc08, "budget")):
        with pytest.raises(InvalidEvidence) as info:
            services.create_deliverable(student.enrolment, title="x", type_code=type_code, assessment=assessment)
        assert info.value.field == "assessment"
    # An assessment for every cohort (no cohort) applies.
    shared = make_assessment(cohort=None, bloc="BC02", types=("thesis",))
    deliverable = services.create_deliverable(student.enrolment, title="Mémoire", type_code="thesis",
                                              assessment=shared, actor=student.candidate)
    assert [v.number for v in deliverable.versions] == [1] and deliverable.status == "draft"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "deliverable.create",
                                                      AuditEntry.target_id == deliverable.id)) is not None


def test_vae_candidates_may_put_forward_free_evidence(make_enrolment, make_user):
    enrolment = make_enrolment(candidate=make_user("candidate"), route="vae", option="production-distribution")
    deliverable = services.create_deliverable(enrolment, title="Attestation employeur", type_code="proof")
    assert deliverable.assessment is None and deliverable.latest.number == 1


# --- files and submission --------------------------------------------------------------------------

def test_submit_freezes_the_version_and_a_frozen_version_refuses_files(student, make_deliverable):
    deliverable = make_deliverable(student, files=[(pdf_bytes("a"), "dossier.pdf"), (png_bytes(1), "mood.png")])
    assert [a.name for a in deliverable.latest.files] == ["dossier.pdf", "mood.png"]
    assert [a.position for a in deliverable.latest.files] == [0, 1]
    version = services.submit(deliverable, actor=student.candidate)
    db.session.commit()
    assert version.is_frozen and version.submitted_at is not None and deliverable.status == "submitted"
    with pytest.raises(EvidenceConflict, match="frozen"):
        services.add_files(deliverable, _files((pdf_bytes("b"), "late.pdf")))
    with pytest.raises(EvidenceConflict, match="frozen"):
        services.remove_file(deliverable, version.files[0])
    with pytest.raises(EvidenceConflict, match="already been submitted"):
        services.submit(deliverable)
    with pytest.raises(EvidenceConflict):
        services.set_tags(deliverable, [("BC05.1", "")])
    db.session.rollback()
    assert len(db.session.get(Deliverable, deliverable.id).versions[0].files) == 2


def test_an_empty_version_cannot_be_submitted_and_files_can_be_removed_from_a_draft(student, make_deliverable):
    deliverable = make_deliverable(student)
    with pytest.raises(EvidenceConflict, match="at least one file"):
        services.submit(deliverable)
    services.add_files(deliverable, _files((pdf_bytes("c"), "a.pdf"), (pdf_bytes("d"), "b.pdf")))
    first = deliverable.latest.files[0]
    services.remove_file(deliverable, first)
    db.session.commit()
    assert [a.name for a in db.session.get(Deliverable, deliverable.id).latest.files] == ["b.pdf"]
    assert db.session.get(Attachment, first.id) is None


def test_refused_types_are_refused_for_the_deliverable_type(student, make_deliverable):
    deliverable = make_deliverable(student, type_code="moodboard")
    with pytest.raises(RefusedFileType, match="not accepted"):
        services.add_files(deliverable, _files((b"just some notes\n", "notes.txt")))
    with pytest.raises(InvalidEvidence):
        services.add_files(deliverable, [])


def test_on_time_and_late_against_the_assessment_due_date(student, make_assessment, make_deliverable):
    due = datetime(2026, 1, 30, 22, 59, tzinfo=UTC)
    assessment = make_assessment(opens_at=due - timedelta(days=100), due_at=due)
    on_time = make_deliverable(student, files=[(pdf_bytes("e"), "a.pdf")], assessment=assessment)
    version = services.submit(on_time, now=due - timedelta(minutes=1))
    assert version.due_at == due and version.is_late is False
    late = make_deliverable(student, files=[(pdf_bytes("f"), "b.pdf")], assessment=assessment, title="Late")
    version = services.submit(late, now=due + timedelta(minutes=1))
    assert version.due_at == due and version.is_late is True
    # Without a due date nothing is late.
    open_ended = make_assessment(opens_at=None, due_at=None)
    free = make_deliverable(student, files=[(pdf_bytes("g"), "c.pdf")], assessment=open_ended, title="Open")
    version = services.submit(free)
    assert version.due_at is None and version.is_late is False


def test_late_is_computed_against_the_candidate_extended_due_date(student, make_assessment, make_deliverable):
    opens = datetime(2025, 10, 6, 7, 0, tzinfo=UTC)
    due = datetime(2026, 1, 30, 22, 59, tzinfo=UTC)
    assessment = make_assessment(opens_at=opens, due_at=due)
    db.session.add(Accommodation(enrolment=student.enrolment, kind="extra_time", extra_time_percent=10,
                                 valid_from=date(2025, 9, 1), basis="disability"))
    db.session.commit()
    extended = due + (due - opens) * 0.10
    assert services.candidate_due_at(student.enrolment, assessment) == extended
    deliverable = make_deliverable(student, files=[(pdf_bytes("h"), "a.pdf")], assessment=assessment)
    # After the cohort's due date, but before the candidate's own: on time.
    version = services.submit(deliverable, now=due + timedelta(days=2))
    assert version.due_at == extended and version.is_late is False
    # A dated accommodation for this assessment wins; after it, late.
    db.session.add(Accommodation(enrolment=student.enrolment, kind="due_date", assessment=assessment,
                                 new_due_at=due + timedelta(days=1), valid_from=date(2025, 9, 1)))
    db.session.commit()
    other = make_deliverable(student, files=[(pdf_bytes("i"), "b.pdf")], assessment=assessment, title="Second")
    version = services.submit(other, now=due + timedelta(days=2))
    assert version.due_at == due + timedelta(days=1) and version.is_late is True


def test_a_new_version_after_submission_keeps_earlier_ones_frozen(student, make_deliverable):
    deliverable = make_deliverable(student, files=[(pdf_bytes("j"), "v1.pdf")])
    with pytest.raises(EvidenceConflict, match="still a draft"):
        services.open_new_version(deliverable)
    services.submit(deliverable)
    version = services.open_new_version(deliverable, actor=student.candidate)
    assert version.number == 2 and deliverable.status == "revising"
    services.add_files(deliverable, _files((pdf_bytes("k"), "v2.pdf")))
    services.submit(deliverable)
    db.session.commit()
    reloaded = db.session.get(Deliverable, deliverable.id)
    assert [(v.number, v.is_frozen, [a.name for a in v.files]) for v in reloaded.versions] == [
        (1, True, ["v1.pdf"]), (2, True, ["v2.pdf"])]
    assert reloaded.status == "submitted"


# --- tags ------------------------------------------------------------------------------------------

def test_tags_are_replaced_and_validated(student, make_deliverable, certification):
    deliverable = make_deliverable(student)
    services.set_tags(deliverable, [("BC05.1", "moodboard"), ("RNCP41241BC05.2", "pitch"), ("bc05.1", "again")],
                      actor=student.candidate)
    assert {t.competence.code: t.justification for t in deliverable.tags} == {"BC05.1": "moodboard",
                                                                               "BC05.2": "pitch"}
    services.set_tags(deliverable, [("BC05.2", "pitch deck"), ("BC07.1", "field survey")], actor=student.candidate)
    db.session.commit()
    tags = {t.competence.code: t.justification for t in db.session.get(Deliverable, deliverable.id).tags}
    assert tags == {"BC05.2": "pitch deck", "BC07.1": "field survey"}
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "deliverable.tags")
                               .order_by(AuditEntry.id)).all()
    assert audit[-1].before == {"BC05.1": "moodboard", "BC05.2": "pitch"}
    # Unknown codes, another certification's code, a bloc of the other option: all named, nothing changed.
    with pytest.raises(InvalidEvidence) as info:
        services.set_tags(deliverable, [("BC05.9", ""), ("RNCP99999BC05.1", ""), ("BC08.1", ""), ("BC05.1", "")])
    assert all(code in str(info.value) for code in ("BC05.9", "RNCP99999BC05.1", "BC08.1"))
    with pytest.raises(InvalidEvidence, match="too long"):
        services.set_tags(deliverable, [("BC05.1", "x" * 2001)])
    db.session.rollback()
    assert {t.competence.code for t in db.session.get(Deliverable, deliverable.id).tags} == {"BC05.2", "BC07.1"}
    services.set_tags(db.session.get(Deliverable, deliverable.id), [])
    assert db.session.get(Deliverable, deliverable.id).tags == []


def test_a_competence_row_of_another_certification_version_is_refused(student, make_deliverable):
    from portfolio.referential.models import Bloc, Certification, Competence

    other = Certification(code="RNCP00001", title="Other", content_hash="x" * 64)
    bloc = Bloc(certification=other, code="BC05", rank=5, title="Other bloc")
    foreign = Competence(bloc=bloc, code="BC05.1", rank=1, label="Other competence")
    db.session.add_all([other, bloc, foreign])
    db.session.flush()
    deliverable = make_deliverable(student)
    with pytest.raises(InvalidEvidence, match="RNCP00001BC05.1"):
        services.set_tags(deliverable, [(foreign, "")])


# --- optimistic locking ----------------------------------------------------------------------------

def test_a_stale_copy_is_refused_and_never_overwrites(student, make_deliverable):
    deliverable = make_deliverable(student, files=[(pdf_bytes("l"), "a.pdf")])
    seen = deliverable.lock_version
    services.set_tags(deliverable, [("BC05.1", "first")], expected_version=seen)
    db.session.commit()
    assert deliverable.lock_version == seen + 1
    for change in (
        lambda: services.set_tags(deliverable, [("BC05.2", "stale")], expected_version=seen),
        lambda: services.submit(deliverable, expected_version=seen),
        lambda: services.add_files(deliverable, _files((pdf_bytes("m"), "b.pdf")), expected_version=seen),
        lambda: services.open_new_version(deliverable, expected_version=seen),
    ):
        with pytest.raises(StaleDeliverable):
            change()
    db.session.rollback()
    reloaded = db.session.get(Deliverable, deliverable.id)
    assert [t.competence.code for t in reloaded.tags] == ["BC05.1"] and reloaded.latest.submitted_at is None


def test_a_concurrent_change_is_detected_at_flush(student, make_deliverable):
    deliverable = make_deliverable(student, files=[(pdf_bytes("n"), "a.pdf")])
    # Another request changed the row meanwhile (its lock version moved on under our feet).
    db.session.execute(text("UPDATE deliverable SET lock_version = lock_version + 1 WHERE id = :id"),
                       {"id": deliverable.id})
    with pytest.raises(StaleDeliverable):
        services.submit(deliverable)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Deliverable)
                             .where(Deliverable.id == deliverable.id)) == 1
    assert db.session.get(Deliverable, deliverable.id).latest.submitted_at is None
