"""Statistics per year of certification: who is a graduate, the figures, the page, CSV and XLSX exports."""
from __future__ import annotations

import csv
import io
from datetime import date

import lxml.html
import openpyxl
import pytest
from flask_babel import force_locale

from portfolio.extensions import db
from portfolio.juries import statistics
from portfolio.juries.statistics import YearFigures


@pytest.fixture
def stats_world(graduate, certification_document, make_user, make_enrolment, closed_session, decide, internship,
                answer):
    """Six graduates over 2024 and 2025 (two through VAE), five candidates who are not certified, and surveys."""
    from portfolio.enrolments.services import required_bloc_codes

    w = {}
    # 2024: by the rule (last bloc on 20 June; production option on 1 July); VAE by a certification decision.
    w["a"] = graduate(date(2024, 6, 20), name="Alice 2024")
    w["c"] = graduate(date(2024, 7, 1), option="production-distribution", name="Chloé 2024")
    w["b"] = make_enrolment(candidate=make_user("candidate", name="Bruno VAE 2024"), route="vae")
    certification_document(w["b"], date(2024, 9, 15))
    # 2025: by the rule; VAE by the rule; blocs validated in December 2024 but the decision issued in 2025.
    w["d"] = graduate(date(2025, 6, 30), name="David 2025")
    w["e"] = graduate(date(2025, 7, 10), route="vae", name="Emma VAE 2025")
    w["f"] = graduate(date(2024, 12, 12), name="Farid 2025")
    certification_document(w["f"], date(2025, 1, 10))
    certification_document(w["f"], date(2025, 3, 1))  # a reissue does not move the date

    # Not certified: internship one day short; an open session; a bloc missing; a revoked bloc; no option.
    w["g"] = graduate(date(2025, 6, 30), name="Gaël short internship", weeks=16 - 1 / 7)
    h = make_enrolment(candidate=make_user("candidate", name="Hugo open session"))
    still_open = closed_session(date(2025, 6, 30), status="open")
    for code in required_bloc_codes(h):
        decide(still_open, h, code)
    internship(h)
    i = make_enrolment(candidate=make_user("candidate", name="Inès missing bloc"))
    session = closed_session(date(2025, 6, 30))
    for code in required_bloc_codes(i)[:-1]:
        decide(session, i, code)
    internship(i)
    j = make_enrolment(candidate=make_user("candidate", name="Jules revoked"))
    for code in required_bloc_codes(j):
        decide(session, j, code)
    internship(j)
    later = closed_session(date(2025, 9, 1))
    revoking = decide(later, j, "BC07", "not_validated", comment="Plagiat établi")
    old = next(d for d in db.session.scalars(db.select(statistics.BlocDecision).where(
        statistics.BlocDecision.enrolment_id == j.id, statistics.BlocDecision.bloc_id == revoking.bloc_id,
        statistics.BlocDecision.id != revoking.id)))
    old.superseded_by_id = revoking.id
    k = make_enrolment(candidate=make_user("candidate", name="Kim no option"), option=None)
    for code in required_bloc_codes(k):  # every common bloc and both option blocs
        decide(session, k, code)
    internship(k)
    w.update(h=h, i=i, j=j, k=k)

    # Surveys. 2024: three answers at 6 months (target, other job, unemployed), two at 2 years.
    answer(w["a"], 6, True, "screenwriter")
    answer(w["b"], 6, True, "Barista")
    answer(w["c"], 6, False)
    answer(w["a"], 24, True, "producer")
    answer(w["c"], 24, True, "Comptable")
    # 2025: one answer at 6 months; a stray answer of a candidate who is not certified is left out.
    answer(w["d"], 6, True, "director")
    answer(w["g"], 6, True, "producer")
    db.session.commit()
    return w


def test_rate_rounds_half_up_and_is_none_without_answers():
    assert statistics.rate(2, 3) == 67
    assert statistics.rate(1, 3) == 33
    assert statistics.rate(1, 8) == 13  # 12.5
    assert statistics.rate(3, 8) == 38  # 37.5
    assert statistics.rate(0, 4) == 0
    assert statistics.rate(0, 0) is None


def test_add_months_keeps_the_day_or_the_end_of_the_month():
    assert statistics.add_months(date(2025, 1, 15), 6) == date(2025, 7, 15)
    assert statistics.add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert statistics.add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)
    assert statistics.add_months(date(2025, 11, 30), 24) == date(2027, 11, 30)


def test_graduates_and_their_certification_dates(stats_world):
    w = stats_world
    found = {g.enrolment_id: g for g in statistics.graduates()}
    expected = {w["a"].id: date(2024, 6, 20), w["c"].id: date(2024, 7, 1), w["b"].id: date(2024, 9, 15),
                w["d"].id: date(2025, 6, 30), w["e"].id: date(2025, 7, 10), w["f"].id: date(2025, 1, 10)}
    assert {i: g.certified_on for i, g in found.items()} == expected
    assert found[w["b"].id].by_document and found[w["f"].id].by_document and not found[w["a"].id].by_document
    assert found[w["e"].id].route == "vae"


