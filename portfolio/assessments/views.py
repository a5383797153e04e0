"""Administration of assessments (épreuves): a cohort's list, create, edit, load the DHEC ones. Admins only."""
from __future__ import annotations

from datetime import UTC

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext, to_user_timezone, to_utc
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..enrolments.models import Cohort
from ..extensions import db
from ..policy import require_role
from ..referential.models import Bloc, Certification
from .forms import AssessmentForm
from .models import Assessment
from .seed import seed_dhec_assessments
from .services import AssessmentData, AssessmentError, cohort_assessments, save_assessment

bp = Blueprint("assessments", __name__, url_prefix="/assessments")

SEEDABLE = {"RNCP41241"}


@bp.before_request
@login_required
def only_admins():
    require_role("admin")


def _cohort(cohort_id: int) -> Cohort:
    cohort = db.session.get(Cohort, cohort_id, options=[selectinload(Cohort.certification)])
    if cohort is None:
        abort(404)
    return cohort


@bp.route("/")
def index():
    cohorts = db.session.scalars(select(Cohort).options(selectinload(Cohort.certification)).order_by(Cohort.name))
    counts = dict(db.session.execute(
        select(Assessment.cohort_id, func.count(Assessment.id)).group_by(Assessment.cohort_id)).all())
    shared = dict(db.session.execute(
        select(Assessment.certification_id, func.count(Assessment.id)).where(Assessment.cohort_id.is_(None))
        .group_by(Assessment.certification_id)).all())
    return render_template("assessments/index.html", cohorts=list(cohorts), counts=counts, shared=shared)


@bp.route("/cohorts/<int:cohort_id>")
def cohort(cohort_id: int):
    cohort = _cohort(cohort_id)
    return render_template("assessments/cohort.html", cohort=cohort, assessments=cohort_assessments(cohort),
                           can_seed=cohort.certification.code in SEEDABLE)


@bp.route("/cohorts/<int:cohort_id>/seed", methods=["POST"])
def seed(cohort_id: int):
    cohort = _cohort(cohort_id)
    if cohort.certification.code not in SEEDABLE:
        abort(404)
    before = db.session.scalar(select(func.count(Assessment.id)).where(Assessment.cohort_id == cohort.id))
    seed_dhec_assessments(cohort, actor=current_user)
    after = db.session.scalar(select(func.count(Assessment.id)).where(Assessment.cohort_id == cohort.id))
    db.session.commit()
    flash(ngettext("%(num)d assessment added from the fiche.", "%(num)d assessments added from the fiche.",
                   after - before), "success")
    return redirect(url_for(".cohort", cohort_id=cohort.id))


def _choices(form: AssessmentForm, certification: Certification) -> list[Bloc]:
    blocs = list(db.session.scalars(
        select(Bloc).where(Bloc.certification_id == certification.id)
        .options(selectinload(Bloc.competences)).order_by(Bloc.rank)))
    form.bloc.choices = [(b.id, f"{b.code} · {b.title}") for b in blocs]
    form.competences.choices = [(c.id, f"{c.code} {c.label}") for b in blocs for c in b.competences]
    return blocs


def _local(value):
    """A stored UTC time as the naive local time of a datetime-local field."""
    return to_user_timezone(value).replace(tzinfo=None) if value else None


def _utc(value):
    """A datetime-local field's naive local time as an aware UTC time."""
    return to_utc(value).replace(tzinfo=UTC) if value else None


def _save(form: AssessmentForm, certification: Certification, cohort: Cohort | None,
          assessment: Assessment | None, blocs: list[Bloc]) -> Assessment | None:
    """Validate and save; on a rule broken, put the message on its field and return None."""
    if not form.validate_on_submit():
        return None
    bloc = next((b for b in blocs if b.id == form.bloc.data), None)
    chosen = set(form.competences.data or [])
    competences = [c for b in blocs for c in b.competences if c.id in chosen]
    scope_cohort = cohort if form.scope.data == "cohort" else None
    if form.scope.data == "cohort" and cohort is None:
        form.scope.errors.append(_("Open this assessment from a cohort's page to limit it to that cohort."))
        return None
    data = AssessmentData(
        bloc=bloc, code=form.code.data, title=form.title.data, kind=form.kind.data,
        deliverable_types=form.deliverable_types.data, competences=competences,
        description=form.description.data, opens_at=_utc(form.opens_at.data), due_at=_utc(form.due_at.data),
        markers=form.markers.data, is_individual=form.is_individual.data,
    )
    try:
        saved = save_assessment(data, certification=certification, cohort=scope_cohort, assessment=assessment,
                                actor=current_user)
    except AssessmentError as exc:
        db.session.rollback()
        getattr(form, exc.field or "code").errors.append(str(exc))
        return None
    db.session.commit()
    return saved


def _form_data(assessment: Assessment) -> dict:
    return {
        "scope": "cohort" if assessment.cohort_id else "all", "bloc": assessment.bloc_id, "code": assessment.code,
        "title": assessment.title, "description": assessment.description, "kind": assessment.kind,
        "deliverable_types": list(assessment.deliverable_types or []),
        "competences": [c.id for c in assessment.competences], "opens_at": _local(assessment.opens_at),
        "due_at": _local(assessment.due_at), "markers": assessment.markers, "is_individual": assessment.is_individual,
    }


@bp.route("/cohorts/<int:cohort_id>/new", methods=["GET", "POST"])
def create(cohort_id: int):
    cohort = _cohort(cohort_id)
    form = AssessmentForm()
    blocs = _choices(form, cohort.certification)
    saved = _save(form, cohort.certification, cohort, None, blocs)
    if saved is not None:
        flash(_("The assessment %(code)s has been created.", code=saved.code), "success")
        return redirect(url_for(".cohort", cohort_id=cohort.id))
    return render_template("assessments/form.html", form=form, cohort=cohort, assessment=None, blocs=blocs)


@bp.route("/<int:assessment_id>/edit", methods=["GET", "POST"])
def edit(assessment_id: int):
    assessment = db.session.get(Assessment, assessment_id, options=[selectinload(Assessment.competences)])
    if assessment is None:
        abort(404)
    cohort = assessment.cohort
    if cohort is None and request.args.get("cohort", type=int):
        candidate = db.session.get(Cohort, request.args.get("cohort", type=int))
        if candidate is not None and candidate.certification_id == assessment.certification_id:
            cohort = candidate
    form = AssessmentForm(data=None if request.method == "POST" else _form_data(assessment))
    blocs = _choices(form, assessment.certification)
    saved = _save(form, assessment.certification, cohort, assessment, blocs)
    if saved is not None:
        flash(_("The assessment %(code)s has been saved.", code=saved.code), "success")
        target = url_for(".cohort", cohort_id=cohort.id) if cohort is not None else url_for(".index")
        return redirect(target)
    return render_template("assessments/form.html", form=form, cohort=cohort, assessment=assessment, blocs=blocs)

