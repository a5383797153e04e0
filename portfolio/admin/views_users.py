"""Administration of users: list, create, edit, send a password-setting link."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..accounts.models import ROLES, User, UserRole
from ..accounts.services import AccountError, create_user, get_user_by_email
from ..enrolments.models import Enrolment
from ..extensions import db
from .forms import ConfirmForm, UserCreateForm, UserEditForm
from .services import SelfLockoutError, paginate, send_password_setup_mail, update_user
from .views import bp, page_number


def duplicate_email_message() -> str:
    return _("A user with this email already exists.")


@bp.route("/users")
def users():
    q = request.args.get("q", "").strip()[:200]
    role = request.args.get("role", "")
    query = select(User).order_by(User.name, User.id)
    if q:
        query = query.where(or_(User.name.icontains(q, autoescape=True), User.email.icontains(q, autoescape=True)))
    if role in ROLES:
        query = query.where(User.role_rows.any(UserRole.role == role))
    else:
        role = ""
    page = paginate(query, page_number())
    return render_template("admin/users.html", page=page, q=q, role=role, roles=ROLES)


@bp.route("/users/new", methods=["GET", "POST"])
def user_create():
    form = UserCreateForm()
    if form.validate_on_submit():
        user = None
        if get_user_by_email(form.email.data) is not None:
            form.email.errors.append(duplicate_email_message())
        else:
            try:
                user = create_user(form.email.data, form.name.data, form.roles.data,
                                   password=form.password.data or None, actor=current_user)
            except AccountError as exc:
                target = form.password if "password" in str(exc) else form.email
                target.errors.append(str(exc))
            except IntegrityError:  # created by someone else in the meantime
                db.session.rollback()
                form.email.errors.append(duplicate_email_message())
        if user is not None:
            db.session.commit()
            if form.password.data:
                flash(_("The user %(email)s has been created.", email=user.email), "success")
            else:
                send_password_setup_mail(user)
                flash(_("The user %(email)s has been created and sent a link to choose a password.",
                        email=user.email), "success")
            return redirect(url_for(".user_edit", user_id=user.id))
    return render_template("admin/user_create.html", form=form)


def _load_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    user = _load_user(user_id)
    if request.method == "POST":
        form = UserEditForm()
    else:
        form = UserEditForm(data={"name": user.name, "roles": user.roles, "is_active": user.is_active_account})
    if form.validate_on_submit():
        try:
            update_user(user, form.name.data, form.roles.data, form.is_active.data, actor=current_user)
        except SelfLockoutError as exc:  # raised before anything changed
            getattr(form, exc.field).errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("The changes have been saved."), "success")
            return redirect(url_for(".user_edit", user_id=user.id))
    enrolments = db.session.scalars(
        select(Enrolment).where(Enrolment.user_id == user.id)
        .options(selectinload(Enrolment.certification), selectinload(Enrolment.cohort))
        .order_by(Enrolment.id).limit(50)
    ).all()
    return render_template("admin/user_edit.html", user=user, form=form, enrolments=enrolments,
                           mail_form=ConfirmForm())


@bp.route("/users/<int:user_id>/password-mail", methods=["POST"])
def user_password_mail(user_id: int):
    user = _load_user(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not user.is_active_account:
        flash(_("This account is deactivated; activate it before sending a link."), "error")
    else:
        send_password_setup_mail(user)
        flash(_("A link to choose a password has been sent to %(email)s.", email=user.email), "success")
    return redirect(url_for(".user_edit", user_id=user.id))
