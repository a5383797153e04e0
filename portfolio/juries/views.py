"""Pages of the jury sessions: the list, creation and composition (admins), the session page, the
deliberation of each candidate bloc by bloc (members; the president or secretary decides), closing
(the president), and an enrolment's decisions across sessions (the candidate and staff).

Views load the object, ask the policy, call a service, and commit once. A refusal of the services is
shown on the page with its status (403, 409, 422), never as a bare error.
"""
from __future__ import annotations

import smtplib
from datetime import UTC

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import format_date, format_datetime, ngettext, to_user_timezone, to_utc
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User, UserRole
from ..accounts.services import get_user_by_email
from ..enrolments.models import Enrolment
from ..enrolments.services import certification_status
from ..extensions import db
from ..labels import option_label, route_label
from ..policy import can, require, require_role
from ..referential.models import Certification
from . import ledger, services
from .composition import check_composition, member_conflicts, session_conflicts
from .convocations import send_convocations
from .forms import (
    ATTENDANCE_CHOICES,
    DECISION_CHOICES,
    KIND_CHOICES,
    ROLE_CHOICES,
    AttendanceForm,
    CandidateForm,
    ConfirmForm,
    ConflictForm,
    DecisionForm,
    MemberForm,
    SessionForm,
    SlotForm,
)
from .models import JuryCandidate, JuryConflict, JuryMember, JurySession
from .permissions import member_of
from .services import JuryError

bp = Blueprint("juries", __name__)
MAX_CHOICES = 500


@bp.context_processor
def helpers():
    return {
        "format_date": format_date, "format_datetime": format_datetime,
        "decision_label": lambda code: dict(DECISION_CHOICES).get(code, code),
        "attendance_label": lambda code: dict(ATTENDANCE_CHOICES).get(code, code),
        "member_role_label": lambda code: dict(ROLE_CHOICES).get(code, code),
        "conflict_label": lambda code: dict(KIND_CHOICES).get(code, code),
        "endpoint_exists": lambda name: name in current_app.view_functions,
    }


def _session(session_id: int, action: str = "view") -> JurySession:
    return require(action, db.session.get(JurySession, session_id))


def _candidate(session: JurySession, enrolment_id: int) -> JuryCandidate:
    candidate = services.session_candidate(session, enrolment_id)
    if candidate is None:
        abort(404)
    return candidate


def _utc(value):
    return to_utc(value).replace(tzinfo=UTC) if value else None


def _local(value):
    return to_user_timezone(value).replace(tzinfo=None) if value else None


def _to_detail(session: JurySession, anchor: str = ""):
    return redirect(url_for(".detail", session_id=session.id) + (f"#{anchor}" if anchor else ""))


def _send(session: JurySession) -> int | None:
    """Send the convocations after the change is committed; None when the mail server failed."""
    try:
        sent = send_convocations(session, actor=current_user)
        db.session.commit()
        return sent
    except (smtplib.SMTPException, OSError):
        current_app.logger.exception("convocations of jury session %s not sent", session.id)
        db.session.rollback()
        return None


def _flash_sent(sent: int | None) -> None:
    if sent is None:
        flash(_("The convocations could not be sent: the mail server did not answer. Try again later."), "error")
    else:
        flash(ngettext("%(num)d convocation was sent.", "%(num)d convocations were sent.", sent), "success")


# --- lists ----------------------------------------------------------------------------------------

@bp.route("/jury-sessions/")
@login_required
def index():
    require_role("admin", "jury")
    query = (select(JurySession).options(selectinload(JurySession.members), selectinload(JurySession.candidates))
             .order_by(JurySession.date.desc(), JurySession.id.desc()))
    mine = not current_user.has_role("admin")
    if mine:
        query = query.where(JurySession.id.in_(
            select(JuryMember.session_id).where(JuryMember.user_id == current_user.id)))
    sessions = db.session.scalars(query.limit(MAX_CHOICES)).all()
    return render_template("juries/index.html", sessions=sessions, mine=mine, member_of=member_of)


def _certification_choices() -> list[tuple[str, str]]:
    rows = db.session.scalars(select(Certification).where(Certification.is_current.is_(True))
                              .order_by(Certification.code))
    return [(c.code, f"{c.code} · {c.title}") for c in rows]


