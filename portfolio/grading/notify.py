"""Telling the candidate that feedback has been released, once they may see it.

With double marking the candidate sees nothing until both independent markings are released, so
the mail goes with the release that lifts the blind (and with a third assessor's release).
"""
from __future__ import annotations

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..mail import send_mail
from .models import Marking
from .permissions import blind_lifted, is_double_marked


def deliverable_link(deliverable_id: int) -> str:
    """The deliverable's page on the configured public address (never the request's Host header)."""
    try:
        path = url_for("evidence.deliverable", deliverable_id=deliverable_id, _external=False)
    except (RuntimeError, LookupError, ValueError):  # no request and no SERVER_NAME, or the page is missing
        path = f"/deliverables/{deliverable_id}"
    return current_app.config["EXTERNAL_URL"].rstrip("/") + path


def candidate_may_see(marking: Marking) -> bool:
    deliverable = marking.version.deliverable
    if not is_double_marked(deliverable):
        return True
    markings = db.session.scalars(select(Marking).where(Marking.version_id == marking.version_id)).all()
    return blind_lifted(markings, True)


def notify_release(marking: Marking) -> bool:
    """Mail the candidate about a release they may now see; returns whether a mail was sent."""
    if not candidate_may_see(marking):
        return False
    deliverable = marking.version.deliverable
    candidate = deliverable.enrolment.candidate
    with force_locale(candidate.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = _("Feedback on “%(title)s” is available", title=deliverable.title)
        body = _(
            "Hello %(name)s,\n\nYour assessor has released the grades and feedback on “%(title)s” "
            "(version %(number)d). Read them here:\n%(link)s\n\nYou may then submit a new version if you wish.\n",
            name=candidate.name, title=deliverable.title, number=marking.version.number,
            link=deliverable_link(deliverable.id))
    send_mail(candidate.email, subject, body)
    return True
