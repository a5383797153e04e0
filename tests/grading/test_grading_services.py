"""Grading services: drafts refused, the scale, the audit trail, release and its mail, locking, blind double
marking, agreed grades."""
from __future__ import annotations

import pytest
from grading_helpers import add_file
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from portfolio import mail
from portfolio.audit.models import AuditEntry
from portfolio.extensions import db
from portfolio.grading import services
from portfolio.grading.models import Grade, Marking
from portfolio.grading.services import GradeInput, GradingConflict, InvalidGrade, StaleMarking

pytestmark = pytest.mark.usefixtures("english_texts")


@pytest.fixture
def single(people, make_assessment, make_deliverable):
    return make_deliverable(people.enrolment, make_assessment("BC05", ranks=(1, 2)), tags=("BC05.3",))


@pytest.fixture(autouse=True)
def empty_outbox():
    mail.outbox.clear()
    yield
    mail.outbox.clear()


def audit_actions(target_type: str, target_id: int) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.target_type == target_type,
                                                            AuditEntry.target_id == target_id)
                                   .order_by(AuditEntry.id)))


def test_gradable_competences_are_the_tags_and_the_assessment_s(single):
    assert [c.code for c in services.gradable_competences(single)] == ["BC05.1", "BC05.2", "BC05.3"]


def test_a_draft_version_cannot_be_graded(people, make_assessment, make_deliverable):
    draft = make_deliverable(people.enrolment, make_assessment("BC05"), submitted=False)
    with pytest.raises(GradingConflict) as caught:
        services.gradable_version(draft)
    assert caught.value.status == 409
    with pytest.raises(GradingConflict):
        services.open_marking(draft.latest, people.a1)
    assert db.session.scalar(select(Marking).where(Marking.version_id == draft.latest.id)) is None


def test_level_off_the_scale_and_foreign_competences_are_refused(people, single):
    version = single.latest_submitted
    with pytest.raises(InvalidGrade, match="excellent"):
        services.grade(version, people.a1, [GradeInput("BC05.1", "excellent")], actor=people.a1)
    db.session.rollback()
    with pytest.raises(InvalidGrade, match="not a competence of RNCP41241"):
        services.grade(version, people.a1, [GradeInput("BC99.1", "acquired")], actor=people.a1)
    db.session.rollback()
    with pytest.raises(InvalidGrade, match="neither claimed"):
        services.grade(version, people.a1, [GradeInput("BC01.1", "acquired")], actor=people.a1)
    db.session.rollback()
    with pytest.raises(InvalidGrade, match="mark"):
        services.grade(version, people.a1, [], mark="21", actor=people.a1)
    db.session.rollback()
    assert db.session.scalar(select(Grade.id).join(Marking).where(Marking.version_id == version.id)) is None


def test_full_codes_are_accepted(people, single):
    marking, created = services.grade(single.latest_submitted, people.a1,
                                      [GradeInput("RNCP41241BC05.1", "mastered")], mark="14,5", actor=people.a1)
    assert created and [(g.competence.code, g.level) for g in marking.grades] == [("BC05.1", "mastered")]
    assert str(marking.mark) == "14.50"


def test_every_grade_change_and_the_release_are_audited(people, single):
    version = single.latest_submitted
    marking, _ = services.grade(version, people.a1, [GradeInput("BC05.1", "acquired", "Solid"),
                                                     GradeInput("BC05.2", "in_progress")], actor=people.a1)
    db.session.commit()
    grade_ids = {g.competence.code: g.id for g in marking.grades}
    services.save_marking(marking, [GradeInput("BC05.1", "mastered", "Even better"), GradeInput("BC05.2", None)],
                          expected_lock_version=marking.lock_version, actor=people.a1)
    db.session.commit()
    created = audit_actions("grade", grade_ids["BC05.1"])
    assert [e.action for e in created] == ["grade.create", "grade.update"]
    assert created[1].before["level"] == "acquired" and created[1].after == {
        "marking": marking.id, "version": version.id, "competence": "BC05.1", "level": "mastered",
        "comment": "Even better"}
    deleted = audit_actions("grade", grade_ids["BC05.2"])
    assert [e.action for e in deleted] == ["grade.create", "grade.delete"]
    assert deleted[1].before["level"] == "in_progress" and deleted[1].after is None
    assert all(e.actor_id == people.a1.id for e in created + deleted)

    services.save_marking(marking, [GradeInput("BC05.2", "acquired"), GradeInput("BC05.3", "acquired")],
                          actor=people.a1)
    services.release_marking(marking, actor=people.a1)
    db.session.commit()
    release = [e for e in audit_actions("marking", marking.id) if e.action == "marking.release"]
    assert len(release) == 1 and release[0].before == {"released_at": None}
    assert release[0].after["grades"] == {"BC05.1": "mastered", "BC05.2": "acquired", "BC05.3": "acquired"}


