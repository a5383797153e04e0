"""Bloc status rules on their edge cases, and the set-based computation."""
from __future__ import annotations

from datetime import date

import pytest
from grading_helpers import hours_ago, new_version
from sqlalchemy import event

from portfolio.extensions import db
from portfolio.grading import services
from portfolio.grading.status import bloc_statuses, jury_bloc_decisions

BC05 = ("BC05.1", "BC05.2", "BC05.3", "BC05.4", "BC05.5")

pytestmark = pytest.mark.usefixtures("english_texts")


def statuses_of(enrolment) -> dict:
    return {s.bloc: s for s in bloc_statuses([enrolment.id])[enrolment.id]}


def reason_codes(status) -> list[tuple[str, str | None]]:
    return [(r["code"], r.get("competence") or r.get("prerequisite") or r.get("option")) for r in status.reasons]


def add_certificate(enrolment, level):
    from portfolio.records.models import LanguageCertificate

    db.session.add(LanguageCertificate(enrolment_id=enrolment.id, level=level, test="TOEIC", date=date(2025, 1, 10)))
    db.session.commit()


def test_nothing_graded_every_needed_bloc_is_not_started(people):
    statuses = statuses_of(people.enrolment)
    assert list(statuses) == ["BC01", "BC02", "BC03", "BC04", "BC05", "BC06", "BC07"]  # the option's bloc only
    assert {s.status for s in statuses.values()} == {"not_started"}
    bc05 = statuses["BC05"]
    assert (bc05.acquired, bc05.total) == (0, 5)
    assert reason_codes(bc05) == [("competence_not_graded", code) for code in BC05]


def test_option_not_chosen_lists_both_option_blocs_and_never_proposes_them(make_enrolment, make_assessment,
                                                                             make_deliverable, grade_as, make_user):
    assessor = make_user("assessor")
    enrolment = make_enrolment(option=None, assessors=[assessor])
    statuses = statuses_of(enrolment)
    assert [code for code in statuses if code in ("BC07", "BC08")] == ["BC07", "BC08"]
    assert ("option_not_chosen", "scenario-realisation") in reason_codes(statuses["BC07"])
    assert ("option_not_chosen", "production-distribution") in reason_codes(statuses["BC08"])

    bc07 = next(b for b in enrolment.certification.blocs if b.code == "BC07")
    codes = [c.code for c in bc07.competences]
    deliverable = make_deliverable(enrolment, make_assessment("BC07"))
    grade_as(assessor, deliverable, dict.fromkeys(codes, "acquired"))
    status = statuses_of(enrolment)["BC07"]
    assert (status.acquired, status.total) == (len(codes), len(codes))
    assert status.status == "in_progress"
    assert reason_codes(status) == [("option_not_chosen", "scenario-realisation")]

    enrolment.option = "scenario-realisation"
    db.session.commit()
    statuses = statuses_of(enrolment)
    assert "BC08" not in statuses
    assert statuses["BC07"].status == "proposed" and statuses["BC07"].reasons == []


def test_all_competences_acquired_proposes_the_bloc(people, make_assessment, make_deliverable, grade_as):
    deliverable = make_deliverable(people.enrolment, make_assessment("BC05"))
    grade_as(people.a1, deliverable, {**dict.fromkeys(BC05, "acquired"), "BC05.3": "mastered"})
    status = statuses_of(people.enrolment)["BC05"]
    assert status.status == "proposed"
    assert (status.acquired, status.total, status.reasons) == (5, 5, [])


def test_one_competence_short_is_in_progress_and_names_it(people, make_assessment, make_deliverable, grade_as):
    deliverable = make_deliverable(people.enrolment, make_assessment("BC05"))
    grade_as(people.a1, deliverable, {**dict.fromkeys(BC05, "acquired"), "BC05.4": "in_progress"})
    status = statuses_of(people.enrolment)["BC05"]
    assert status.status == "in_progress"
    assert status.acquired == 4
    assert reason_codes(status) == [("competence_not_acquired", "BC05.4")]
    assert "BC05.4" in status.reasons[0]["message"]


def test_a_draft_marking_counts_for_nothing(people, make_assessment, make_deliverable, grade_as):
    deliverable = make_deliverable(people.enrolment, make_assessment("BC05"))
    grade_as(people.a1, deliverable, dict.fromkeys(BC05, "acquired"), release=False)
    assert statuses_of(people.enrolment)["BC05"].status == "not_started"


