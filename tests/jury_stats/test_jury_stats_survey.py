"""The follow-up survey: the graduate answers at 6 months and 2 years, staff record it for them."""
from __future__ import annotations

from datetime import timedelta

import lxml.html
import pytest
from sqlalchemy import select

from portfolio.audit.models import AuditEntry
from portfolio.extensions import db
from portfolio.juries import statistics
from portfolio.juries.models import FollowUpSurvey


def _survey(enrolment, months):
    return db.session.scalar(select(FollowUpSurvey).where(FollowUpSurvey.enrolment_id == enrolment.id,
                                                          FollowUpSurvey.months_after == months))


@pytest.fixture
def certified_a_year_ago(make_user, make_enrolment, certification_document):
    """A graduate certified 400 days ago: the 6-month survey is due, the 2-year one is not yet."""
    enrolment = make_enrolment(candidate=make_user("candidate", name="Gabrielle Graduate"))
    certification_document(enrolment, statistics.today() - timedelta(days=400))
    return enrolment


@pytest.fixture
def english(client):
    client.post("/language", data={"lang": "en", "next": "/"})
    return client


def test_the_graduate_answers_the_six_month_survey(certified_a_year_ago, login_as, english):
    enrolment = certified_a_year_ago
    client = login_as(enrolment.candidate)
    page = client.get(f"/enrolments/{enrolment.id}/survey")
    assert page.status_code == 200
    tree = lxml.html.fromstring(page.get_data(as_text=True))
    # A form for the 6-month survey, its fields labelled; the 2-year survey is not open yet.
    assert tree.xpath("//form[contains(@action, '/survey/6')]")
    assert not tree.xpath("//form[contains(@action, '/survey/24')]")
    opens = tree.xpath("//*[@id='survey-24-opens']")[0].text_content()
    due = statistics.add_months(statistics.today() - timedelta(days=400), 24)
    assert f"This survey opens on {due.isoformat()}." in opens
    select_ = tree.xpath("//select[@id='m6-job']")[0]
    assert tree.xpath("//label[@for='m6-job']")
    assert [g.get("label") for g in select_.xpath("./optgroup")][-1] == "After 2 to 5 years of professional experience"
    assert len(select_.xpath(".//optgroup/option")) == 23

    response = client.post(f"/enrolments/{enrolment.id}/survey/6",
                           data={"m6-is_employed": "yes", "m6-job": "screenwriter"})
    assert response.status_code == 302
    survey = _survey(enrolment, 6)
    assert (survey.is_employed, survey.is_in_target_job, survey.job) == (True, True, "screenwriter")
    assert survey.recorded_by_id == enrolment.user_id and survey.answered_on == statistics.today()
    html = client.get(f"/enrolments/{enrolment.id}/survey").get_data(as_text=True)
    assert "Answer: employed as Screenwriter." in html

    # Corrected: another job, outside the list. Still one answer, with its audit trail.
    response = client.post(f"/enrolments/{enrolment.id}/survey/6",
                           data={"m6-is_employed": "yes", "m6-job": "other", "m6-other_job": "  Monteuse   vidéo "})
    assert response.status_code == 302
    db.session.expire_all()
    survey = _survey(enrolment, 6)
    assert (survey.is_employed, survey.is_in_target_job, survey.job) == (True, False, "Monteuse vidéo")
    assert db.session.scalar(select(db.func.count()).select_from(FollowUpSurvey).where(
        FollowUpSurvey.enrolment_id == enrolment.id)) == 1
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "follow_up_survey.record")
                                 .order_by(AuditEntry.id)).all()
    assert [e.after["job"] for e in entries] == ["screenwriter", "Monteuse vidéo"]
    assert entries[1].before["job"] == "screenwriter"

    # Not employed: the job is dropped.
    client.post(f"/enrolments/{enrolment.id}/survey/6", data={"m6-is_employed": "no", "m6-job": "producer"})
    db.session.expire_all()
    survey = _survey(enrolment, 6)
    assert (survey.is_employed, survey.is_in_target_job, survey.job) == (False, False, None)


