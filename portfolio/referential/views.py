"""Browsing the referential: certifications, blocs, competences and evaluation methods."""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..policy import require
from .models import Bloc, Certification
from .services import find_bloc

bp = Blueprint("referential", __name__, url_prefix="/certifications")


def _certification_or_404(code: str, version: int | None = None) -> Certification:
    query = select(Certification).where(Certification.code == code.upper()).options(
        selectinload(Certification.blocs).selectinload(Bloc.competences), selectinload(Certification.routes)
    )
    query = query.where(Certification.version == version) if version else query.where(
        Certification.is_current.is_(True))
    return require("view", db.session.scalar(query))


@bp.route("/")
@login_required
def index():
    certifications = db.session.scalars(
        select(Certification).where(Certification.is_current.is_(True)).order_by(Certification.code)
    ).all()
    return render_template("referential/index.html", certifications=certifications)


@bp.route("/<code>")
@login_required
def certification(code: str):
    cert = _certification_or_404(code)
    versions = db.session.scalars(
        select(Certification).where(Certification.code == cert.code).order_by(Certification.version.desc())
    ).all()
    return render_template("referential/certification.html", cert=cert, versions=versions)


@bp.route("/<code>/v<int:version>")
@login_required
def certification_version(code: str, version: int):
    cert = _certification_or_404(code, version)
    versions = db.session.scalars(
        select(Certification).where(Certification.code == cert.code).order_by(Certification.version.desc())
    ).all()
    return render_template("referential/certification.html", cert=cert, versions=versions)


@bp.route("/<code>/blocs/<bloc_code>")
@login_required
def bloc(code: str, bloc_code: str):
    cert = _certification_or_404(code)
    bloc = find_bloc(cert, bloc_code)
    if bloc is None:
        abort(404)
    return render_template("referential/bloc.html", cert=cert, bloc=bloc)
