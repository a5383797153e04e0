"""Convocations: a mail to each member and candidate of a session, with an iCalendar (.ics) event.

The event is an RFC 5545 VEVENT (UID, DTSTAMP, DTSTART, DTEND, SUMMARY, LOCATION, DESCRIPTION): the
whole day of the session for members and training candidates, the defence's time slot for a VAE
candidate who has one. Each mail is written in its recipient's language.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask import current_app
from flask_babel import force_locale, format_date, format_datetime, ngettext
from flask_babel import gettext as _

from .. import audit
from ..db import utcnow
from ..labels import route_label
from ..mail import send_mail
from .models import JurySession

DEFENCE_MINUTES = 60  # the length given to a VAE defence's calendar event


# --- iCalendar ------------------------------------------------------------------------------------

def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _fold(line: str) -> str:
    """Fold a content line at 75 octets, never inside a UTF-8 character (RFC 5545, 3.1)."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        limit = 75 if not out else 74  # continuation lines start with one space
        if size + width > limit:
            out.append(current)
            current, size = "", 0
        current += char
        size += width
    out.append(current)
    return "\r\n ".join(out)


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def ics_calendar(*, uid: str, start: date | datetime, summary: str, location: str | None, description: str,
                 end: date | datetime | None = None, stamp: datetime | None = None) -> bytes:
    """One VEVENT in a VCALENDAR, CRLF lines. A ``date`` start is a whole-day event."""
    if isinstance(start, datetime):
        end = end or start + timedelta(minutes=DEFENCE_MINUTES)
        when = [f"DTSTART:{_stamp(start)}", f"DTEND:{_stamp(end)}"]
    else:
        end = end or start + timedelta(days=1)
        when = [f"DTSTART;VALUE=DATE:{start.strftime('%Y%m%d')}", f"DTEND;VALUE=DATE:{end.strftime('%Y%m%d')}"]
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//DHEC//Portfolio juries//EN", "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH", "BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{_stamp(stamp or utcnow())}", *when,
        f"SUMMARY:{_escape(summary)}",
    ]
    if location:
        lines.append(f"LOCATION:{_escape(location)}")
    lines += [f"DESCRIPTION:{_escape(description)}", "END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode("utf-8")


def _uid(session: JurySession, who: str) -> str:
    host = current_app.config.get("SERVER_NAME") or "portfolio.dhec"
    return f"jury-session-{session.id}-{who}@{host.split(':')[0]}"


# --- the mails ------------------------------------------------------------------------------------

def _locale(user) -> str:
    return user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]


def _member_mail(session: JurySession, member) -> tuple[str, str, bytes]:
    certification = session.certification
    place = session.place or _("the place will be given later")
    summary = _("Jury of %(code)s (%(route)s)", code=certification.code, route=route_label(session.route))
    body = _(
        "Hello %(name)s,\n\nYou are convened as %(role)s of the jury of the certification %(code)s, %(title)s, "
        "%(route)s, on %(date)s at %(place)s.",
        name=member.user.name, role=role_label_for(member.role), code=certification.code, title=certification.title,
        route=route_label(session.route), date=format_date(session.date, "long"), place=place)
    body += "\n\n" + ngettext(
        "The session examines %(num)d candidate. The evidence bundles are on the page of the session.",
        "The session examines %(num)d candidates. The evidence bundles are on the page of the session.",
        len(session.candidates))
    body += "\n\n" + _("The calendar event is attached.")
    slots = [c for c in session.candidates if c.slot_at is not None]
    if slots:
        body += "\n\n" + _("Defences:") + "\n" + "\n".join(
            f"- {format_datetime(c.slot_at, 'short')}: {c.enrolment.candidate.name}" for c in slots)
    ics = ics_calendar(uid=_uid(session, f"member-{member.id}"), start=session.date, summary=summary,
                       location=session.place, description=body)
    return summary, body, ics


def _candidate_mail(session: JurySession, candidate) -> tuple[str, str, bytes]:
    certification = session.certification
    enrolment = candidate.enrolment
    place = session.place or _("the place will be given later")
    if session.route == "vae" and candidate.slot_at is not None:
        summary = _("Your VAE defence for %(code)s", code=certification.code)
        body = _(
            "Hello %(name)s,\n\nYou are convened before the jury of the certification %(code)s, %(title)s, for the "
            "defence of your validation of prior experience (VAE), on %(when)s at %(place)s.\n\n"
            "The calendar event is attached.",
            name=enrolment.candidate.name, code=certification.code, title=certification.title,
            when=format_datetime(candidate.slot_at, "long"), place=place)
        start: date | datetime = candidate.slot_at
    else:
        summary = _("Jury of %(code)s (%(route)s)", code=certification.code, route=route_label(session.route))
        body = _(
            "Hello %(name)s,\n\nThe jury of the certification %(code)s, %(title)s, meets on %(date)s at %(place)s "
            "to decide on your blocs of competences.\n\nThe calendar event is attached.",
            name=enrolment.candidate.name, code=certification.code, title=certification.title,
            date=format_date(session.date, "long"), place=place)
        start = session.date
    ics = ics_calendar(uid=_uid(session, f"candidate-{candidate.id}"), start=start, summary=summary,
                       location=session.place, description=body)
    return summary, body, ics


def role_label_for(role: str) -> str:
    return {"president": _("president"), "secretary": _("secretary"), "member": _("member")}.get(role, role)


def send_convocations(session: JurySession, actor=None) -> int:
    """Mail every member and candidate their convocation with its .ics; returns how many were sent."""
    sent = 0
    recipients = [(m.user, lambda m=m: _member_mail(session, m)) for m in session.members]
    recipients += [(c.enrolment.candidate, lambda c=c: _candidate_mail(session, c)) for c in session.candidates]
    for user, build in recipients:
        with force_locale(_locale(user)):
            subject, body, ics = build()
            send_mail(user.email, subject, body, attachments=[("convocation.ics", "text/calendar", ics)])
        sent += 1
    audit.record(actor, "jury_session.convocations", "jury_session", session.id,
                 after={"members": len(session.members), "candidates": len(session.candidates)})
    return sent

