"""Grading pages: the form, two tabs saving on the same version, double marking, released feedback,
progress, the dashboard's bloc statuses and the feedback document."""
from __future__ import annotations

import io
import re

import pytest
from docx import Document
from grading_helpers import add_file
from sqlalchemy import select

from portfolio.extensions import db
from portfolio.grading.models import Grade, Marking


@pytest.fixture
def english(client_for):
    def make(user):
        client = client_for(user)
        client.set_cookie("lang", "en")
        return client

    return make


@pytest.fixture
def deliverable(people, make_assessment, make_deliverable):
    return make_deliverable(people.enrolment, make_assessment("BC05", ranks=(1, 2)), title="Dossier de production")


def form_data(deliverable, levels: dict, lock, action="save", **extra):
    from grading_helpers import competence

    data = {"lock_version": str(lock), "version": "1", "action": action, "mark": "", "feedback": ""}
    for code, (level, comment) in levels.items():
        c = competence(deliverable.enrolment.certification, code)
        data[f"level-{c.id}"] = level
        data[f"comment-{c.id}"] = comment
    data.update(extra)
    return data


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_the_grading_page_has_one_radio_group_per_competence(english, people, deliverable):
    response = english(people.a1).get(f"/deliverables/{deliverable.id}/grading")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count("<legend>") == 2
    assert 'name="lock_version" value="0"' in page
    for level in ("not_acquired", "in_progress", "acquired", "mastered"):
        assert page.count(f'value="{level}"') == 2
    assert f'href="/files/{deliverable.latest_submitted.files[0].id}"' in page
    assert "Save and release" in page


def test_save_then_release_through_the_page(english, people, deliverable, read_mail):
    client = english(people.a1)
    response = client.post(f"/deliverables/{deliverable.id}/grading", data=form_data(
        deliverable, {"BC05.1": ("acquired", "Well argued"), "BC05.2": ("", "")}, 0, mark="15,5",
        feedback="A clear dossier."))
    assert response.status_code == 302
    marking = db.session.scalar(select(Marking).where(Marking.assessor_id == people.a1.id))
    assert marking.released_at is None and str(marking.mark) == "15.50"
    assert [(g.competence.code, g.level, g.comment) for g in marking.grades] == [("BC05.1", "acquired", "Well argued")]

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'name="lock_version" value="{marking.lock_version}"' in page
    assert "Your marking has been saved" in page

    response = client.post(f"/deliverables/{deliverable.id}/grading", data=form_data(
        deliverable, {"BC05.1": ("acquired", "Well argued"), "BC05.2": ("in_progress", "Budget too thin")},
        marking.lock_version, action="release", mark="15.5", feedback="A clear dossier."))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Marking, marking.id).released_at is not None
    assert read_mail()[-1]["To"] == people.candidate.email
    page = client.get(response.headers["Location"])
    assert "Save and release" not in page.get_data(as_text=True)  # released: read-only now
    assert "Budget too thin" in text(page)


def test_releasing_with_a_competence_missing_keeps_the_input(english, people, deliverable):
    response = english(people.a1).post(f"/deliverables/{deliverable.id}/grading", data=form_data(
        deliverable, {"BC05.1": ("mastered", "Kept"), "BC05.2": ("", "")}, 0, action="release"))
    assert response.status_code == 422
    assert "Give a level for every competence before releasing: BC05.2" in text(response)
    assert "Kept" in response.get_data(as_text=True)
    assert db.session.scalar(select(Marking.id)) is None


def test_two_tabs_based_on_lock_version_1_the_second_is_refused(app, people, deliverable, english):
    first_tab, second_tab = english(people.a1), english(people.a1)
    first_tab.post(f"/deliverables/{deliverable.id}/grading", data=form_data(
        deliverable, {"BC05.1": ("in_progress", "start")}, 0))
    marking = db.session.scalar(select(Marking))
    assert marking.lock_version == 1
    for tab in (first_tab, second_tab):  # both pages rendered now, with lock_version 1
        assert 'name="lock_version" value="1"' in tab.get(f"/deliverables/{deliverable.id}/grading").get_data(
            as_text=True)
    ok = first_tab.post(f"/deliverables/{deliverable.id}/grading", data=form_data(
        deliverable, {"BC05.1": ("acquired", "from the first tab")}, 1))
    refused = second_tab.post(f"/deliverables/{deliverable.id}/grading", data=form_data(
        deliverable, {"BC05.1": ("not_acquired", "from the second tab")}, 1))
    assert ok.status_code == 302 and refused.status_code == 409
    assert "Nothing was saved" in text(refused)
    assert "from the second tab" in refused.get_data(as_text=True)  # the input is not lost
    assert "Saved level: acquired" in text(refused)
    db.session.expire_all()
    grade = db.session.scalar(select(Grade))
    assert (grade.level, grade.comment) == ("acquired", "from the first tab")


