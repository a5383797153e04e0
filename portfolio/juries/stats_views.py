"""Pages of the statistics (admins) and of the graduates' follow-up survey.

``/statistics``: the fiche's table per year of certification, the platform's figures then those the
certifier published, with bar charts (inline SVG, each with its data table), exported as CSV and XLSX.
``/statistics/graduates``: the graduates and where their surveys stand. ``/enrolments/<id>/survey``:
the graduate answers (or staff record) the surveys at 6 months and 2 years.
"""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from ..enrolments.models import Enrolment
from ..extensions import db
from ..policy import require, require_role
from . import statistics
from .statistics import OTHER_JOB, PUBLISHED_HISTORY, SURVEY_MONTHS, TARGET_JOBS, YearFigures

bp = Blueprint("jury_stats", __name__)


# --- forms ---------------------------------------------------------------------------------------------

def _strip(value):
    return value.strip() if isinstance(value, str) else value


class SurveyForm(FlaskForm):
    is_employed = RadioField(_l("Were you employed at that time?"), choices=[("yes", _l("Yes")), ("no", _l("No"))],
                             validators=[InputRequired(message=_l("Answer yes or no."))])
    job = SelectField(_l("Your job"), validators=[Optional()], validate_choice=False,
                      description=_l("If you were employed: choose your job in the list of the jobs the certification "
                                     "prepares for, or “another job” and name it below."))
    other_job = StringField(_l("Another job: its name"), validators=[Optional(), Length(max=120)], filters=[_strip])
    submit = SubmitField(_l("Save the answer"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.job.choices = [("", "—"), *((job.code, job.code) for job in TARGET_JOBS), (OTHER_JOB, OTHER_JOB)]


def _survey_form(months: int, survey=None, formdata=None) -> SurveyForm:
    data = None
    if survey is not None:
        in_list = survey.is_in_target_job
        data = {"is_employed": "yes" if survey.is_employed else "no",
                "job": survey.job if in_list else (OTHER_JOB if survey.job else ""),
                "other_job": "" if in_list else (survey.job or "")}
    return SurveyForm(formdata=formdata, prefix=f"m{months}", data=data)


# --- charts ----------------------------------------------------------------------------------------------

CHART_WIDTH, CHART_HEIGHT = 720, 300
MARGIN = {"left": 52, "right": 16, "top": 24, "bottom": 44}


def _nice_ceiling(value: int) -> int:
    """The smallest of 10, 20, 25, 50, 100, 200... at least ``value`` (the top of a count axis)."""
    step = 10
    while True:
        for factor in (1, 2, 2.5, 5):
            if step * factor >= value:
                return int(step * factor)
        step *= 10


def bar_chart(chart_id: str, categories: list[str], series: list[str], values: list[list[int | None]],
              maximum: int | None = None, unit: str = "") -> dict:
    """The geometry of a grouped bar chart: one group per category, one bar per series.

    ``values[i][j]``: category i, series j; None is drawn as no bar and labelled "-".
    """
    plot_w = CHART_WIDTH - MARGIN["left"] - MARGIN["right"]
    plot_h = CHART_HEIGHT - MARGIN["top"] - MARGIN["bottom"]
    top = maximum or _nice_ceiling(max([v for row in values for v in row if v is not None] + [1]))
    group_w = plot_w / max(len(categories), 1)
    bar_w = group_w * 0.8 / max(len(series), 1)
    baseline = MARGIN["top"] + plot_h
    bars, labels = [], []
    for i, category in enumerate(categories):
        group_x = MARGIN["left"] + i * group_w + group_w * 0.1
        labels.append({"x": round(MARGIN["left"] + (i + 0.5) * group_w, 1), "y": baseline + 18, "text": category})
        for j, value in enumerate(values[i]):
            height = 0 if value is None else plot_h * min(value, top) / top
            x = group_x + j * bar_w
            bars.append({"x": round(x, 1), "y": round(baseline - height, 1), "width": round(bar_w - 2, 1),
                         "height": round(height, 1), "series": j, "value": value,
                         "text": "-" if value is None else f"{value}{unit}",
                         "text_x": round(x + (bar_w - 2) / 2, 1), "text_y": round(baseline - height - 4, 1),
                         "name": f"{series[j]}, {category}: {'-' if value is None else f'{value}{unit}'}"})
    ticks = [{"value": top * k // 4, "y": round(baseline - plot_h * k / 4, 1)} for k in range(5)]
    return {"id": chart_id, "width": CHART_WIDTH, "height": CHART_HEIGHT, "left": MARGIN["left"],
            "right": CHART_WIDTH - MARGIN["right"], "baseline": baseline, "bars": bars, "labels": labels,
            "ticks": ticks, "series": series, "categories": categories, "values": values, "unit": unit}


def _chart_rows(own: list[YearFigures]) -> list[tuple[str, YearFigures]]:
    """Every row, the oldest year first: the certifier's published years marked as such."""
    rows = [(r.year, 0, _("%(year)d (published)", year=r.year), r) for r in PUBLISHED_HISTORY]
    rows += [(r.year, 1, str(r.year), r) for r in own]
    return [(label, row) for _year, _order, label, row in sorted(rows, key=lambda item: item[:2])]


def charts(own: list[YearFigures]) -> list[dict]:
    rows = _chart_rows(own)
    categories = [label for label, _row in rows]
    counts = bar_chart(
        "chart-certified", categories, [_("Number certified"), _("Number certified through VAE")],
        [[r.certified, r.certified_vae] for _label, r in rows])
    counts.update(title=_("Number certified per year"),
                  description=_("Bar chart of the number of people certified each year, and of those certified "
                                "through VAE; the years marked “published” are the certifier's figures."))
    rates = bar_chart(
        "chart-rates", categories,
        [_("Employed at 6 months"), _("In a targeted job at 6 months"), _("In a targeted job at 2 years")],
        [[r.employed_6_months, r.target_job_6_months, r.target_job_2_years] for _label, r in rows],
        maximum=100, unit=" %")
    rates.update(title=_("Employment rates per year (%)"),
                 description=_("Bar chart of the overall employment rate at 6 months and of the rates in the "
                               "targeted jobs at 6 months and at 2 years, per year of certification; “-” when no "
                               "graduate answered."))
    return [counts, rates]


# --- statistics ------------------------------------------------------------------------------------------

def _export_rows() -> tuple[list[str], list[list]]:
    headings = [*statistics.table_headings(), _("Source")]
    rows = [[*statistics.table_cells(r), _("platform")] for r in statistics.figures_by_year()]
    rows += [[*statistics.table_cells(r), _("published by the certifier")] for r in PUBLISHED_HISTORY]
    return headings, rows


@bp.route("/statistics")
@login_required
def index():
    require_role("admin")
    own = statistics.figures_by_year()
    return render_template("statistics/index.html", own=own, published=PUBLISHED_HISTORY,
                           headings=statistics.table_headings(), cells=statistics.table_cells, charts=charts(own))


@bp.route("/statistics/export.csv")
@login_required
def export_csv():
    require_role("admin")
    headings, rows = _export_rows()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headings)
    writer.writerows(rows)
    # The byte order mark lets spreadsheet programs read the file as UTF-8.
    return Response("\ufeff" + buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=statistics-RNCP41241.csv"})


@bp.route("/statistics/export.xlsx")
@login_required
def export_xlsx():
    require_role("admin")
    from openpyxl import Workbook
    from openpyxl.styles import Font

    headings, rows = _export_rows()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "RNCP41241"
    sheet.append(headings)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDEFG", (16, 14, 16, 20, 20, 20, 26), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return Response(buffer.getvalue(),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=statistics-RNCP41241.xlsx"})


@bp.route("/statistics/graduates")
@login_required
def graduates():
    require_role("admin")
    year = request.args.get("year", type=int)
    years = statistics.years_with_graduates()
    if year not in years:
        year = None
    return render_template("statistics/graduates.html", rows=statistics.graduate_surveys(year), years=years,
                           year=year, today=statistics.today(), job_label=statistics.target_job_label)


# --- the follow-up survey ------------------------------------------------------------------------------

def _survey_page(enrolment: Enrolment, forms: dict[int, SurveyForm] | None = None, status: int = 200,
                 error: str | None = None):
    certified_on = statistics.certification_date(enrolment)
    surveys = statistics.surveys_of([enrolment.id]).get(enrolment.id, {})
    today = statistics.today()
    forms = dict(forms or {})
    due_on = {}
    if certified_on is not None:
        for months in SURVEY_MONTHS:
            due_on[months] = statistics.survey_due_on(certified_on, months)
            if months not in forms and today >= due_on[months]:
                forms[months] = _survey_form(months, surveys.get(months))
    return render_template(
        "statistics/survey.html", enrolment=enrolment, certified_on=certified_on, surveys=surveys, forms=forms,
        due_on=due_on, today=today, months_list=SURVEY_MONTHS, job_groups=statistics.job_groups(),
        job_label=statistics.target_job_label, other_job=OTHER_JOB, error=error,
        is_self=enrolment.user_id == current_user.id,
    ), status


@bp.route("/enrolments/<int:enrolment_id>/survey")
@login_required
def survey(enrolment_id: int):
    enrolment = require("answer_survey", db.session.get(Enrolment, enrolment_id))
    return _survey_page(enrolment)


@bp.route("/enrolments/<int:enrolment_id>/survey/<int:months>", methods=["POST"])
@login_required
def answer_survey(enrolment_id: int, months: int):
    enrolment = require("answer_survey", db.session.get(Enrolment, enrolment_id))
    if months not in SURVEY_MONTHS:
        return _survey_page(enrolment, status=404,
                            error=_("There is no survey %(months)d months after certification.", months=months))
    form = _survey_form(months, formdata=request.form)
    if not form.validate_on_submit():
        return _survey_page(enrolment, {months: form}, 422)
    try:
        statistics.record_survey(enrolment, months, is_employed=form.is_employed.data == "yes", job=form.job.data,
                                 other_job=form.other_job.data, actor=current_user)
    except statistics.SurveyError as exc:
        db.session.rollback()
        if exc.field in ("job", "other_job"):
            getattr(form, exc.field).errors = [*getattr(form, exc.field).errors, str(exc)]
            return _survey_page(enrolment, {months: form}, exc.status)
        return _survey_page(enrolment, status=exc.status, error=str(exc))
    db.session.commit()
    flash(_("Thank you: the answer has been recorded."), "success")
    return redirect(url_for(".survey", enrolment_id=enrolment.id))