def test_release_needs_every_competence_and_is_final(people, single):
    marking, _ = services.grade(single.latest_submitted, people.a1, [GradeInput("BC05.1", "acquired")],
                                actor=people.a1)
    with pytest.raises(InvalidGrade, match="BC05.2, BC05.3"):
        services.release_marking(marking, actor=people.a1)
    services.save_marking(marking, [GradeInput("BC05.2", "acquired"), GradeInput("BC05.3", "not_acquired")],
                          actor=people.a1)
    services.release_marking(marking, actor=people.a1)
    db.session.commit()
    with pytest.raises(GradingConflict, match="released"):
        services.save_marking(marking, [GradeInput("BC05.1", "not_acquired")], actor=people.a1)
    with pytest.raises(GradingConflict):
        services.release_marking(marking, actor=people.a1)


def test_release_mails_the_candidate_a_link_on_the_external_url(app, people, single, grade_as):
    grade_as(people.a1, single, {"BC05.1": "acquired", "BC05.2": "acquired", "BC05.3": "mastered"})
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message["To"] == people.candidate.email
    body = message.get_content()
    assert app.config["EXTERNAL_URL"].rstrip("/") + f"/deliverables/{single.id}" in body
    assert single.title in message["Subject"]


def test_a_stale_lock_version_is_refused_and_changes_nothing(people, single):
    marking, _ = services.grade(single.latest_submitted, people.a1, [GradeInput("BC05.1", "acquired", "First")],
                                actor=people.a1)
    db.session.commit()
    base = marking.lock_version
    services.save_marking(marking, [GradeInput("BC05.1", "mastered", "Tab one")], expected_lock_version=base,
                          actor=people.a1)
    db.session.commit()
    with pytest.raises(StaleMarking) as caught:
        services.save_marking(marking, [GradeInput("BC05.1", "not_acquired", "Tab two")],
                              expected_lock_version=base, actor=people.a1)
    assert caught.value.status == 409 and "Nothing was saved" in str(caught.value)
    db.session.rollback()
    grade = db.session.scalar(select(Grade).where(Grade.marking_id == marking.id))
    assert (grade.level, grade.comment) == ("mastered", "Tab one")


def test_a_concurrent_change_behind_the_session_is_detected_at_flush(people, single):
    marking, _ = services.grade(single.latest_submitted, people.a1, [GradeInput("BC05.1", "acquired", "Mine")],
                                actor=people.a1)
    db.session.commit()
    loaded = marking.lock_version
    # Another request saves and commits meanwhile; this session still holds the copy it loaded before.
    db.session.execute(update(Marking.__table__).where(Marking.__table__.c.id == marking.id)
                       .values(lock_version=loaded + 1, feedback="theirs"))
    db.session.commit()
    set_committed_value(marking, "lock_version", loaded)
    set_committed_value(marking, "feedback", "")
    with pytest.raises(StaleMarking):
        services.save_marking(marking, [GradeInput("BC05.1", "not_acquired", "Overwrite?")],
                              expected_lock_version=loaded, actor=people.a1)
    db.session.rollback()
    db.session.expire_all()
    fresh = db.session.get(Marking, marking.id)
    assert fresh.feedback == "theirs" and [g.level for g in fresh.grades] == ["acquired"]


def test_grade_with_lock_zero_refuses_when_a_marking_appeared(people, single):
    services.grade(single.latest_submitted, people.a1, [GradeInput("BC05.1", "acquired")], actor=people.a1)
    db.session.commit()
    with pytest.raises(StaleMarking):
        services.grade(single.latest_submitted, people.a1, [GradeInput("BC05.1", "not_acquired")],
                       expected_lock_version=0, actor=people.a1)


# --- double marking --------------------------------------------------------------------------------

@pytest.fixture
def double(people, make_assessment, make_deliverable):
    deliverable = make_deliverable(people.enrolment, make_assessment("BC05", markers=2, ranks=(1, 2)))
    return deliverable


def test_roles_first_second_third_then_no_more(people, double, make_user, make_enrolment):
    version = double.latest_submitted
    roles = [services.open_marking(version, a)[0].role for a in (people.a1, people.a2, people.a3)]
    assert roles == ["first", "second", "third"]
    assert services.open_marking(version, people.a2) == (services.marking_of(version, people.a2), False)
    fourth = make_user("assessor")
    with pytest.raises(GradingConflict, match="Three assessors"):
        services.open_marking(version, fourth)


