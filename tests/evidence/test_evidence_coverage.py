"""Coverage: counts per competence and per assessment, gaps, VAE experiences, and a bounded query count."""
from __future__ import annotations

import re
from datetime import date

from evidence_files import pdf_bytes
from sqlalchemy import event

from portfolio.accounts.models import User
from portfolio.assessments.models import Assessment
from portfolio.enrolments.models import Enrolment
from portfolio.evidence import services
from portfolio.evidence.coverage import EXPERIENCES, FREE, coverage_for
from portfolio.extensions import db
from portfolio.vae.models import Experience, ExperienceCompetence


def _row(coverage, code):
    return next(r for b in coverage.blocs for r in b.rows if r.competence.code == code)


def test_counts_gaps_and_expected_cells(student, make_assessment, make_deliverable):
    bc07 = make_assessment(bloc="BC07", types=("synopsis", "screenplay"), ranks=[1, 2, 3, 4, 5])
    first = make_deliverable(student, tags=["BC05.1", "BC05.2"], files=[(pdf_bytes("c1"), "a.pdf")])
    services.submit(first, actor=student.candidate)
    make_deliverable(student, tags=["BC05.1"], title="Second dossier")
    make_deliverable(student, tags=["BC07.2"], type_code="synopsis", assessment=bc07, title="Synopsis")
    coverage = coverage_for(student.enrolment)

    # The scenario option: BC01–BC07, not BC08.
    assert [b.bloc.code for b in coverage.blocs] == ["BC01", "BC02", "BC03", "BC04", "BC05", "BC06", "BC07"]
    assert [c.key for c in coverage.columns] == [f"a{student.assessment.id}", f"a{bc07.id}"]
    assert coverage.deliverable_count == 3 and coverage.competence_count == 2 + 5 + 2 + 6 + 5 + 6 + 8
    bc05_1 = _row(coverage, "BC05.1")
    assert bc05_1.total == 2 and [c.count for c in bc05_1.cells] == [2, 0] and not bc05_1.is_gap
    assert [c.expected for c in bc05_1.cells] == [True, False]
    assert {d.title for d in bc05_1.deliverables} == {"Dossier de production", "Second dossier"}
    assert bc05_1.submitted == 1
    assert [c.count for c in _row(coverage, "BC07.2").cells] == [0, 1]
    bc05_3 = _row(coverage, "BC05.3")
    assert bc05_3.is_gap and bc05_3.cells[0].expected and bc05_3.cells[0].count == 0
    bc07_6 = _row(coverage, "BC07.6")
    assert bc07_6.is_gap and not any(c.expected for c in bc07_6.cells)
    bc05 = next(b for b in coverage.blocs if b.bloc.code == "BC05")
    assert (bc05.covered, len(bc05.rows), bc05.percent) == (2, 5, 40)
    assert coverage.covered == 3 and len(coverage.gaps) == coverage.competence_count - 3


def test_vae_experiences_and_free_evidence_count(make_user, make_enrolment):
    enrolment = make_enrolment(candidate=make_user("candidate"), route="vae", option="production-distribution")
    deliverable = services.create_deliverable(enrolment, title="Attestation", type_code="proof")
    services.set_tags(deliverable, [("BC08.1", "")])
    competence = next(c for c in services.taggable_competences(enrolment) if c.code == "BC08.1")
    other = next(c for c in services.taggable_competences(enrolment) if c.code == "BC08.7")
    experience = Experience(enrolment=enrolment, organisation="Les Films du Nord", job_title="Chargée de production",
                            start_date=date(2019, 1, 7), end_date=date(2023, 6, 30), fte_percent=100)
    experience.competences = [ExperienceCompetence(competence=competence), ExperienceCompetence(competence=other)]
    db.session.add(experience)
    db.session.commit()
    coverage = coverage_for(enrolment)
    assert [c.key for c in coverage.columns] == [FREE, EXPERIENCES]
    assert [c.count for c in _row(coverage, "BC08.1").cells] == [1, 1] and _row(coverage, "BC08.1").total == 2
    assert [c.count for c in _row(coverage, "BC08.7").cells] == [0, 1]
    assert coverage.experience_count == 1 and "BC07" not in [b.bloc.code for b in coverage.blocs]


def test_the_page_is_an_accessible_table_with_gaps_in_text(student, make_deliverable, english_client):
    make_deliverable(student, tags=["BC05.1"])
    page = english_client(student.candidate).get(f"/enrolments/{student.enrolment.id}/coverage")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<caption" in html and 'scope="col"' in html and 'scope="row"' in html and 'scope="rowgroup"' in html
    assert "1 of 34 competences have evidence." in html
    assert "1 / 5 competences with evidence" in html and "0 / 2 competences with evidence" in html
    assert html.count('<td class="cov cov--gap"') == 33  # every gap says so in text, not colour only
    assert 'role="region"' in html and 'tabindex="0"' in html
    assert re.search(r'bar__fill--20"', html)  # BC05: 1 of 5


def _count_statements(client, url):
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    db.session.expunge_all()  # the tests share the request's session: start from an empty identity map
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


def test_the_coverage_page_runs_a_fixed_number_of_queries(student, make_deliverable, english_client, make_user):
    url = f"/enrolments/{student.enrolment.id}/coverage"
    ids = (student.enrolment.id, student.assessment.id, student.candidate.id)
    client = english_client(student.candidate)
    for i in range(2):
        make_deliverable(student, tags=["BC05.1", "BC05.2"], title=f"D{i}", files=[(pdf_bytes(f"q{i}"), "f.pdf")])
    few, page = _count_statements(client, url)
    assert "2 of 34 competences have evidence." in page
    # Back in the session after the measurement emptied it.
    student.enrolment = db.session.get(Enrolment, ids[0])
    student.assessment = db.session.get(Assessment, ids[1])
    student.candidate = db.session.get(User, ids[2])
    for i in range(2, 20):
        make_deliverable(student, tags=["BC05.1", f"BC05.{3 + i % 3}", f"BC07.{1 + i % 8}"], title=f"D{i}",
                         files=[(pdf_bytes(f"q{i}"), f"f{i}.pdf")])
    many, page = _count_statements(client, url)
    assert "13 of 34 competences have evidence." in page
    assert few == many, (few, many)
    assert many <= 20
    # The same holds for an assessor reading it.
    reader = english_client(db.session.merge(student.assessor, load=False))
    assert _count_statements(reader, url)[0] <= many + 2