def test_the_set_based_rule_agrees_with_certification_status(stats_world):
    from portfolio.enrolments.services import certification_status

    w = stats_world
    found = {g.enrolment_id: g.certified_on for g in statistics.graduates()}
    for key, enrolment in w.items():
        db.session.refresh(enrolment)
        assert statistics.certification_date(enrolment) == found.get(enrolment.id), key
        if key in "acdeghijk":  # no certification decision issued: the rule alone
            assert (certification_status(enrolment)["status"] == "certified") == (enrolment.id in found), key
    assert certification_status(w["g"])["missing"] == ["internship"]


def test_figures_per_year_are_exact(stats_world):
    assert statistics.figures_by_year() == [
        YearFigures(2025, certified=3, certified_vae=1, employed_6_months=100, target_job_6_months=100,
                    target_job_2_years=None, answers_6_months=1, answers_2_years=0),
        YearFigures(2024, certified=3, certified_vae=1, employed_6_months=67, target_job_6_months=33,
                    target_job_2_years=50, answers_6_months=3, answers_2_years=2),
    ]


def test_figures_without_graduates_are_empty(app):
    assert statistics.figures_by_year() == []
    assert statistics.graduates() == []


def _rows(html: str, tbody_id: str) -> list[list[str]]:
    tree = lxml.html.fromstring(html)
    return [[cell.text_content().strip() for cell in tr.xpath("./th|./td")]
            for tr in tree.xpath(f"//tbody[@id='{tbody_id}']/tr")]


def test_statistics_page_shows_the_fiche_table_and_charts(stats_world, make_user, login_as):
    client = login_as(make_user("admin"))
    client.post("/language", data={"lang": "en", "next": "/"})
    response = client.get("/statistics")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    tree = lxml.html.fromstring(html)
    headings = [th.text_content().strip() for th in tree.xpath("//table[@id='statistics-table']/thead//th")]
    assert headings == ["Year of certification", "Number certified", "Number certified through VAE",
                        "Overall employment rate at 6 months (%)",
                        "Employment rate in the targeted jobs at 6 months (%)",
                        "Employment rate in the targeted jobs at 2 years (%)"]
    assert _rows(html, "platform-rows")[1:] == [["2025", "3", "1", "100", "100", "-"],
                                                ["2024", "3", "1", "67", "33", "50"]]
    assert _rows(html, "published-rows")[1:] == [["2023", "48", "0", "48", "44", "-"],
                                                 ["2022", "58", "0", "78", "73", "66"],
                                                 ["2021", "41", "2", "84", "77", "85"],
                                                 ["2020", "43", "1", "64", "61", "83"]]
    # Two accessible charts: role img named by their title and description, and a data table each.
    svgs = tree.xpath("//svg[@role='img']")
    assert len(svgs) == 2
    for svg in svgs:
        title_id, desc_id = svg.get("aria-labelledby").split()
        assert tree.xpath(f"//*[@id='{title_id}']")[0].tag == "title"
        assert tree.xpath(f"//*[@id='{desc_id}']")[0].tag == "desc"
    rates_desc = tree.xpath("//desc[@id='chart-rates-desc']")[0].text_content()
    assert "2024: Employed at 6 months 67 %; In a targeted job at 6 months 33 %; In a targeted job at 2 years 50 %." \
        in rates_desc
    figure_rows = [[c.text_content().strip() for c in tr.xpath("./th|./td")]
                   for tr in tree.xpath("(//figure)[1]//table/tbody/tr")]
    assert ["2022 (published)", "58", "0"] in figure_rows and ["2025", "3", "1"] in figure_rows
    assert "<script" not in html.split("</header>")[1]
    # Bars have the heights of their values (rates on a 0–100 axis).
    bars = [rect for rect in tree.xpath("//svg[@aria-labelledby='chart-rates-title chart-rates-desc']//rect[title]")]
    heights = {rect.xpath("./title")[0].text: float(rect.get("height")) for rect in bars}
    assert heights["Employed at 6 months, 2025: 100 %"] == pytest.approx(232.0)
    assert heights["Employed at 6 months, 2024: 67 %"] == pytest.approx(232.0 * 0.67, abs=0.1)
    assert heights["In a targeted job at 2 years, 2025: -"] == 0


def test_statistics_are_for_admins_only(stats_world, make_user, client_for):
    for role in ("candidate", "assessor", "jury", "referent"):
        client = client_for(make_user(role))
        for url in ("/statistics", "/statistics/export.csv", "/statistics/export.xlsx", "/statistics/graduates"):
            assert client.get(url).status_code == 403, (role, url)
    assert client_for(None).get("/statistics").status_code == 302