def test_double_marking_is_blind_until_both_are_released(people, double, grade_as):
    levels = {"BC05.1": "acquired", "BC05.2": "acquired"}
    grade_as(people.a1, double, levels)
    grade_as(people.a2, double, {**levels, "BC05.2": "not_acquired"}, release=False)

    def seen_by(user):
        return {(g["role"], g["competence"]) for g in services.grades_json(double, user)}

    assert seen_by(people.a2) == {("second", "BC05.1"), ("second", "BC05.2")}  # not the first's released marking
    assert seen_by(people.a1) == {("first", "BC05.1"), ("first", "BC05.2")}
    assert seen_by(people.candidate) == set()
    assert len(mail.outbox) == 0  # nothing to read yet: no mail
    assert services.divergences(double.latest_submitted) == []

    services.release_marking(services.marking_of(double.latest_submitted, people.a2), actor=people.a2)
    db.session.commit()
    assert len(mail.outbox) == 1
    assert {role for role, _c in seen_by(people.candidate)} == {"first", "second"}
    assert {role for role, _c in seen_by(people.a2)} == {"first", "second"}
    rows = services.divergences(double.latest_submitted)
    assert [(d.competence.code, d.is_divergent, d.is_settled) for d in rows] == [
        ("BC05.1", False, True), ("BC05.2", True, False)]


def test_blind_annotations_and_every_annotation_stays_attributed(people, double, grade_as):
    from portfolio.annotations.models import Annotation

    version = double.latest_submitted
    attachment = version.files[0]
    notes = {}
    for assessor in (people.a1, people.a2):
        marking, _ = services.open_marking(version, assessor)
        annotation = Annotation(deliverable_id=double.id, attachment_id=attachment.id, marking_id=marking.id,
                                author_id=assessor.id, body=f"Note by {assessor.name}",
                                selector_type="FragmentSelector", selector={"value": "page=1"}, page=1)
        db.session.add(annotation)
        db.session.flush()
        notes[assessor.id] = annotation.id
    db.session.commit()

    def visible(user):
        return {a.id for a in services.visible_annotations(double, user)}

    assert visible(people.a1) == {notes[people.a1.id]}
    assert visible(people.a2) == {notes[people.a2.id]}
    assert visible(people.candidate) == set()
    assert visible(people.admin) == set(notes.values())
    grade_as(people.a1, double, {"BC05.1": "acquired", "BC05.2": "acquired"})
    assert visible(people.a2) == {notes[people.a2.id]}
    grade_as(people.a2, double, {"BC05.1": "acquired", "BC05.2": "acquired"})
    assert visible(people.a2) == visible(people.candidate) == set(notes.values())
    authors = {a.author.name for a in services.visible_annotations(double, people.candidate)}
    assert authors == {"Assessor One", "Assessor Two"}


def test_agreed_grade_rules(people, double, grade_as, make_user):
    version = double.latest_submitted
    grade_as(people.a1, double, {"BC05.1": "acquired", "BC05.2": "acquired"})
    with pytest.raises(GradingConflict, match="both markings"):
        services.record_agreed_grade(version, "BC05.1", "acquired", actor=people.a1)
    grade_as(people.a2, double, {"BC05.1": "in_progress", "BC05.2": "acquired"})
    with pytest.raises(services.GradingError) as caught:
        services.record_agreed_grade(version, "BC05.1", "acquired", actor=people.a3)
    assert caught.value.status == 403
    with pytest.raises(GradingConflict, match="same level"):
        services.record_agreed_grade(version, "BC05.2", "acquired", actor=people.a1)
    with pytest.raises(InvalidGrade):
        services.record_agreed_grade(version, "BC05.1", "great", actor=people.a1)
    agreed = services.record_agreed_grade(version, "BC05.1", "in_progress", "Not yet", actor=people.a1)
    db.session.commit()
    assert (agreed.level, agreed.settled_by_id) == ("in_progress", people.a1.id)
    entry = audit_actions("agreed_grade", agreed.id)[0]
    assert entry.before == {"first": "acquired", "second": "in_progress"} and entry.after["level"] == "in_progress"
    with pytest.raises(GradingConflict, match="already been settled"):
        services.record_agreed_grade(version, "BC05.1", "acquired", actor=people.admin)
    # Admins may record one too.
    assert services.effective_levels(version)[agreed.competence_id] == "in_progress"


def test_files_of_other_versions_are_not_graded(people, single):
    # A marking is on one version; a new submitted version gets its own marking.
    from grading_helpers import new_version

    first, _ = services.grade(single.latest_submitted, people.a1, [GradeInput("BC05.1", "acquired")],
                              actor=people.a1)
    version = new_version(single)
    add_file(version, name="extra.pdf")
    second, created = services.grade(version, people.a1, [GradeInput("BC05.1", "mastered")], actor=people.a1)
    assert created and first.id != second.id and second.version_id == version.id
