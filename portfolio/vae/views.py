"""Pages of a VAE candidate's proof dossier.

Every page answers 404 for an enrolment that is not on the VAE route, as for one the user may not
see. The candidate edits; their assessors, their jury and admins read; admins record admissibility.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..enrolments.models import Enrolment
from ..extensions import db
from ..files.services import UploadError
from ..policy import can, require
from ..records.links import attachment_url
from . import services
from .forms import (
    DECISION_LABELS,
    POSITIONING_LABELS,
    AdmissibilityForm,
    ConfirmForm,
    ExperienceForm,
    ProofForm,
    decision_label,
    positioning_label,
    proof_kind_label,
)
from .models import Experience, ExperienceProof

bp = Blueprint("vae", __name__, url_prefix="/enrolments")

MAX_TEXT = 2000


@bp.context_processor
def helpers():
    return {"attachment_url": attachment_url, "proof_kind_label": proof_kind_label,
            "positioning_label": positioning_label, "decision_label": decision_label, "format_date": format_date}


def _dossier(enrolment_id: int, action: str = "view") -> Enrolment:
    """The enrolment, if the user may see it and it is on the VAE route (404 otherwise)."""
    enrolment = require("view", db.session.get(Enrolment, enrolment_id))
    if not services.has_dossier(enrolment):
        abort(404)
    return require(action, enrolment)


def _experience(enrolment: Enrolment, experience_id: int, action: str = "view") -> Experience:
    row = db.session.get(Experience, experience_id)
    if row is None or row.enrolment_id != enrolment.id:
        abort(404)
    return require(action, row)


def _experience_kwargs(form: ExperienceForm) -> dict:
    return {"organisation": form.organisation.data, "job_title": form.job_title.data, "start": form.start.data,
            "end": form.end.data, "hours": form.hours.data, "fte_percent": form.fte_percent.data,
            "activities": form.activities.data}


def _field_error(form, exc: services.DossierError, fallback):
    target = getattr(form, exc.field, None) or fallback
    target.errors = [*target.errors, str(exc)]


# --- overview -------------------------------------------------------------------------------------

@bp.route("/<int:enrolment_id>/vae")
@login_required
def dossier(enrolment_id: int):
    enrolment = _dossier(enrolment_id)
    return render_template(
        "vae/dossier.html", enrolment=enrolment, summary=services.dossier_summary(enrolment),
        may_edit=can(current_user, "edit_vae_dossier", enrolment),
        may_decide=can(current_user, "decide_admissibility", enrolment),
    )


# --- experiences ----------------------------------------------------------------------------------

@bp.route("/<int:enrolment_id>/vae/experiences/new", methods=["GET", "POST"])
@login_required
def experience_create(enrolment_id: int):
    enrolment = _dossier(enrolment_id, "edit_vae_dossier")
    form = ExperienceForm()
    status = 200
    if form.validate_on_submit():
        try:
            row = services.create_experience(enrolment, **_experience_kwargs(form), actor=current_user)
        except services.DossierError as exc:
            db.session.rollback()
            _field_error(form, exc, form.organisation)
        else:
            db.session.commit()
            flash(_("The experience has been added. Add its proofs and the competences it shows."), "success")
            return redirect(url_for(".experience", enrolment_id=enrolment.id, experience_id=row.id))
    if form.errors:
        status = 422
    return render_template("vae/experience_form.html", enrolment=enrolment, form=form, experience=None), status


@bp.route("/<int:enrolment_id>/vae/experiences/<int:experience_id>")
@login_required
def experience(enrolment_id: int, experience_id: int):
    enrolment = _dossier(enrolment_id)
    row = _experience(enrolment, experience_id)
    return render_template("vae/experience.html", enrolment=enrolment, experience=row, confirm=ConfirmForm(),
                           may_edit=can(current_user, "edit", row))


@bp.route("/<int:enrolment_id>/vae/experiences/<int:experience_id>/edit", methods=["GET", "POST"])
@login_required
def experience_edit(enrolment_id: int, experience_id: int):
    enrolment = _dossier(enrolment_id)
    row = _experience(enrolment, experience_id, "edit")
    if request.method == "GET":
        form = ExperienceForm(data={"organisation": row.organisation, "job_title": row.job_title,
                                    "start": row.start_date, "end": row.end_date, "hours": row.hours,
                                    "fte_percent": row.fte_percent, "activities": row.activities})
    else:
        form = ExperienceForm()
    if form.validate_on_submit():
        try:
            services.update_experience(row, **_experience_kwargs(form), actor=current_user)
        except services.DossierError as exc:
            db.session.rollback()
            _field_error(form, exc, form.organisation)
        else:
            db.session.commit()
            flash(_("The experience has been updated."), "success")
            return redirect(url_for(".experience", enrolment_id=enrolment.id, experience_id=row.id))
    return render_template("vae/experience_form.html", enrolment=enrolment, form=form, experience=row), \
        422 if form.errors else 200


@bp.route("/<int:enrolment_id>/vae/experiences/<int:experience_id>/delete", methods=["POST"])
@login_required
def experience_delete(enrolment_id: int, experience_id: int):
    enrolment = _dossier(enrolment_id)
    row = _experience(enrolment, experience_id, "edit")
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.delete_experience(row, actor=current_user)
    db.session.commit()
    flash(_("The experience has been deleted."), "success")
    return redirect(url_for(".dossier", enrolment_id=enrolment.id))


# --- proofs ---------------------------------------------------------------------------------------

@bp.route("/<int:enrolment_id>/vae/experiences/<int:experience_id>/proofs/new", methods=["GET", "POST"])
@login_required
def proof_create(enrolment_id: int, experience_id: int):
    enrolment = _dossier(enrolment_id)
    row = _experience(enrolment, experience_id, "edit")
    form = ProofForm()
    status = 200
    if form.validate_on_submit():
        uploads = [(f.stream, f.filename) for f in form.chosen_files()]
        try:
            services.add_proof(row, kind=form.kind.data, title=form.title.data, url=form.url.data or None,
                               uploads=uploads, actor=current_user)
        except services.DossierError as exc:
            db.session.rollback()
            _field_error(form, exc, form.files)
        except UploadError as exc:
            db.session.rollback()
            form.files.errors = [*form.files.errors, _("This file was not accepted: %(reason)s", reason=str(exc))]
            status = exc.status
        else:
            db.session.commit()
            flash(_("The proof has been added."), "success")
            return redirect(url_for(".experience", enrolment_id=enrolment.id, experience_id=row.id))
    if form.errors and status == 200:
        status = 422
    return render_template("vae/proof_form.html", enrolment=enrolment, experience=row, form=form), status


@bp.route("/<int:enrolment_id>/vae/proofs/<int:proof_id>/delete", methods=["POST"])
@login_required
def proof_delete(enrolment_id: int, proof_id: int):
    enrolment = _dossier(enrolment_id)
    proof = db.session.get(ExperienceProof, proof_id)
    if proof is None or proof.experience.enrolment_id != enrolment.id:
        abort(404)
    require("edit", proof)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    experience_id = proof.experience_id
    services.delete_proof(proof, actor=current_user)
    db.session.commit()
    flash(_("The proof has been deleted."), "success")
    return redirect(url_for(".experience", enrolment_id=enrolment.id, experience_id=experience_id))


# --- competences of an experience -----------------------------------------------------------------

@bp.route("/<int:enrolment_id>/vae/experiences/<int:experience_id>/competences", methods=["GET", "POST"])
@login_required
def experience_competences(enrolment_id: int, experience_id: int):
    enrolment = _dossier(enrolment_id)
    row = _experience(enrolment, experience_id, "edit")
    form = ConfirmForm()
    blocs = services.required_blocs(enrolment)
    chosen = {link.competence_id: link.justification for link in row.competences}
    errors: list[str] = []
    if form.validate_on_submit():
        allowed = services.required_competences(enrolment)
        mapping = {}
        for value in request.form.getlist("competence"):
            if not value.isdigit() or int(value) not in allowed:
                abort(400)
            cid = int(value)
            mapping[cid] = request.form.get(f"justification-{cid}", "")
            if len(mapping[cid]) > MAX_TEXT:
                errors.append(_("The justification of %(code)s is longer than %(max)d characters.",
                                code=allowed[cid].code, max=MAX_TEXT))
        chosen = mapping
        if not errors:
            services.map_competences(row, mapping, actor=current_user)
            db.session.commit()
            flash(_("The competences of this experience have been saved."), "success")
            return redirect(url_for(".experience", enrolment_id=enrolment.id, experience_id=row.id))
    elif request.method == "POST":
        abort(400)
    return render_template("vae/competences.html", enrolment=enrolment, experience=row, blocs=blocs,
                           chosen=chosen, form=form, errors=errors), 422 if errors else 200


# --- self-positioning -----------------------------------------------------------------------------

@bp.route("/<int:enrolment_id>/vae/positioning", methods=["GET", "POST"])
@login_required
def positioning(enrolment_id: int):
    enrolment = _dossier(enrolment_id)
    may_edit = can(current_user, "edit_vae_dossier", enrolment)
    if request.method == "POST" and not may_edit:
        abort(403)
    form = ConfirmForm()
    blocs = services.required_blocs(enrolment)
    current = {cid: (row.level, row.comment or "") for cid, row in services.positioning_of(enrolment).items()}
    errors: list[str] = []
    if may_edit and form.validate_on_submit():
        answers = {}
        for cid, competence in services.required_competences(enrolment).items():
            level = request.form.get(f"level-{cid}") or None
            comment = request.form.get(f"comment-{cid}", "")
            if level not in (None, *POSITIONING_LABELS):
                abort(400)
            if len(comment) > MAX_TEXT:
                errors.append(_("The comment on %(code)s is longer than %(max)d characters.",
                                code=competence.code, max=MAX_TEXT))
            answers[cid] = (level, comment)
        current = {cid: (level, comment) for cid, (level, comment) in answers.items() if level or comment}
        if not errors:
            services.save_positioning(enrolment, answers, actor=current_user)
            db.session.commit()
            flash(_("Your self-positioning has been saved."), "success")
            return redirect(url_for(".positioning", enrolment_id=enrolment.id))
    elif request.method == "POST":
        abort(400)
    return render_template("vae/positioning.html", enrolment=enrolment, blocs=blocs, current=current, form=form,
                           may_edit=may_edit, levels=POSITIONING_LABELS, errors=errors), 422 if errors else 200


# --- admissibility --------------------------------------------------------------------------------

@bp.route("/<int:enrolment_id>/vae/admissibility", methods=["GET", "POST"])
@login_required
def admissibility(enrolment_id: int):
    enrolment = _dossier(enrolment_id, "decide_admissibility")
    form = AdmissibilityForm()
    if form.validate_on_submit():
        try:
            services.record_admissibility(enrolment, decision=form.decision.data, decided_on=form.decided_on.data,
                                          reason=form.reason.data, actor=current_user)
        except services.DossierError as exc:
            db.session.rollback()
            _field_error(form, exc, form.decision)
        else:
            db.session.commit()
            flash(_("The admissibility decision has been recorded."), "success")
            return redirect(url_for(".dossier", enrolment_id=enrolment.id))
    return render_template("vae/admissibility.html", enrolment=enrolment, form=form,
                           history=services.admissibility_history(enrolment), decisions=DECISION_LABELS), \
        422 if form.errors else 200