@bp.route("/jury-sessions/new", methods=["GET", "POST"])
@login_required
def create():
    require_role("admin")
    form = SessionForm()
    form.certification.choices = _certification_choices()
    if form.validate_on_submit():
        from ..referential.services import current_certification

        try:
            session = services.create_session(current_certification(form.certification.data), form.date.data,
                                              form.route.data, place=form.place.data, actor=current_user)
        except JuryError as exc:
            db.session.rollback()
            getattr(form, exc.field or "route", form.route).errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("The session has been created. Add its members and candidates, then open it."), "success")
            return _to_detail(session)
    return render_template("juries/create.html", form=form), 422 if form.errors else 200


# --- the session page -----------------------------------------------------------------------------

def _member_choices(form: MemberForm, session: JurySession) -> None:
    seated = {m.user_id for m in session.members}
    users = db.session.scalars(select(User).join(UserRole).where(UserRole.role == "jury")
                               .order_by(User.name).limit(MAX_CHOICES))
    form.user.choices = [("", _("Choose a jury member"))] + [
        (u.email, f"{u.name} ({u.email})") for u in users if u.id not in seated]


def _eligible_enrolments(session: JurySession) -> list[Enrolment]:
    routes = ("vae",) if session.route == "vae" else services.TRAINING_ROUTES
    busy = (select(JuryCandidate.id).join(JurySession, JuryCandidate.session_id == JurySession.id)
            .where(JuryCandidate.enrolment_id == Enrolment.id, JurySession.status != "closed"))
    query = (select(Enrolment).join(Certification, Enrolment.certification_id == Certification.id)
             .join(User, Enrolment.user_id == User.id)
             .where(Certification.code == session.certification.code, Enrolment.route.in_(routes), ~exists(busy))
             .options(selectinload(Enrolment.candidate)).order_by(User.name).limit(MAX_CHOICES))
    return list(db.session.scalars(query))


def _candidate_choices(form: CandidateForm, session: JurySession) -> None:
    form.enrolment.choices = [("", _("Choose a candidate"))] + [
        (str(e.id), f"{e.candidate.name} ({e.candidate.email}) · {route_label(e.route)}"
                    + (f" · {option_label(e.option)}" if e.option else ""))
        for e in _eligible_enrolments(session)]


def _conflict_choices(form: ConflictForm, session: JurySession) -> None:
    me = member_of(current_user, session)
    if current_user.has_role("admin"):
        form.member.choices = [(str(m.id), f"{m.user.name} ({dict(ROLE_CHOICES)[m.role]})") for m in session.members]
    else:
        form.member.choices = [(str(me.id), me.user.name)] if me else []
        form.kind.choices = [c for c in KIND_CHOICES if c[0] == "declared"]
    form.enrolment.choices = [(str(c.enrolment_id), c.enrolment.candidate.name) for c in session.candidates]


def _detail(session: JurySession, *, status: int = 200, error: str | None = None, member_form=None,
            candidate_form=None, conflict_form=None):
    is_admin = current_user.has_role("admin")
    draft, closed = session.status == "draft", session.status == "closed"
    if is_admin and draft:
        member_form = member_form or MemberForm(formdata=None)
        _member_choices(member_form, session)
        candidate_form = candidate_form or CandidateForm(formdata=None)
        _candidate_choices(candidate_form, session)
    if not closed and session.members and session.candidates and can(current_user, "declare_conflict", session):
        conflict_form = conflict_form or ConflictForm(formdata=None)
        _conflict_choices(conflict_form, session)
    report = check_composition(session) if not closed else None
    progress = {}
    for c in session.candidates:
        examined = ledger.blocs_to_examine(session, c.enrolment)
        decided = ledger.current_in_session(session, c.enrolment_id)
        progress[c.enrolment_id] = (sum(1 for b in examined if b.code in decided), len(examined))
    return render_template(
        "juries/detail.html", session=session, me=member_of(current_user, session), is_admin=is_admin,
        report=report, conflicts=report.conflicts if report else session_conflicts(session), progress=progress,
        pending=services.pending_decisions(session) if session.status == "open" else [],
        member_form=member_form, candidate_form=candidate_form, conflict_form=conflict_form,
        slot_form=SlotForm(formdata=None) if is_admin and not closed and session.route == "vae" else None,
        confirm=ConfirmForm(formdata=None), error=error, local=_local,
        may_close=can(current_user, "close", session) and session.status == "open",
    ), status


