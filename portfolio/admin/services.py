"""What administrators do beyond the accounts and enrolments services: edit users, create cohorts,
change an enrolment, mail a password-setting link, and page through long lists."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from .. import audit
from ..accounts.models import User
from ..accounts.services import AccountError, reset_link, set_roles
from ..enrolments.models import Cohort, Enrolment
from ..enrolments.services import EnrolmentError, check_option, check_route
from ..extensions import db
from ..mail import send_mail
from ..referential.models import Certification


def send_password_setup_mail(user: User) -> None:
    """Mail ``user`` a link to choose their password (the reset link, valid for the reset delay).

    Needs an application context able to build external URLs (a request, or SERVER_NAME).
    """
    link = reset_link(user)
    hours = max(1, current_app.config["PASSWORD_RESET_MAX_AGE"] // 3600)
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        send_mail(
            user.email,
            _("Your portfolio account"),
            ngettext(
                "Hello %(name)s,\n\nAn account has been created for you on the DHEC portfolio.\n"
                "To choose your password, open this link within %(num)d hour:\n%(link)s\n\n"
                "Once it has expired, use “Forgot your password?” on the login page to get a new one.",
                "Hello %(name)s,\n\nAn account has been created for you on the DHEC portfolio.\n"
                "To choose your password, open this link within %(num)d hours:\n%(link)s\n\n"
                "Once it has expired, use “Forgot your password?” on the login page to get a new one.",
                hours, name=user.name, link=link,
            ),
        )


class SelfLockoutError(AccountError):
    """An administrator's change that would lock themselves out; ``field`` names what to correct."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def update_user(user: User, name: str, roles, is_active: bool, actor=None) -> None:
    """Change a user's name, roles and active flag. Raises SelfLockoutError when an admin would lock
    themselves out (removing their own admin role or deactivating their own account), AccountError
    for an unknown role."""
    roles = set(roles)
    if actor is not None and actor.id == user.id:
        if "admin" not in roles:
            raise SelfLockoutError(_("You cannot remove your own administrator role."), "roles")
        if not is_active:
            raise SelfLockoutError(_("You cannot deactivate your own account."), "is_active")
    before = {"name": user.name, "is_active": user.is_active_account}
    user.name = name.strip()
    user.is_active_account = bool(is_active)
    after = {"name": user.name, "is_active": user.is_active_account}
    if before != after:
        audit.record(actor, "user.update", "user", user.id, before=before, after=after)
    set_roles(user, roles, actor=actor)


def create_cohort(name: str, certification: Certification, academic_year: str | None = None, actor=None) -> Cohort:
    """Create a cohort. Raises EnrolmentError when the name is taken."""
    name = name.strip()
    if db.session.scalar(select(Cohort.id).where(Cohort.name == name)) is not None:
        raise EnrolmentError(_("A cohort with this name already exists."))
    cohort = Cohort(name=name, certification=certification, academic_year=academic_year or None)
    db.session.add(cohort)
    db.session.flush()
    audit.record(actor, "cohort.create", "cohort", cohort.id,
                 after={"name": name, "certification": certification.code, "academic_year": cohort.academic_year})
    return cohort


def update_enrolment(enrolment: Enrolment, route: str, option: str | None, cohort: Cohort | None,
                     actor=None) -> None:
    """Set an enrolment's route, option and cohort; unlike ``enrol``, None clears the option or cohort.

    Raises EnrolmentError (the enrolments service's message) for a route the fiche closes, an option
    it does not have, or a cohort of another certification.
    """
    certification = enrolment.certification
    check_route(certification, route)
    check_option(certification, option)
    if cohort is not None and cohort.certification_id != certification.id:
        raise EnrolmentError(f"the cohort '{cohort.name}' is not for {certification.code}")
    before = {"route": enrolment.route, "option": enrolment.option, "cohort": enrolment.cohort_id}
    enrolment.route = route
    enrolment.option = option
    enrolment.cohort = cohort
    db.session.flush()
    after = {"route": enrolment.route, "option": enrolment.option, "cohort": enrolment.cohort_id}
    if before != after:
        audit.record(actor, "enrolment.save", "enrolment", enrolment.id, before=before, after=after)


# --- paging ---------------------------------------------------------------------------------------

@dataclass
class Page:
    items: list
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def paginate(query: Select, number: int, per_page: int = 50) -> Page:
    """One page of ``query`` (LIMIT/OFFSET) and the total count; a page past the end shows the last."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, -(-total // per_page))
    number = min(max(1, number), pages)
    items = list(db.session.scalars(query.limit(per_page).offset((number - 1) * per_page)).unique())
    return Page(items, number, per_page, total)
