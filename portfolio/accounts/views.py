"""Signing in and out, password reset, the profile page with API tokens, the language switch."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from .. import audit
from ..extensions import db, limiter
from ..i18n import LANG_COOKIE
from ..mail import send_mail
from ..policy import require
from . import services
from .forms import ChangePasswordForm, EmptyForm, ForgotPasswordForm, LoginForm, ResetPasswordForm, TokenForm
from .models import ApiToken

bp = Blueprint("accounts", __name__)


def _safe_next(target: str | None) -> str:
    """A local path to go to after a form, never another site.

    Browsers read a backslash as a slash and ignore tabs and newlines inside a URL, so a path holding
    any of them could still lead off-site: such a target is refused like ``//host`` or ``https://host``.
    """
    if (target and target.startswith("/") and not target.startswith("//")
            and not any(ch == "\\" or ord(ch) < 32 or ord(ch) == 127 for ch in target)
            and not urlsplit(target).netloc and not urlsplit(target).scheme):
        return target
    return url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data, request.remote_addr or "-")
        if user is not None:
            login_user(user, remember=form.remember.data)
            audit.record(user, "login", "user", user.id)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
        db.session.commit()  # keep the failed attempt
        form.password.errors = []
        flash(_("Invalid email or password."), "error")
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    if not EmptyForm().validate_on_submit():
        abort(400)
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = services.get_user_by_email(form.email.data)
        if user is not None and user.is_active:
            link = services.reset_link(user)
            with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
                send_mail(
                    user.email,
                    _("Reset your portfolio password"),
                    _("Hello %(name)s,\n\nTo choose a new password, open this link within one hour:\n%(link)s\n\n"
                      "If you did not ask for it, ignore this message.", name=user.name, link=link),
                )
        # The same answer whether or not the address exists.
        flash(_("If an account exists for this address, a reset link has been sent to it."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = services.user_for_reset_token(token)
    if user is None:
        flash(_("This reset link is invalid or has expired. Ask for a new one."), "error")
        return redirect(url_for("accounts.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.set_password(user, form.password.data)
        audit.record(user, "password.reset", "user", user.id)
        db.session.commit()
        flash(_("Your password has been changed. You can log in."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form)


@bp.route("/profile", methods=["GET"])
@login_required
def profile():
    tokens = db.session.scalars(
        db.select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.created_at.desc())
    ).all()
    return render_template(
        "accounts/profile.html", token_form=TokenForm(), password_form=ChangePasswordForm(),
        revoke_form=EmptyForm(), tokens=tokens, new_token=None,
    )


@bp.route("/profile/tokens", methods=["POST"])
@login_required
def create_token():
    form = TokenForm()
    if not form.validate_on_submit():
        flash(_("Give the token a name."), "error")
        return redirect(url_for("accounts.profile"))
    _row, token = services.create_api_token(current_user, form.name.data)
    db.session.commit()
    tokens = db.session.scalars(
        db.select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.created_at.desc())
    ).all()
    response = make_response(render_template(
        "accounts/profile.html", token_form=TokenForm(formdata=None), password_form=ChangePasswordForm(),
        revoke_form=EmptyForm(), tokens=tokens, new_token=token,
    ))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    row = require("revoke", db.session.get(ApiToken, token_id))
    if not EmptyForm().validate_on_submit():
        abort(400)
    services.revoke_api_token(row, actor=current_user)
    db.session.commit()
    flash(_("The token has been revoked."), "success")
    return redirect(url_for("accounts.profile"))


@bp.route("/profile/password", methods=["POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    ok = form.validate_on_submit()
    if ok and services.authenticate(current_user.email, form.current.data, request.remote_addr or "-") is None:
        form.current.errors.append(_("The current password is not correct."))
        ok = False
    if not ok:
        db.session.commit()
        tokens = db.session.scalars(db.select(ApiToken).where(ApiToken.user_id == current_user.id)).all()
        return render_template("accounts/profile.html", token_form=TokenForm(formdata=None), password_form=form,
                               revoke_form=EmptyForm(), tokens=tokens, new_token=None), 400
    user = current_user._get_current_object()  # the proxy itself would make login_user recurse forever
    services.set_password(user, form.password.data)
    audit.record(user, "password.change", "user", user.id)
    db.session.commit()
    # The session id changed with the nonce: sign this session in again (other sessions stay out),
    # with a fresh remember-me cookie when it had one.
    remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    login_user(user, remember=remember_cookie in request.cookies)
    flash(_("Your password has been changed."), "success")
    return redirect(url_for("accounts.profile"))


@bp.route("/language", methods=["POST"])
def set_language():
    lang = request.form.get("lang")
    if lang not in current_app.config["LANGUAGES"] or not EmptyForm().validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        current_user.locale = lang
        db.session.commit()
    response = redirect(_safe_next(request.form.get("next")))
    response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response