@bp.route("/jury-sessions/<int:session_id>")
@login_required
def detail(session_id: int):
    return _detail(_session(session_id))


def _refused(session: JurySession, exc: JuryError, **forms):
    db.session.rollback()
    return _detail(session, status=exc.status, error=str(exc), **forms)


@bp.route("/jury-sessions/<int:session_id>/members", methods=["POST"])
@login_required
def add_member(session_id: int):
    session = _session(session_id, "compose")
    try:
        services.require_draft(session)
    except JuryError as exc:
        return _refused(session, exc)
    form = MemberForm()
    _member_choices(form, session)
    if not form.validate_on_submit():
        return _detail(session, status=422, member_form=form)
    try:
        services.add_member(session, get_user_by_email(form.user.data), form.role.data,
                            is_professional=form.is_professional.data, is_academic=form.is_academic.data,
                            gender=form.gender.data or None, actor=current_user)
    except JuryError as exc:
        db.session.rollback()
        getattr(form, exc.field or "user", form.user).errors.append(str(exc))
        return _detail(session, status=exc.status, member_form=form)
    db.session.commit()
    flash(_("The member has been added."), "success")
    return _to_detail(session, "members")


@bp.route("/jury-sessions/<int:session_id>/members/<int:member_id>/remove", methods=["POST"])
@login_required
def remove_member(session_id: int, member_id: int):
    session = _session(session_id, "compose")
    member = next((m for m in session.members if m.id == member_id), None)
    if member is None:
        abort(404)
    try:
        services.remove_member(member, actor=current_user)
    except JuryError as exc:
        return _refused(session, exc)
    db.session.commit()
    flash(_("The member has been removed."), "success")
    return _to_detail(session, "members")


@bp.route("/jury-sessions/<int:session_id>/candidates", methods=["POST"])
@login_required
def add_candidate(session_id: int):
    session = _session(session_id, "compose")
    try:
        services.require_draft(session)
    except JuryError as exc:
        return _refused(session, exc)
    form = CandidateForm()
    _candidate_choices(form, session)
    if not form.validate_on_submit():
        return _detail(session, status=422, candidate_form=form)
    try:
        services.add_candidate(session, db.session.get(Enrolment, int(form.enrolment.data)),
                               slot_at=_utc(form.slot_at.data), actor=current_user)
    except JuryError as exc:
        db.session.rollback()
        field = getattr(form, exc.field, None) if exc.field else None
        (field or form.enrolment).errors.append(str(exc))
        return _detail(session, status=exc.status, candidate_form=form)
    db.session.commit()
    flash(_("The candidate has been added."), "success")
    return _to_detail(session, "candidates")


@bp.route("/jury-sessions/<int:session_id>/candidates/<int:enrolment_id>/remove", methods=["POST"])
@login_required
def remove_candidate(session_id: int, enrolment_id: int):
    session = _session(session_id, "compose")
    candidate = _candidate(session, enrolment_id)
    try:
        services.remove_candidate(candidate, actor=current_user)
    except JuryError as exc:
        return _refused(session, exc)
    db.session.commit()
    flash(_("The candidate has been removed from the session."), "success")
    return _to_detail(session, "candidates")


@bp.route("/jury-sessions/<int:session_id>/candidates/<int:enrolment_id>/slot", methods=["POST"])
@login_required
def set_slot(session_id: int, enrolment_id: int):
    session = _session(session_id, "compose")
    candidate = _candidate(session, enrolment_id)
    form = SlotForm()
    if not form.validate_on_submit():
        return _detail(session, status=422, error=_("The time slot is not a valid date and time."))
    try:
        services.set_slot(candidate, _utc(form.slot_at.data), actor=current_user)
    except JuryError as exc:
        return _refused(session, exc)
    db.session.commit()
    flash(_("The time slot has been saved."), "success")
    return _to_detail(session, "candidates")