def test_csv_export_is_utf8_with_a_bom_and_the_same_figures(stats_world, make_user, login_as):
    client = login_as(make_user("admin"))
    client.post("/language", data={"lang": "en", "next": "/"})
    response = client.get("/statistics/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [
        ["Year of certification", "Number certified", "Number certified through VAE",
         "Overall employment rate at 6 months (%)", "Employment rate in the targeted jobs at 6 months (%)",
         "Employment rate in the targeted jobs at 2 years (%)", "Source"],
        ["2025", "3", "1", "100", "100", "-", "platform"],
        ["2024", "3", "1", "67", "33", "50", "platform"],
        ["2023", "48", "0", "48", "44", "-", "published by the certifier"],
        ["2022", "58", "0", "78", "73", "66", "published by the certifier"],
        ["2021", "41", "2", "84", "77", "85", "published by the certifier"],
        ["2020", "43", "1", "64", "61", "83", "published by the certifier"],
    ]


def test_xlsx_export_reads_back_with_numbers(stats_world, make_user, login_as):
    client = login_as(make_user("admin"))
    client.post("/language", data={"lang": "en", "next": "/"})
    response = client.get("/statistics/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "Year of certification" and values[0][6] == "Source"
    assert sheet["A1"].font.bold
    assert values[1:3] == [[2025, 3, 1, 100, 100, "-", "platform"], [2024, 3, 1, 67, 33, 50, "platform"]]
    assert values[3] == [2023, 48, 0, 48, 44, "-", "published by the certifier"]
    assert len(values) == 7


def test_graduates_list_shows_survey_states(stats_world, make_user, login_as):
    client = login_as(make_user("admin"))
    client.post("/language", data={"lang": "en", "next": "/"})
    html = client.get("/statistics/graduates").get_data(as_text=True)
    tree = lxml.html.fromstring(html)
    rows = {tr.xpath("./th")[0].text_content().strip(): [c.text_content() for c in tr.xpath("./td")]
            for tr in tree.xpath("//table[@id='graduates-table']/tbody/tr")}
    assert set(rows) == {"Alice 2024", "Bruno VAE 2024", "Chloé 2024", "David 2025", "Emma VAE 2025", "Farid 2025"}
    assert "Employed: Screenwriter (a targeted job)" in " ".join(rows["Alice 2024"][2].split())
    assert "Employed: Barista (another job)" in " ".join(rows["Bruno VAE 2024"][2].split())
    assert "Not employed" in rows["Chloé 2024"][2]
    assert "Due since 2025-07-10" in rows["Farid 2025"][2]
    assert "Due since" in rows["Emma VAE 2025"][2]
    # Filtered by year; an unknown year shows every graduate.
    html = client.get("/statistics/graduates?year=2025").get_data(as_text=True)
    names = lxml.html.fromstring(html).xpath("//table[@id='graduates-table']/tbody/tr/th/text()")
    assert sorted(n.strip() for n in names) == ["David 2025", "Emma VAE 2025", "Farid 2025"]
    html = client.get("/statistics/graduates?year=abc").get_data(as_text=True)
    assert len(lxml.html.fromstring(html).xpath("//table[@id='graduates-table']/tbody/tr")) == 6


def test_a_survey_of_a_graduate_no_longer_certified_is_left_out(stats_world, closed_session, decide):
    w = stats_world
    # Revoking one of David's blocs: he is no longer a graduate, and his answer leaves the 2025 rates.
    later = closed_session(date(2025, 12, 1))
    old = db.session.scalars(db.select(statistics.BlocDecision).where(
        statistics.BlocDecision.enrolment_id == w["d"].id)).first()
    new = decide(later, w["d"], old.bloc.code, "not_validated", comment="Fraude")
    old.superseded_by_id = new.id
    db.session.commit()
    figures = {f.year: f for f in statistics.figures_by_year()}
    assert figures[2025].certified == 2
    assert figures[2025].employed_6_months is None and figures[2025].answers_6_months == 0


def test_target_jobs_cover_the_fiche(app):
    codes = [job.code for job in statistics.TARGET_JOBS]
    assert len(codes) == len(set(codes)) == 23
    french = {job.label_fr for job in statistics.TARGET_JOBS}
    for label in ("Assistant réalisateur", "Lecteur", "Scénariste", "Réalisateur", "Metteur en scène", "Vidéaste",
                  "Producteur", "Régisseur adjoint", "Responsable des ventes", "Directeur de production"):
        assert label in french
    with app.test_request_context(), force_locale("en"):
        assert statistics.target_job_label("screenwriter") == "Screenwriter"
        assert statistics.target_job_label("Barista") == "Barista"
    with app.test_request_context(), force_locale("fr"):
        assert statistics.target_job_label("screenwriter") == "Scénariste"
        groups = statistics.job_groups()
    assert [len(jobs) for _label, jobs in groups] == [2, 5, 7, 9]


def test_dates_use_the_jury_date_of_the_last_required_bloc(graduate):
    enrolment = graduate(date(2025, 6, 30))
    # BC01 was validated a month earlier; the certification date is that of the last bloc.
    assert statistics.certification_date(enrolment) == date(2025, 6, 30)
    assert statistics.survey_due_on(date(2025, 6, 30), 6) == date(2025, 12, 30)
    assert statistics.survey_due_on(date(2025, 6, 30), 24) == date(2027, 6, 30)