@pytest.mark.parametrize("data, field, message", [
    ({}, "m6-is_employed", "Answer yes or no."),
    ({"m6-is_employed": "yes"}, "m6-job", "Choose your job in the list, or “another job”."),
    ({"m6-is_employed": "yes", "m6-job": "astronaut"}, "m6-job", "Choose your job in the list, or “another job”."),
    ({"m6-is_employed": "yes", "m6-job": "other", "m6-other_job": "  "}, "m6-other_job", "Give the name of your job."),
    ({"m6-is_employed": "yes", "m6-job": "other", "m6-other_job": "x" * 121}, "m6-other_job",
     "Field cannot be longer than 120 characters."),
])
def test_bad_answers_are_form_errors(certified_a_year_ago, login_as, english, data, field, message):
    enrolment = certified_a_year_ago
    client = login_as(enrolment.candidate)
    response = client.post(f"/enrolments/{enrolment.id}/survey/6", data=data)
    assert response.status_code == 422
    tree = lxml.html.fromstring(response.get_data(as_text=True))
    error = tree.xpath(f"//*[@id='{field}-error']")
    assert error and message in error[0].text_content()
    assert _survey(enrolment, 6) is None


def test_a_survey_not_due_or_unknown_is_refused(certified_a_year_ago, login_as, english):
    enrolment = certified_a_year_ago
    client = login_as(enrolment.candidate)
    response = client.post(f"/enrolments/{enrolment.id}/survey/24", data={"m24-is_employed": "no"})
    assert response.status_code == 409
    assert "This survey opens on" in response.get_data(as_text=True)
    assert _survey(enrolment, 24) is None
    assert client.post(f"/enrolments/{enrolment.id}/survey/12", data={"m12-is_employed": "no"}).status_code == 404


def test_before_certification_the_survey_is_closed(make_enrolment, login_as, english):
    enrolment = make_enrolment()
    client = login_as(enrolment.candidate)
    page = client.get(f"/enrolments/{enrolment.id}/survey")
    assert page.status_code == 200
    assert "The follow-up survey opens once the certification is obtained." in page.get_data(as_text=True)
    assert "<form method=\"post\" action=\"/enrolments" not in page.get_data(as_text=True)
    response = client.post(f"/enrolments/{enrolment.id}/survey/6", data={"m6-is_employed": "no"})
    assert response.status_code == 409
    assert _survey(enrolment, 6) is None


def test_staff_record_both_surveys_for_a_graduate(make_user, make_enrolment, certification_document, login_as,
                                                  english):
    enrolment = make_enrolment(candidate=make_user("candidate", name="Hector Ancien"))
    certification_document(enrolment, statistics.today() - timedelta(days=800))
    admin = make_user("admin")
    client = login_as(admin)
    html = client.get(f"/enrolments/{enrolment.id}/survey").get_data(as_text=True)
    assert "You are recording the answers of Hector Ancien." in html
    assert client.post(f"/enrolments/{enrolment.id}/survey/6",
                       data={"m6-is_employed": "yes", "m6-job": "assistant_director"}).status_code == 302
    assert client.post(f"/enrolments/{enrolment.id}/survey/24",
                       data={"m24-is_employed": "yes", "m24-job": "production_director"}).status_code == 302
    assert _survey(enrolment, 6).recorded_by_id == admin.id
    assert _survey(enrolment, 24).is_in_target_job
    listing = client.get("/statistics/graduates").get_data(as_text=True)
    row = lxml.html.fromstring(listing).xpath("//table[@id='graduates-table']/tbody/tr")[0]
    text = " ".join(row.text_content().split())
    assert "Hector Ancien" in text and "Employed: Assistant director" in text and "Production director" in text


def test_who_may_answer(certified_a_year_ago, make_user, client_for):
    enrolment = certified_a_year_ago
    assessor = make_user("assessor")
    from portfolio.enrolments.services import assign

    assign(assessor, enrolment)
    db.session.commit()
    data = {"m6-is_employed": "no"}
    assert client_for(assessor).get(f"/enrolments/{enrolment.id}/survey").status_code == 403
    assert client_for(assessor).post(f"/enrolments/{enrolment.id}/survey/6", data=data).status_code == 403
    other = make_user("candidate")
    assert client_for(other).get(f"/enrolments/{enrolment.id}/survey").status_code == 404
    assert client_for(other).post(f"/enrolments/{enrolment.id}/survey/6", data=data).status_code == 404
    assert client_for(make_user("jury")).get(f"/enrolments/{enrolment.id}/survey").status_code == 404
    assert _survey(enrolment, 6) is None


def test_record_survey_service_checks_the_due_date(certified_a_year_ago):
    enrolment = certified_a_year_ago
    certified_on = statistics.certification_date(enrolment)
    due = statistics.survey_due_on(certified_on, 6)
    with pytest.raises(statistics.SurveyError) as caught:
        statistics.record_survey(enrolment, 6, is_employed=False, actor=enrolment.candidate,
                                 on=due - timedelta(days=1))
    assert caught.value.status == 409
    survey = statistics.record_survey(enrolment, 6, is_employed=True, job="producer", actor=enrolment.candidate,
                                      on=due)
    assert survey.answered_on == due and survey.is_in_target_job