@bp.route("/jury-sessions/<int:session_id>/conflicts", methods=["POST"])
@login_required
def add_conflict(session_id: int):
    session = _session(session_id, "declare_conflict")
    try:
        services.require_not_closed(session)
    except JuryError as exc:
        return _refused(session, exc)
    form = ConflictForm()
    _conflict_choices(form, session)
    if not form.validate_on_submit():
        return _detail(session, status=422, conflict_form=form)
    member = next(m for m in session.members if str(m.id) == form.member.data)
    enrolment = _candidate(session, int(form.enrolment.data)).enrolment
    try:
        services.record_conflict(member, enrolment, form.kind.data, form.note.data, actor=current_user)
    except JuryError as exc:
        db.session.rollback()
        getattr(form, exc.field or "enrolment", form.enrolment).errors.append(str(exc))
        return _detail(session, status=exc.status, conflict_form=form)
    db.session.commit()
    flash(_("The link has been recorded: this member may not sit for this candidate."), "success")
    return _to_detail(session, "conflicts")


@bp.route("/jury-sessions/<int:session_id>/conflicts/<int:conflict_id>/remove", methods=["POST"])
@login_required
def remove_conflict(session_id: int, conflict_id: int):
    session = _session(session_id, "compose")
    row = db.session.get(JuryConflict, conflict_id)
    if row is None or row.member_id not in {m.id for m in session.members}:
        abort(404)
    try:
        services.remove_conflict(row, session, actor=current_user)
    except JuryError as exc:
        return _refused(session, exc)
    db.session.commit()
    flash(_("The link has been withdrawn."), "success")
    return _to_detail(session, "conflicts")


@bp.route("/jury-sessions/<int:session_id>/open", methods=["POST"])
@login_required
def open(session_id: int):  # noqa: A001 (the endpoint's name)
    session = _session(session_id, "compose")
    try:
        report = services.open_session(session, actor=current_user)
    except JuryError as exc:
        return _refused(session, exc)
    db.session.commit()
    flash(_("The session is open: its president or secretary can now record the decisions."), "success")
    for warning in report.warnings:
        flash(warning.message, "warning")
    _flash_sent(_send(session))
    return _to_detail(session)


@bp.route("/jury-sessions/<int:session_id>/convocations", methods=["POST"])
@login_required
def convocations(session_id: int):
    session = _session(session_id, "compose")
    try:
        services.require_not_closed(session)
    except JuryError as exc:
        return _refused(session, exc)
    _flash_sent(_send(session))
    return _to_detail(session)


@bp.route("/jury-sessions/<int:session_id>/close", methods=["POST"])
@login_required
def close(session_id: int):
    session = _session(session_id, "close")
    try:
        services.close_session(session, actor=current_user)
    except JuryError as exc:
        return _refused(session, exc)
    db.session.commit()
    flash(_("The session is closed: its decisions are final."), "success")
    return _to_detail(session)


# --- deliberation ---------------------------------------------------------------------------------

def _proposals(enrolment: Enrolment) -> dict:
    """The platform's proposal per bloc (from the grades and rules), when the grading feature is there."""
    try:
        from ..grading.status import bloc_statuses
    except ImportError:
        return {}
    return {row.bloc: row for row in bloc_statuses([enrolment.id]).get(enrolment.id, [])}


def _deliberation(session: JurySession, candidate: JuryCandidate, *, status: int = 200, error: str | None = None,
                  forms: dict | None = None, attendance_form=None):
    enrolment = candidate.enrolment
    me = member_of(current_user, session)
    conflicts = member_conflicts(me, enrolment) if me else []
    may_decide = (can(current_user, "decide", session) and session.status == "open" and not conflicts
                  and candidate.attendance not in ("absent", "excused"))
    examined = ledger.blocs_to_examine(session, enrolment)
    acquired = ledger.acquired_blocs(enrolment, other_than=session)
    current = ledger.current_in_session(session, enrolment.id)
    forms = dict(forms or {})
    if may_decide:
        for bloc in ledger.registered_blocs(enrolment):
            if bloc.code not in forms:
                previous = current.get(bloc.code) or acquired.get(bloc.code)
                forms[bloc.code] = DecisionForm(formdata=None, prefix=bloc.code,
                                                data={"revokes": str(previous.id) if previous else ""})
    history = ledger.session_decisions(session, enrolment.id)
    if attendance_form is None and can(current_user, "decide", session) and session.status == "open":
        attendance_form = AttendanceForm(formdata=None, data={"attendance": candidate.attendance})
    return render_template(
        "juries/deliberation.html", session=session, candidate=candidate, enrolment=enrolment, me=me,
        conflicts=conflicts, may_decide=may_decide, examined=examined, acquired=acquired, current=current,
        forms=forms, history=history, revoked_by=ledger.revoked_by(history), proposals=_proposals(enrolment),
        attendance_form=attendance_form, is_president=can(current_user, "cast_vote", session), error=error,
    ), status