def test_who_sees_the_grading_page(client_for, people, deliverable):
    assert client_for(people.a2).get(f"/deliverables/{deliverable.id}/grading").status_code == 200
    admin = client_for(people.admin).get(f"/deliverables/{deliverable.id}/grading")
    assert admin.status_code == 200 and "Save and release" not in admin.get_data(as_text=True)
    assert client_for(people.candidate).get(f"/deliverables/{deliverable.id}/grading").status_code == 403
    assert client_for(people.outsider).get(f"/deliverables/{deliverable.id}/grading").status_code == 404
    assert client_for(people.admin).post(f"/deliverables/{deliverable.id}/grading",
                                         data={"action": "save"}).status_code == 403
    assert client_for(people.candidate).post(f"/deliverables/{deliverable.id}/grading",
                                             data={"action": "save"}).status_code == 403


def test_a_deliverable_without_submission_says_so(english, people, make_assessment, make_deliverable):
    draft = make_deliverable(people.enrolment, make_assessment("BC05"), submitted=False)
    response = english(people.a1).get(f"/deliverables/{draft.id}/grading")
    assert response.status_code == 200
    assert "a draft version cannot be graded" in text(response)
    response = english(people.a1).post(f"/deliverables/{draft.id}/grading", data={"action": "save",
                                                                                  "lock_version": "0"})
    assert response.status_code == 409


def test_double_marking_divergence_view_and_agreed_form(english, people, make_assessment, make_deliverable,
                                                        grade_as):
    double = make_deliverable(people.enrolment, make_assessment("BC05", markers=2, ranks=(1, 2)))
    grade_as(people.a1, double, {"BC05.1": "acquired", "BC05.2": "acquired"})
    page = text(english(people.a2).get(f"/deliverables/{double.id}/grading"))
    assert "neither assessor sees the other's grades" in page
    assert "Assessor One" not in page
    grade_as(people.a2, double, {"BC05.1": "not_acquired", "BC05.2": "acquired"})
    client = english(people.a2)
    response = client.get(f"/deliverables/{double.id}/grading")
    page = response.get_data(as_text=True)
    assert "Assessor One" in page and "not settled" in page
    assert "Agreed level for BC05.1" in page and "Agreed level for BC05.2" not in page
    response = client.post(f"/deliverables/{double.id}/grading/agreed", data={
        "version": "1", "competence": "BC05.1", "level": "in_progress", "comment": "Met and agreed"})
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "The agreed grade has been recorded." in page and "Met and agreed" in page
    assert "Agreed level for BC05.1" not in page
    # The third assessor is not one of the two: refused.
    refused = english(people.a3).post(f"/deliverables/{double.id}/grading/agreed", data={
        "version": "1", "competence": "BC05.2", "level": "acquired"})
    assert refused.status_code == 403


def test_released_include_for_the_candidate(app, people, deliverable, grade_as):
    from flask import render_template_string
    from flask_login import login_user

    grade_as(people.a1, deliverable, {"BC05.1": "acquired", "BC05.2": "not_acquired"}, mark="12")
    template = '{% include "grading/_released.html" %}'
    with app.test_request_context("/"):
        login_user(people.candidate)
        html = render_template_string(template, deliverable=deliverable)
    assert "Comment on BC05.2" in html and "Assessor One" in html
    assert f"/deliverables/{deliverable.id}/feedback.docx" in html
    with app.test_request_context("/"):
        login_user(people.a2)
        draft_only = render_template_string(template, deliverable=deliverable)
    assert "Comment on BC05.2" in draft_only  # released: every viewer of the deliverable reads it


def test_nothing_released_nothing_shown(app, people, deliverable, grade_as):
    from flask import render_template_string
    from flask_login import login_user

    grade_as(people.a1, deliverable, {"BC05.1": "acquired"}, release=False)
    with app.test_request_context("/"):
        login_user(people.candidate)
        assert render_template_string('{% include "grading/_released.html" %}', deliverable=deliverable).strip() == ""


# --- the feedback document -------------------------------------------------------------------------

