"""Pages of the verifiable credentials.

The candidate's: ``/enrolments/<id>/credentials`` lists the validated blocs, issues a credential on
demand and downloads it as a VC-JWT (``.jwt``) or as its JSON-LD (``.json``). Public, without signing in:
``/credentials/<public_id>`` verifies an issued credential, ``/credentials/verify`` verifies a pasted
VC-JWT, ``/credentials/jwks.json`` publishes the public key and ``/credentials/issuer`` the issuer's profile.
"""
from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..enrolments.models import Enrolment
from ..extensions import db, limiter
from ..policy import require
from . import credentials
from .models import BlocDecision, IssuedCredential

bp = Blueprint("credentials", __name__)


class IssueForm(FlaskForm):
    submit = SubmitField(_l("Get the credential"))


class VerifyForm(FlaskForm):
    token = TextAreaField(_l("The credential (VC-JWT)"),
                          validators=[DataRequired(message=_l("Paste the credential to verify.")),
                                      Length(max=credentials.MAX_TOKEN_LENGTH)],
                          description=_l("The content of the .jwt file: three parts separated by dots."))
    submit = SubmitField(_l("Verify"))


def _unavailable(exc: credentials.CredentialError):
    return render_template("error.html", code=exc.status, name=_("Unavailable"), description=str(exc)), exc.status


# --- the candidate's credentials -------------------------------------------------------------------------

def _enrolment(enrolment_id: int) -> Enrolment:
    return require("manage_credentials", db.session.get(Enrolment, enrolment_id))


@bp.route("/enrolments/<int:enrolment_id>/credentials")
@login_required
def enrolment_credentials(enrolment_id: int):
    enrolment = _enrolment(enrolment_id)
    credentials.revoke_superseded()
    db.session.commit()
    issued = credentials.credentials_of(enrolment)
    active = {c.decision_id: c for c in issued if c.revoked_at is None}
    return render_template("credentials/enrolment.html", enrolment=enrolment, issue_form=IssueForm(),
                           decisions=credentials.credential_decisions(enrolment), active=active,
                           revoked=[c for c in issued if c.revoked_at is not None])


@bp.route("/enrolments/<int:enrolment_id>/credentials/issue/<int:decision_id>", methods=["POST"])
@login_required
def issue(enrolment_id: int, decision_id: int):
    enrolment = _enrolment(enrolment_id)
    decision = db.session.get(BlocDecision, decision_id)
    if decision is None or decision.enrolment_id != enrolment.id:
        abort(404)
    if not IssueForm().validate_on_submit():
        flash(_("The form expired; please submit it again."), "error")
        return redirect(url_for(".enrolment_credentials", enrolment_id=enrolment.id), 303)
    try:
        record = credentials.issue_credential(decision, actor=current_user)
    except credentials.CredentialError as exc:
        db.session.rollback()
        if exc.status == 503:
            return _unavailable(exc)
        flash(str(exc), "error")
        return redirect(url_for(".enrolment_credentials", enrolment_id=enrolment.id), 303)
    db.session.commit()
    flash(_("The credential of %(bloc)s is ready: download it or share its verification link.",
            bloc=decision.bloc.code), "success")
    return redirect(url_for(".enrolment_credentials", enrolment_id=enrolment.id, _anchor=f"bloc-{record.id}"), 303)


def _own_credential(enrolment: Enrolment, public_id: str) -> IssuedCredential:
    record = db.session.scalar(select(IssuedCredential).where(IssuedCredential.public_id == public_id))
    if record is None or record.enrolment_id != enrolment.id:
        abort(404)
    return record


def _filename(record: IssuedCredential, extension: str) -> str:
    return f"{record.decision.bloc.full_code}-credential.{extension}"


@bp.route("/enrolments/<int:enrolment_id>/credentials/<public_id>.jwt")
@login_required
def download_jwt(enrolment_id: int, public_id: str):
    record = _own_credential(_enrolment(enrolment_id), public_id)
    return Response(record.jwt, mimetype="application/vc+jwt",
                    headers={"Content-Disposition": f"attachment; filename={_filename(record, 'jwt')}"})


@bp.route("/enrolments/<int:enrolment_id>/credentials/<public_id>.json")
@login_required
def download_json(enrolment_id: int, public_id: str):
    record = _own_credential(_enrolment(enrolment_id), public_id)
    body = json.dumps(credentials.credential_of(record), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/ld+json",
                    headers={"Content-Disposition": f"attachment; filename={_filename(record, 'json')}"})


# --- public: verification, key, issuer -------------------------------------------------------------------

@bp.route("/credentials/jwks.json")
def jwks():
    try:
        keys = credentials.jwks()
    except credentials.CredentialError as exc:
        return _unavailable(exc)
    response = jsonify(keys)
    response.mimetype = "application/jwk-set+json"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/credentials/issuer")
def issuer():
    profile = {"@context": list(credentials.CONTEXTS), **credentials.issuer_profile()}
    response = jsonify(profile)
    response.mimetype = "application/ld+json"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/credentials/verify", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def verify():
    form = VerifyForm()
    result = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                result = credentials.verify(form.token.data)
            except credentials.CredentialError as exc:
                return _unavailable(exc)
        else:
            status = 422
    return render_template("credentials/verify.html", form=form, result=result), status


@bp.route("/credentials/<public_id>")
def public(public_id: str):
    record = db.session.scalar(select(IssuedCredential).where(IssuedCredential.public_id == public_id))
    if record is None:
        abort(404)
    try:
        result = credentials.verify_record(record)
    except credentials.CredentialError as exc:
        return _unavailable(exc)
    decision = record.decision
    return render_template("credentials/public.html", record=record, result=result, decision=decision,
                           bloc=decision.bloc, certification=decision.bloc.certification,
                           holder=record.decision.enrolment.candidate, form=VerifyForm(formdata=None))