@bp.route("/jury-sessions/<int:session_id>/candidates/<int:enrolment_id>")
@login_required
def deliberation(session_id: int, enrolment_id: int):
    session = _session(session_id)
    return _deliberation(session, _candidate(session, enrolment_id))


@bp.route("/jury-sessions/<int:session_id>/candidates/<int:enrolment_id>/blocs/<bloc_code>/decision",
          methods=["POST"])
@login_required
def decide(session_id: int, enrolment_id: int, bloc_code: str):
    session = _session(session_id, "decide")
    candidate = _candidate(session, enrolment_id)
    form = DecisionForm(prefix=bloc_code)
    if not form.validate_on_submit():
        return _deliberation(session, candidate, status=422, forms={bloc_code: form})
    revokes = int(form.revokes.data) if (form.revokes.data or "").isdigit() else None
    try:
        services.record_decision(
            session, candidate.enrolment, bloc_code, form.decision.data, actor=current_user,
            comment=form.comment.data, recommendations=form.recommendations.data,
            is_casting_vote=form.is_casting_vote.data, revokes=revokes, reason=form.reason.data)
    except JuryError as exc:
        db.session.rollback()
        field = getattr(form, exc.field, None) if exc.field in ("decision", "comment", "recommendations",
                                                               "reason") else None
        if field is not None:
            field.errors.append(str(exc))
        return _deliberation(session, candidate, status=exc.status, forms={bloc_code: form},
                             error=None if field is not None else str(exc))
    db.session.commit()
    flash(_("The decision on %(bloc)s has been recorded.", bloc=bloc_code.upper()), "success")
    return redirect(url_for(".deliberation", session_id=session.id, enrolment_id=enrolment_id))


@bp.route("/jury-sessions/<int:session_id>/candidates/<int:enrolment_id>/attendance", methods=["POST"])
@login_required
def attendance(session_id: int, enrolment_id: int):
    session = _session(session_id, "decide")
    candidate = _candidate(session, enrolment_id)
    form = AttendanceForm()
    if not form.validate_on_submit():
        return _deliberation(session, candidate, status=422, attendance_form=form)
    try:
        services.set_attendance(candidate, form.attendance.data, actor=current_user)
    except JuryError as exc:
        db.session.rollback()
        return _deliberation(session, candidate, status=exc.status, error=str(exc))
    db.session.commit()
    flash(_("The attendance has been recorded."), "success")
    return redirect(url_for(".deliberation", session_id=session.id, enrolment_id=enrolment_id))


# --- an enrolment's decisions across sessions -------------------------------------------------------

@bp.route("/enrolments/<int:enrolment_id>/decisions")
@login_required
def enrolment_decisions(enrolment_id: int):
    enrolment = require("view", db.session.get(Enrolment, enrolment_id))
    history = ledger.decision_history(enrolment, current_user)
    sessions: list[tuple[JurySession, list]] = []
    for decision in history:
        if not sessions or sessions[-1][0].id != decision.session_id:
            sessions.append((decision.session, []))
        sessions[-1][1].append(decision)
    final = ledger.current_bloc_decisions([enrolment.id]).get(enrolment.id, {})
    return render_template(
        "juries/history.html", enrolment=enrolment, sessions=sessions, final=final,
        registered=ledger.registered_blocs(enrolment), status=certification_status(enrolment),
        revoked_by=ledger.revoked_by(history), may_documents=can(current_user, "read_attestation", enrolment))
