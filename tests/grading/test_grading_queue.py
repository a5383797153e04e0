"""The assessor's queue: filters, counts, order, paging; bounded queries for the queue and progress pages."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from portfolio.enrolments.services import get_or_create_cohort
from portfolio.extensions import db
from portfolio.grading.queue import QueueFilters, assessor_queue

NOW = datetime.now(UTC)


@pytest.fixture
def queue_world(make_user, make_enrolment, make_assessment, make_deliverable, grade_as, certification):
    """Assessor A: five candidates in two cohorts; one deliverable per state. Assessor B: another candidate."""
    a, b, partner = make_user("assessor", name="A"), make_user("assessor", name="B"), make_user("assessor")
    north = get_or_create_cohort("Queue North", certification)
    south = get_or_create_cohort("Queue South", certification)
    single = make_assessment("BC05", ranks=(1,), code="Q-SINGLE")
    double = make_assessment("BC05", ranks=(1,), markers=2, code="Q-DOUBLE")
    enrol = {name: make_enrolment(candidate=make_user("candidate", name=name), cohort=cohort, assessors=[a, partner])
             for name, cohort in [("Ana", north), ("Ben", north), ("Cleo", south), ("Dan", south), ("Eve", north)]}
    d = {
        "to_grade": make_deliverable(enrol["Ana"], single, title="To grade", due_at=NOW + timedelta(days=3)),
        "late": make_deliverable(enrol["Ben"], single, title="Late one", due_at=NOW - timedelta(days=2),
                                 is_late=True),
        "draft": make_deliverable(enrol["Cleo"], single, title="Draft marking", due_at=NOW + timedelta(days=1)),
        "released": make_deliverable(enrol["Dan"], single, title="Released", due_at=NOW + timedelta(days=5)),
        "divergent": make_deliverable(enrol["Eve"], double, title="Divergent", due_at=NOW + timedelta(days=4)),
        "unsubmitted": make_deliverable(enrol["Ana"], single, title="Still a draft", submitted=False),
    }
    grade_as(a, d["draft"], {"BC05.1": "acquired"}, release=False)
    grade_as(a, d["released"], {"BC05.1": "acquired"})
    grade_as(a, d["divergent"], {"BC05.1": "acquired"})
    grade_as(partner, d["divergent"], {"BC05.1": "not_acquired"})
    other = make_enrolment(candidate=make_user("candidate", name="Zed"), assessors=[b])
    make_deliverable(other, single, title="Not A's")
    return a, b, d, north, south, single, double


def titles(page) -> list[str]:
    return [item.title for item in page.items]


def test_the_queue_lists_submitted_deliverables_by_due_date(queue_world):
    a, _b, _d, *_ = queue_world
    page = assessor_queue(a)
    assert titles(page) == ["Late one", "Draft marking", "To grade", "Divergent", "Released"]
    assert {item.title: item.status for item in page.items} == {
        "Late one": "to_grade", "Draft marking": "draft", "To grade": "to_grade", "Divergent": "divergent",
        "Released": "released"}
    assert page.counts["status"] == {"to_grade": 2, "draft": 1, "released": 1, "divergent": 1}
    assert page.counts["late"] == {"late": 1, "on_time": 4}
    assert page.total == 5


def test_filters_and_their_counts(queue_world):
    a, _b, _d, north, south, single, double = queue_world
    page = assessor_queue(a, QueueFilters(cohort=north.id))
    assert titles(page) == ["Late one", "To grade", "Divergent"]
    assert page.counts["status"] == {"to_grade": 2, "draft": 0, "released": 0, "divergent": 1}
    # Each facet is counted with the other filters applied, not its own.
    assert {c["name"]: c["n"] for c in page.counts["cohort"].values()} == {"Queue North": 3, "Queue South": 2}
    assert titles(assessor_queue(a, QueueFilters(cohort=south.id, status="draft"))) == ["Draft marking"]
    assert titles(assessor_queue(a, QueueFilters(assessment=double.id))) == ["Divergent"]
    assert titles(assessor_queue(a, QueueFilters(late="late"))) == ["Late one"]
    assert titles(assessor_queue(a, QueueFilters(late="on_time", status="to_grade"))) == ["To grade"]
    assert titles(assessor_queue(a, QueueFilters(status="released"))) == ["Released"]
    assert assessor_queue(a, QueueFilters(status="nonsense")).total == 5  # an unknown value is ignored


def test_a_settled_divergence_leaves_the_divergent_filter(queue_world, make_deliverable, grade_as, make_user):
    from portfolio.enrolments.services import assign
    from portfolio.grading import services

    a, _b, d, _north, _south, _single, double = queue_world
    enrolment = d["divergent"].enrolment
    partner = next(x.assessor for x in enrolment.assignments if x.assessor_id != a.id)
    other = make_deliverable(enrolment, double, title="Divergent too", due_at=NOW + timedelta(days=6))
    grade_as(a, other, {"BC05.1": "acquired"})
    grade_as(partner, other, {"BC05.1": "in_progress"})
    assert titles(assessor_queue(a, QueueFilters(status="divergent"))) == ["Divergent", "Divergent too"]

    # An agreed grade settles its own version only.
    services.record_agreed_grade(d["divergent"].latest_submitted, "BC05.1", "acquired", actor=a)
    db.session.commit()
    assert titles(assessor_queue(a, QueueFilters(status="divergent"))) == ["Divergent too"]
    assert next(i for i in assessor_queue(a).items if i.title == "Divergent").status == "released"

    # A third assessor's released marking settles the other one.
    third = make_user("assessor")
    assign(third, enrolment)
    db.session.commit()
    grade_as(third, other, {"BC05.1": "acquired"}, release=False)
    assert titles(assessor_queue(a, QueueFilters(status="divergent"))) == ["Divergent too"]
    services.release_marking(services.marking_of(other.latest_submitted, third), actor=third)
    db.session.commit()
    assert assessor_queue(a, QueueFilters(status="divergent")).total == 0


def test_a_second_version_in_draft_keeps_the_submitted_one_in_the_queue(queue_world):
    from grading_helpers import new_version

    a, _b, d, *_ = queue_world
    new_version(d["released"], submitted=False)
    item = next(i for i in assessor_queue(a).items if i.title == "Released")
    assert item.number == 1 and item.status == "released"
    new_version(d["released"])
    item = next(i for i in assessor_queue(a).items if i.title == "Released")
    assert item.number == 3 and item.status == "to_grade"


def test_paging(queue_world):
    a, *_ = queue_world
    first = assessor_queue(a, QueueFilters(page=1), per_page=2)
    second = assessor_queue(a, QueueFilters(page=2), per_page=2)
    last = assessor_queue(a, QueueFilters(page=99), per_page=2)
    assert (first.pages, first.total) == (3, 5)
    assert titles(first) + titles(second) + titles(last) == [
        "Late one", "Draft marking", "To grade", "Divergent", "Released"]
    assert last.page == 3


def test_the_queue_page(client_for, queue_world):
    a, b, _d, north, *_ = queue_world
    client = client_for(a)
    client.set_cookie("lang", "en")
    response = client.get(f"/assessor/queue?cohort={north.id}&status=to_grade")
    assert response.status_code == 200
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))
    assert "Late one" in page and "To grade" in page and "Draft marking" not in page and "Not A's" not in page
    assert "2 deliverables" in page
    assert "Queue North (2)" in page  # the cohort filter's count, with the status filter applied
    assert client.get("/assessor/queue?cohort=abc&page=-3&late=soon").status_code == 200
    client_b = client_for(b)
    client_b.set_cookie("lang", "en")
    assert "Late one" not in client_b.get("/assessor/queue").get_data(as_text=True)


def test_only_assessors_have_a_queue(client_for, make_user):
    assert client_for(make_user("candidate")).get("/assessor/queue").status_code == 403
    assert client_for(make_user("admin")).get("/assessor/queue").status_code == 403


# --- bounded queries -------------------------------------------------------------------------------

def count_statements(client, url: str) -> int:
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    assert response.status_code == 200
    return len(statements)


def _cohort_of(n, make_user, make_enrolment, make_deliverable, grade_as, assessment, assessor):
    for _ in range(n):
        enrolment = make_enrolment(assessors=[assessor])
        deliverable = make_deliverable(enrolment, assessment)
        grade_as(assessor, deliverable, {"BC05.1": "acquired"})
        make_deliverable(enrolment, assessment)


def test_queue_and_progress_pages_run_as_many_queries_for_3_and_30_candidates(
        client_for, make_user, make_enrolment, make_deliverable, grade_as, make_assessment):
    assessment = make_assessment("BC05", ranks=(1,))
    small, large = make_user("assessor"), make_user("assessor")
    _cohort_of(3, make_user, make_enrolment, make_deliverable, grade_as, assessment, small)
    _cohort_of(30, make_user, make_enrolment, make_deliverable, grade_as, assessment, large)
    for url in ("/assessor/queue", "/assessor/progress", "/"):
        counts = [count_statements(client_for(user), url) for user in (small, large)]
        assert counts[0] == counts[1], (url, counts)
