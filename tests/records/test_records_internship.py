"""Internships: the weeks counted, the 16-week rule in the certification status, and the pages."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest

from portfolio.audit.models import AuditEntry
from portfolio.enrolments.services import certification_status
from portfolio.extensions import db
from portfolio.files.models import Attachment
from portfolio.records import services
from portfolio.records.models import Internship

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MONDAY = date(2025, 3, 3)


def _record(enrolment, days: int, start: date = MONDAY, organisation: str = "Les Films du Lendemain"):
    row = services.record_internship(enrolment, organisation=organisation, start=start,
                                     end=start + timedelta(days=days - 1))
    db.session.commit()
    return row


@pytest.mark.parametrize(("days", "weeks", "met"), [
    (112, (16, 0), True),   # 16 weeks exactly: Monday 3 March to Sunday 22 June
    (111, (15, 6), False),  # 15 weeks and 6 days is not enough
    (113, (16, 1), True),
    (1, (0, 1), False),     # one day: the first and last day are the same day
])
def test_weeks_are_calendar_days_both_ends_included(make_enrolment, days, weeks, met):
    enrolment = make_enrolment()
    row = _record(enrolment, days)
    assert row.days == days
    assert services.weeks_and_days(row.days) == weeks
    assert services.meets_minimum(row) is met
    assert services.internship_rule(enrolment).is_met is met
    assert row.end_date == MONDAY + timedelta(days=days - 1)


def test_sixteen_weeks_end_on_the_sunday_of_the_sixteenth_week(make_enrolment):
    enrolment = make_enrolment()
    row = _record(enrolment, 112)
    assert row.end_date == date(2025, 6, 22) and row.end_date.weekday() == 6


def test_status_misses_the_internship_until_one_of_sixteen_weeks(make_enrolment, certification):
    assert certification.internship_min_weeks == 16
    enrolment = make_enrolment()
    assert "internship" in certification_status(enrolment)["missing"]
    _record(enrolment, 111)
    assert "internship" in certification_status(enrolment)["missing"]
    _record(enrolment, 112, start=date(2026, 1, 5), organisation="Arte France")
    assert "internship" not in certification_status(enrolment)["missing"]


def test_several_short_internships_are_not_added_together(make_enrolment):
    enrolment = make_enrolment()
    _record(enrolment, 70)
    _record(enrolment, 70, start=date(2025, 9, 1))
    rule = services.internship_rule(enrolment)
    assert rule.longest_days == 70 and not rule.is_met
    assert "internship" in certification_status(enrolment)["missing"]


def test_end_before_start_is_refused_by_the_service_and_the_database(make_enrolment):
    enrolment = make_enrolment()
    with pytest.raises(services.RecordError) as caught:
        services.record_internship(enrolment, organisation="X", start=MONDAY, end=MONDAY - timedelta(days=1))
    assert caught.value.field == "end"
    assert db.session.scalar(db.select(db.func.count(Internship.id))
                             .where(Internship.enrolment_id == enrolment.id)) == 0


# --- pages ----------------------------------------------------------------------------------------

def test_candidate_records_an_internship_with_its_agreement(make_enrolment, client_for):
    enrolment = make_enrolment()
    client = client_for(enrolment.candidate)
    response = client.post(f"/enrolments/{enrolment.id}/internship", data={
        "organisation": "Les Films du Lendemain", "tutor_name": "Anne Dupont", "tutor_email": "anne@example.org",
        "start": "2025-03-03", "end": "2025-06-22",
        "agreement": (io.BytesIO(PDF), "convention de stage.pdf"),
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    row = db.session.scalar(db.select(Internship).where(Internship.enrolment_id == enrolment.id))
    assert (row.organisation, row.tutor_name, row.tutor_email) == ("Les Films du Lendemain", "Anne Dupont",
                                                                   "anne@example.org")
    assert [(a.name, a.media_type) for a in row.agreement] == [("convention de stage.pdf", "application/pdf")]
    assert "internship" not in certification_status(enrolment)["missing"]
    assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "internship.create",
                                                         AuditEntry.target_id == row.id)) is not None

    client.set_cookie("lang", "en", domain="localhost")
    page = client.get(f"/enrolments/{enrolment.id}/internship").get_data(as_text=True)
    assert "Les Films du Lendemain" in page and "convention de stage.pdf" in page
    assert "16 weeks" in page and "Met." in page
    assert f"/files/{row.agreement[0].id}" in page


def test_the_page_says_whether_the_rule_is_met(make_enrolment, client_for, app):
    enrolment = make_enrolment()
    _record(enrolment, 111)
    client = client_for(enrolment.candidate)
    client.set_cookie("lang", "en", domain="localhost")
    page = client.get(f"/enrolments/{enrolment.id}/internship").get_data(as_text=True)
    assert "Not met yet." in page and "15 weeks and 6 days" in page
    assert "Only the longest single internship counts" in page
    _record(enrolment, 112, start=date(2026, 1, 5))
    page = client.get(f"/enrolments/{enrolment.id}/internship").get_data(as_text=True)
    assert "Met." in page and "16 weeks" in page


def test_page_form_errors_are_shown_not_raised(make_enrolment, client_for):
    enrolment = make_enrolment()
    client = client_for(enrolment.candidate)
    client.set_cookie("lang", "en", domain="localhost")
    response = client.post(f"/enrolments/{enrolment.id}/internship", data={
        "organisation": "X", "start": "2025-06-01", "end": "2025-05-01"})
    assert response.status_code == 422
    assert "The last day cannot be before the first day." in response.get_data(as_text=True)
    response = client.post(f"/enrolments/{enrolment.id}/internship", data={
        "organisation": "", "start": "not a date", "end": ""})
    assert response.status_code == 422
    assert db.session.scalar(db.select(db.func.count(Internship.id))
                             .where(Internship.enrolment_id == enrolment.id)) == 0


def test_a_refused_agreement_file_leaves_nothing(make_enrolment, client_for):
    enrolment = make_enrolment()
    client = client_for(enrolment.candidate)
    response = client.post(f"/enrolments/{enrolment.id}/internship", data={
        "organisation": "Les Films du Lendemain", "start": "2025-03-03", "end": "2025-06-22",
        "agreement": (io.BytesIO(b"MZ\x90\x00 a program"), "agreement.pdf"),
    }, content_type="multipart/form-data")
    assert response.status_code == 415
    assert db.session.scalar(db.select(db.func.count(Internship.id))
                             .where(Internship.enrolment_id == enrolment.id)) == 0


def test_edit_and_delete(make_enrolment, client_for):
    enrolment = make_enrolment()
    row = _record(enrolment, 50)
    client = client_for(enrolment.candidate)
    assert client.get(f"/enrolments/{enrolment.id}/internship/{row.id}/edit").status_code == 200
    response = client.post(f"/enrolments/{enrolment.id}/internship/{row.id}/edit", data={
        "organisation": "Arte France", "start": "2025-03-03", "end": "2025-06-22"})
    assert response.status_code == 302
    db.session.refresh(row)
    assert row.organisation == "Arte France" and row.days == 112
    assert client.post(f"/enrolments/{enrolment.id}/internship/{row.id}/delete").status_code == 302
    assert db.session.get(Internship, row.id) is None


def test_readers_read_and_cannot_record(make_enrolment, make_user, client_for):
    assessor = make_user("assessor")
    enrolment = make_enrolment(assessors=[assessor])
    row = _record(enrolment, 112)
    url = f"/enrolments/{enrolment.id}/internship"
    reader = client_for(assessor)
    page = reader.get(url)
    assert page.status_code == 200 and "Les Films du Lendemain" in page.get_data(as_text=True)
    assert 'name="organisation"' not in page.get_data(as_text=True)
    assert reader.post(url, data={"organisation": "X", "start": "2025-01-01", "end": "2025-06-01"}).status_code == 403
    assert reader.post(f"{url}/{row.id}/delete").status_code == 403
    stranger = client_for(make_user("candidate"))
    assert stranger.get(url).status_code == 404
    assert stranger.get(f"{url}/{row.id}/edit").status_code == 404
    admin = client_for(make_user("admin"))
    assert admin.get(url).status_code == 200


def test_an_internship_of_another_enrolment_is_not_found(make_enrolment, client_for):
    mine, theirs = make_enrolment(), make_enrolment()
    row = _record(theirs, 112)
    client = client_for(mine.candidate)
    assert client.get(f"/enrolments/{mine.id}/internship/{row.id}/edit").status_code == 404
    assert client.post(f"/enrolments/{mine.id}/internship/{row.id}/delete").status_code == 404
    assert db.session.get(Internship, row.id) is not None


def test_attachment_rows_belong_to_the_internship(make_enrolment):
    enrolment = make_enrolment()
    row = _record(enrolment, 112)
    attachment = services.add_agreement(row, io.BytesIO(PDF), "a.pdf")
    db.session.commit()
    assert db.session.get(Attachment, attachment.id).internship_id == row.id
    assert [a.id for a in row.agreement] == [attachment.id]