def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def test_feedback_docx(english, people, deliverable, grade_as):
    from portfolio.annotations.models import Annotation
    from portfolio.grading import services

    version = deliverable.latest_submitted
    pdf = version.files[0]
    film = add_file(version, name="film.mov", media_type="video/quicktime", media_info={"fps": 24, "duration": 600})
    marking, _ = services.open_marking(version, people.a1)
    db.session.add_all([
        Annotation(deliverable_id=deliverable.id, attachment_id=pdf.id, marking_id=marking.id, author_id=people.a1.id,
                   body="The budget table is unclear", selector_type="FragmentSelector",
                   selector={"value": "page=3&viewrect=10,10,100,50"}, page=3),
        Annotation(deliverable_id=deliverable.id, attachment_id=film.id, marking_id=marking.id, author_id=people.a1.id,
                   body="Cut too early", selector_type="FragmentSelector", selector={"value": "t=62.5,65"},
                   start_seconds=62.5, end_seconds=65.0),
    ])
    db.session.commit()
    candidate = english(people.candidate)
    empty = candidate.get(f"/deliverables/{deliverable.id}/feedback.docx")
    assert empty.status_code == 200
    assert "No feedback has been released yet." in docx_text(empty.data)
    assert "The budget table is unclear" not in docx_text(empty.data)

    grade_as(people.a1, deliverable, {"BC05.1": "mastered", "BC05.2": "in_progress"}, mark="14.5")
    response = candidate.get(f"/deliverables/{deliverable.id}/feedback.docx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    content = docx_text(response.data)
    for expected in ("BC05.1", "BC05.2", "mastered", "in progress", "Comment on BC05.1", "Comment on BC05.2",
                     "Mark: 14.5 / 20", "page 3", "The budget table is unclear", "00:01:02:12 to 00:01:05:00",
                     "Cut too early", "Assessor One", "Dossier de production"):
        assert expected in content, expected
    assert english(people.outsider).get(f"/deliverables/{deliverable.id}/feedback.docx").status_code == 404


def test_timecodes():
    from portfolio.grading.feedback_docx import timecode

    assert timecode(0) == "00:00:00:00"
    assert timecode(62.5, 24) == "00:01:02:12"
    assert timecode(3661.04, 25) == "01:01:01:01"
    assert timecode(1.5, 29.97) == "00:00:01:15"
    assert timecode(10, None) == "00:00:10:00"


# --- progress --------------------------------------------------------------------------------------

def test_progress_page_chart_and_table(english, people, deliverable, grade_as):
    grade_as(people.a1, deliverable, {"BC05.1": "acquired", "BC05.2": "mastered"})
    response = english(people.candidate).get(f"/enrolments/{people.enrolment.id}/progress")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<svg" in page and "<figure" in page and "<table" in page and "<caption>" in page
    words = text(response)
    assert "2 of 5 · in progress" in words
    assert "BC05.3 has no released grade yet." in words
    assert "A CEFR language certificate at level B2 or above is required." in words
    assert english(people.a2).get(f"/enrolments/{people.enrolment.id}/progress").status_code == 200
    assert english(people.outsider).get(f"/enrolments/{people.enrolment.id}/progress").status_code == 404


def test_dashboard_and_enrolment_page_show_real_statuses(english, people, deliverable, grade_as,
                                                         make_assessment, make_deliverable):
    bc01 = make_deliverable(people.enrolment, make_assessment("BC01"))
    grade_as(people.a1, bc01, {"BC01.1": "acquired", "BC01.2": "acquired"})
    grade_as(people.a1, deliverable, {"BC05.1": "acquired", "BC05.2": "in_progress"})
    for url in ("/", f"/enrolments/{people.enrolment.id}"):
        page = english(people.candidate).get(url).get_data(as_text=True)
        assert 'badge--proposed' in page and "proposed to the jury" in page
        assert "2 of 2 acquired" in page and "1 of 5 acquired" in page
        assert page.count("badge--in_progress") == 1
    dashboard = english(people.a1).get("/").get_data(as_text=True)
    assert "/assessor/queue" in dashboard and "/assessor/progress" in dashboard


def test_assessor_progress_page(english, people, deliverable, grade_as, make_enrolment):
    grade_as(people.a1, deliverable, {"BC05.1": "acquired", "BC05.2": "acquired"})
    make_enrolment(option="production-distribution", assessors=[people.a1])
    response = english(people.a1).get("/assessor/progress")
    assert response.status_code == 200
    words = text(response)
    assert "Camille Candidate" in words and "2 of 5" in words
    assert "BC07" in words and "BC08" in words and "not required" in words
    assert english(people.candidate).get("/assessor/progress").status_code == 403


def test_grading_link_for_the_deliverable_page(app, people, deliverable):
    from flask import render_template_string
    from flask_login import login_user

    for user, expected in [(people.a1, f"/deliverables/{deliverable.id}/grading"), (people.admin, "grading"),
                           (people.candidate, "None"), (people.outsider, "None")]:
        with app.test_request_context("/"):
            login_user(user)
            assert expected in render_template_string("{{ grading_link(deliverable) }}", deliverable=deliverable)
