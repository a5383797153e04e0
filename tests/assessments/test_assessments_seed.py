"""The DHEC assessments seeded from the fiche, which of them apply to whom, and the demo."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from portfolio.assessments.models import Assessment
from portfolio.assessments.seed import seed_dhec_assessments
from portfolio.assessments.services import (
    AssessmentData,
    AssessmentError,
    assessments_for_enrolment,
    save_assessment,
)
from portfolio.enrolments.services import get_or_create_cohort
from portfolio.evidence.types import DELIVERABLE_TYPES
from portfolio.extensions import db


@pytest.fixture
def cohort(certification):
    cohort = get_or_create_cohort("Seed 2025-2027", certification, academic_year="2025-2026")
    db.session.commit()
    return cohort


def test_seed_covers_every_bloc_and_competence_and_is_idempotent(cohort, certification):
    first = seed_dhec_assessments(cohort)
    db.session.commit()
    again = seed_dhec_assessments(cohort)
    assert [a.id for a in again] == [a.id for a in first]
    assert db.session.scalar(select(func.count(Assessment.id)).where(Assessment.cohort_id == cohort.id)) == 11
    by_code = {a.code: a for a in first}
    for bloc in certification.blocs:
        covered = {c.code for a in first if a.bloc_id == bloc.id for c in a.competences}
        assert covered == {c.code for c in bloc.competences}, bloc.code
    assert [c.code for c in by_code["BC07-1"].competences] == [f"BC07.{k}" for k in range(1, 6)]
    assert [c.code for c in by_code["BC07-2"].competences] == ["BC07.6", "BC07.7", "BC07.8"]
    assert [c.code for c in by_code["BC08-1"].competences] == [f"BC08.{k}" for k in range(1, 5)]
    assert [c.code for c in by_code["BC08-2"].competences] == [f"BC08.{k}" for k in range(5, 10)]
    assert by_code["BC03-1"].deliverable_types == ["coproduction_dossier"]
    assert by_code["BC02-1"].deliverable_types == ["thesis"] and by_code["BC02-1"].markers == 2
    assert {"moodboard", "production_dossier"} <= set(by_code["BC05-1"].deliverable_types)
    assert {"synopsis", "treatment", "series_bible", "screenplay", "technical_breakdown"} <= set(
        by_code["BC07-1"].deliverable_types)
    assert "film" in by_code["BC07-2"].deliverable_types
    assert {"financing_plan", "budget", "rights_estimate", "carbon_plan"} <= set(by_code["BC08-1"].deliverable_types)
    assert {"release_plan", "line_up", "media_plan", "distribution_dossier"} <= set(
        by_code["BC08-2"].deliverable_types)
    start, end = datetime(2025, 9, 1, tzinfo=UTC), datetime(2027, 8, 31, tzinfo=UTC)
    for assessment in first:
        assert set(assessment.deliverable_types) <= set(DELIVERABLE_TYPES)
        assert start <= assessment.opens_at < assessment.due_at <= end, assessment.code
        assert assessment.kind in ("written", "written_oral", "internship")


def test_seed_keeps_what_an_admin_changed(cohort):
    assessments = seed_dhec_assessments(cohort)
    bc05 = next(a for a in assessments if a.code == "BC05-1")
    bc05.title = "Changed by the school"
    db.session.delete(next(a for a in assessments if a.code == "BC03-1"))
    db.session.commit()
    again = seed_dhec_assessments(cohort)
    assert next(a for a in again if a.code == "BC05-1").title == "Changed by the school"
    assert "BC03-1" in {a.code for a in again}  # a missing one comes back


def test_assessments_apply_by_cohort_and_option(cohort, certification, make_enrolment, make_user):
    seed_dhec_assessments(cohort)
    bc02 = next(b for b in certification.blocs if b.code == "BC02")
    everyone = save_assessment(AssessmentData(bloc=bc02, code="BC02-ALL", title="Séminaire", kind="oral",
                                              deliverable_types=["other"], competences=bc02.competences[:1]),
                               certification=certification, cohort=None)
    db.session.commit()
    scenario = make_enrolment(candidate=make_user("candidate"), option="scenario-realisation", cohort=cohort)
    production = make_enrolment(candidate=make_user("candidate"), option="production-distribution", cohort=cohort)
    undecided = make_enrolment(candidate=make_user("candidate"), option=None, cohort=cohort)
    outside = make_enrolment(candidate=make_user("candidate"), route="vae", option="production-distribution")
    codes = lambda e: {a.code for a in assessments_for_enrolment(e)}  # noqa: E731
    assert {"BC07-1", "BC07-2"} <= codes(scenario) and not codes(scenario) & {"BC08-1", "BC08-2"}
    assert {"BC08-1", "BC08-2"} <= codes(production) and not codes(production) & {"BC07-1", "BC07-2"}
    assert {"BC07-1", "BC08-1"} <= codes(undecided)
    assert "BC02-ALL" in codes(scenario) and codes(outside) == {everyone.code}


def test_save_assessment_checks_its_rules(cohort, certification):
    bc05 = next(b for b in certification.blocs if b.code == "BC05")
    good = dict(bloc=bc05, code="BC05-X", title="Test", kind="written", deliverable_types=["moodboard"],
                competences=bc05.competences[:2], opens_at=datetime(2026, 1, 1, tzinfo=UTC),
                due_at=datetime(2026, 2, 1, tzinfo=UTC))
    save_assessment(AssessmentData(**good), certification=certification, cohort=cohort)
    for change, field in (
        ({"code": "BC05-X"}, "code"),
        ({"code": "bad code!"}, "code"),
        ({"deliverable_types": []}, "deliverable_types"),
        ({"deliverable_types": ["podcast"]}, "deliverable_types"),
        ({"competences": []}, "competences"),
        ({"due_at": datetime(2025, 12, 1, tzinfo=UTC)}, "due_at"),
        ({"markers": 3}, "markers"),
        ({"kind": "exam"}, "kind"),
    ):
        with pytest.raises(AssessmentError) as info:
            save_assessment(AssessmentData(**{**good, **change}), certification=certification, cohort=cohort)
        assert info.value.field == field, change


def test_the_demo_seeds_the_assessments_of_its_cohort(app):
    from portfolio.demo import COHORT, seed_demo
    from portfolio.enrolments.models import Cohort

    seed_demo()
    seed_demo()
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == COHORT))
    count = db.session.scalar(select(func.count(Assessment.id)).where(Assessment.cohort_id == cohort.id))
    assert count == 11