def test_bc03_needs_a_b2_language_certificate(people, make_assessment, make_deliverable, grade_as):
    deliverable = make_deliverable(people.enrolment, make_assessment("BC03"))
    grade_as(people.a1, deliverable, {"BC03.1": "acquired", "BC03.2": "mastered"})
    status = statuses_of(people.enrolment)["BC03"]
    assert status.status == "in_progress"
    assert (status.acquired, status.total) == (2, 2)
    assert reason_codes(status) == [("prerequisite_missing", "language")]
    assert "B2" in status.reasons[0]["message"]

    add_certificate(people.enrolment, "B1")
    assert statuses_of(people.enrolment)["BC03"].status == "in_progress"
    add_certificate(people.enrolment, "C1")
    status = statuses_of(people.enrolment)["BC03"]
    assert status.status == "proposed" and status.reasons == []


def test_b2_exactly_meets_the_prerequisite(people, make_assessment, make_deliverable, grade_as):
    add_certificate(people.enrolment, "B2")
    deliverable = make_deliverable(people.enrolment, make_assessment("BC03"))
    grade_as(people.a1, deliverable, {"BC03.1": "acquired", "BC03.2": "acquired"})
    assert statuses_of(people.enrolment)["BC03"].status == "proposed"


def test_a_later_not_acquired_after_an_acquired_means_not_acquired(people, make_assessment, make_deliverable,
                                                                   grade_as):
    assessment = make_assessment("BC05")
    deliverable = make_deliverable(people.enrolment, assessment)
    grade_as(people.a1, deliverable, dict.fromkeys(BC05, "acquired"), at=hours_ago(5))
    assert statuses_of(people.enrolment)["BC05"].status == "proposed"
    version = new_version(deliverable)
    grade_as(people.a1, deliverable, {**dict.fromkeys(BC05, "acquired"), "BC05.2": "not_acquired"}, version=version)
    status = statuses_of(people.enrolment)["BC05"]
    assert status.status == "in_progress"
    assert reason_codes(status) == [("competence_not_acquired", "BC05.2")]
    assert next(c for c in status.competences if c.code == "BC05.2").level == "not_acquired"


def test_a_later_acquired_after_a_not_acquired_means_acquired(people, make_assessment, make_deliverable, grade_as):
    first = make_deliverable(people.enrolment, make_assessment("BC05"))
    grade_as(people.a1, first, {**dict.fromkeys(BC05, "acquired"), "BC05.2": "not_acquired"}, at=hours_ago(3))
    other = make_deliverable(people.enrolment, make_assessment("BC05", ranks=(2,)))
    grade_as(people.a2, other, {"BC05.2": "acquired"})
    assert statuses_of(people.enrolment)["BC05"].status == "proposed"


def test_the_latest_release_wins_whatever_the_version_order(people, make_assessment, make_deliverable, grade_as):
    # Released later, on an older deliverable: it is the most recent evaluation.
    older = make_deliverable(people.enrolment, make_assessment("BC05", ranks=(1,)))
    newer = make_deliverable(people.enrolment, make_assessment("BC05", ranks=(1,)))
    grade_as(people.a1, newer, {"BC05.1": "acquired"}, at=hours_ago(4))
    grade_as(people.a2, older, {"BC05.1": "not_acquired"}, at=hours_ago(1))
    state = next(c for c in statuses_of(people.enrolment)["BC05"].competences if c.code == "BC05.1")
    assert state.level == "not_acquired"


# --- double marking --------------------------------------------------------------------------------

@pytest.fixture
def double(people, make_assessment, make_deliverable):
    return make_deliverable(people.enrolment, make_assessment("BC05", markers=2, ranks=(1, 2)))


def test_double_marking_counts_only_once_both_are_released(people, double, grade_as):
    grade_as(people.a1, double, {"BC05.1": "acquired", "BC05.2": "acquired"})
    status = statuses_of(people.enrolment)["BC05"]
    assert status.status == "not_started" and status.acquired == 0
    grade_as(people.a2, double, {"BC05.1": "acquired", "BC05.2": "acquired"}, release=False)
    assert statuses_of(people.enrolment)["BC05"].acquired == 0
    services.release_marking(services.marking_of(double.latest_submitted, people.a2), actor=people.a2)
    db.session.commit()
    assert statuses_of(people.enrolment)["BC05"].acquired == 2


def test_double_marking_unsettled_is_not_acquired(people, double, grade_as):
    grade_as(people.a1, double, {"BC05.1": "acquired", "BC05.2": "mastered"})
    grade_as(people.a2, double, {"BC05.1": "not_acquired", "BC05.2": "mastered"})
    status = statuses_of(people.enrolment)["BC05"]
    assert status.status == "in_progress"
    assert status.acquired == 1  # BC05.2: both gave "mastered"
    assert ("double_marking_unsettled", "BC05.1") in reason_codes(status)
    bc05_1 = next(c for c in status.competences if c.code == "BC05.1")
    assert bc05_1.is_unsettled and bc05_1.level is None


def test_two_acquired_levels_that_differ_still_diverge(people, double, grade_as):
    # "acquired" against "mastered" is a divergence on the scale; it must be settled too.
    grade_as(people.a1, double, {"BC05.1": "acquired", "BC05.2": "acquired"})
    grade_as(people.a2, double, {"BC05.1": "mastered", "BC05.2": "acquired"})
    status = statuses_of(people.enrolment)["BC05"]
    assert ("double_marking_unsettled", "BC05.1") in reason_codes(status)
    assert status.acquired == 1


def test_an_agreed_grade_settles_the_divergence(people, double, grade_as):
    grade_as(people.a1, double, {"BC05.1": "acquired", "BC05.2": "acquired"})
    grade_as(people.a2, double, {"BC05.1": "not_acquired", "BC05.2": "acquired"})
    services.record_agreed_grade(double.latest_submitted, "BC05.1", "acquired", "We agree", actor=people.a2)
    db.session.commit()
    status = statuses_of(people.enrolment)["BC05"]
    assert status.acquired == 2
    assert not [r for r in status.reasons if r.get("competence") in ("BC05.1", "BC05.2")]


def test_a_third_assessor_settles_and_their_level_wins(people, double, grade_as):
    grade_as(people.a1, double, {"BC05.1": "acquired", "BC05.2": "acquired"})
    grade_as(people.a2, double, {"BC05.1": "not_acquired", "BC05.2": "acquired"})
    third = grade_as(people.a3, double, {"BC05.1": "not_acquired", "BC05.2": "not_acquired"})
    assert third.role == "third"
    status = statuses_of(people.enrolment)["BC05"]
    levels = {c.code: c.level for c in status.competences}
    # BC05.1 diverged: the third's level wins; BC05.2 did not: the common level stays.
    assert levels["BC05.1"] == "not_acquired" and levels["BC05.2"] == "acquired"
    assert ("competence_not_acquired", "BC05.1") in reason_codes(status)


def test_a_third_assessor_draft_does_not_settle(people, double, grade_as):
    grade_as(people.a1, double, {"BC05.1": "acquired", "BC05.2": "acquired"})
    grade_as(people.a2, double, {"BC05.1": "not_acquired", "BC05.2": "acquired"})
    grade_as(people.a3, double, {"BC05.1": "acquired", "BC05.2": "acquired"}, release=False)
    assert ("double_marking_unsettled", "BC05.1") in reason_codes(statuses_of(people.enrolment)["BC05"])


# --- set-based -------------------------------------------------------------------------------------

def _count_statements(fn) -> int:
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return len(statements)


def test_bloc_statuses_runs_the_same_statements_for_1_or_many_enrolments(make_enrolment, make_assessment,
                                                                         make_deliverable, grade_as, make_user):
    assessor = make_user("assessor")
    assessment = make_assessment("BC05", ranks=(1,))
    enrolments = [make_enrolment(assessors=[assessor]) for _ in range(6)]
    for enrolment in enrolments:
        grade_as(assessor, make_deliverable(enrolment, assessment), {"BC05.1": "acquired"})
    ids = [e.id for e in enrolments]
    db.session.expire_all()
    one = _count_statements(lambda: bloc_statuses(ids[:1]))
    many = _count_statements(lambda: bloc_statuses(ids))
    assert one == many <= 6
    result = bloc_statuses(ids)
    assert all(next(s for s in result[eid] if s.bloc == "BC05").acquired == 1 for eid in ids)


def test_bloc_statuses_accepts_a_select_of_ids(people, make_assessment, make_deliverable, grade_as):
    from sqlalchemy import select

    from portfolio.enrolments.models import Enrolment

    grade_as(people.a1, make_deliverable(people.enrolment, make_assessment("BC05")), dict.fromkeys(BC05, "acquired"))
    result = bloc_statuses(select(Enrolment.id).where(Enrolment.id == people.enrolment.id))
    assert next(s for s in result[people.enrolment.id] if s.bloc == "BC05").status == "proposed"
    assert bloc_statuses([]) == {}


def test_no_jury_decision_yet(people):
    assert jury_bloc_decisions([people.enrolment.id]) == {}
